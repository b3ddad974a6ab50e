// The browser benchmarks of BENCHMARKS.md. Each figure is a list of
// samples; scripts/bench.sh reports their medians. Results go to the JSON
// file named by BENCH_OUT.
const fs = require('fs');
const { test, expect } = require('@playwright/test');

const N = Number(process.env.BENCH_N || 15);
const results = {};

function save() {
  if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 1));
}

// ready waits for the first ready prompt and returns its time since the
// navigation started; the milestones on the way go to `into`.
async function ready(page, into) {
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  const m = await page.evaluate(() => {
    const e = performance.getEntriesByName('hsmsim-ready')[0];
    return { t: e.startTime, detail: e.detail || {} };
  });
  if (into) into.push(m.detail);
  return m.t;
}

// timed runs lines through the worker API from the page and returns the
// round trip of each in ms (page -> worker -> engine -> IndexedDB -> page)
// and the engine's own time.
function timed(page, lines) {
  return page.evaluate(async (ls) => {
    const out = [];
    for (const line of ls) {
      const t0 = performance.now();
      const r = await window.hsmsim.request('exec', { line });
      out.push({ ms: performance.now() - t0, engineMs: r.engineMs, changed: !!r.changed, saved: !!r.saved, output: r.output });
    }
    return out;
  }, lines);
}

const login = ['key_mgmt_util', 'loginHSM -u CU -s example_user -p password'];

test('cold and warm load to the first ready prompt', async ({ browser }) => {
  results.coldLoadMs = [];
  results.coldLoadSteps = [];
  for (let i = 0; i < N; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto('/');
    results.coldLoadMs.push(await ready(page, results.coldLoadSteps));
    await context.close();
  }
  results.warmLoadMs = [];
  results.warmLoadSteps = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await ready(page);
  for (let i = 0; i < N; i++) {
    await page.goto('/');
    results.warmLoadMs.push(await ready(page, results.warmLoadSteps));
  }
  await context.close();
  save();
});

test('round trips in a fresh workspace', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  await timed(page, login);
  const reads = await timed(page, Array(N * 4).fill('getKeyInfo -k 524288'));
  results.readRoundTripMs = reads.map((r) => r.ms);
  const lines = [];
  for (let i = 0; i < N * 2; i++) lines.push(`genSymKey -t 31 -s 32 -l bench-${i}`);
  const writes = await timed(page, lines);
  for (const w of writes) expect(w.saved, w.output).toBe(true);
  results.writeRoundTripMs = writes.map((r) => r.ms);
  results.writeEngineMs = writes.map((r) => r.engineMs);
  save();
});

test('RSA key generation in the browser (same seed and lines as native)', async ({ page }) => {
  const n2048 = Number(process.env.BENCH_RSA2048 || 10);
  const n4096 = Number(process.env.BENCH_RSA4096 || 4);
  await page.goto('/?seed=1');
  await ready(page);
  const lines = [...login];
  for (let i = 0; i < n2048; i++) lines.push(`genRSAKeyPair -m 2048 -e 65537 -l bench2048-${i}`);
  for (let i = 0; i < n4096; i++) lines.push(`genRSAKeyPair -m 4096 -e 65537 -l bench4096-${i}`);
  const r = await timed(page, lines);
  const gen = r.slice(2);
  for (const g of gen) expect(g.output).toContain('returned: 0x00');
  results.rsa2048EngineMs = gen.slice(0, n2048).map((x) => x.engineMs);
  results.rsa4096EngineMs = gen.slice(n2048).map((x) => x.engineMs);
  results.rsa2048RoundTripMs = gen.slice(0, n2048).map((x) => x.ms);
  results.rsa4096RoundTripMs = gen.slice(n2048).map((x) => x.ms);
  save();
});

test('RSA key generation in the browser without a seed (WebCrypto)', async ({ page }) => {
  const n2048 = Number(process.env.BENCH_RSA2048 || 10);
  const n4096 = Number(process.env.BENCH_RSA4096 || 4);
  await page.goto('/');
  await ready(page);
  const lines = [...login];
  for (let i = 0; i < n2048; i++) lines.push(`genRSAKeyPair -m 2048 -e 65537 -l webcrypto2048-${i}`);
  for (let i = 0; i < n4096; i++) lines.push(`genRSAKeyPair -m 4096 -e 65537 -l webcrypto4096-${i}`);
  const r = await timed(page, lines);
  const gen = r.slice(2);
  for (const g of gen) expect(g.output).toContain('returned: 0x00');
  results.rsaUnseeded2048EngineMs = gen.slice(0, n2048).map((x) => x.engineMs);
  results.rsaUnseeded4096EngineMs = gen.slice(n2048).map((x) => x.engineMs);
  save();
});

test('a workspace of 3,300 keys: reload, commits, memory', async ({ page }) => {
  const fixture = process.env.BENCH_FIXTURE;
  test.skip(!fixture, 'BENCH_FIXTURE names the 3,300-key state document (scripts/bench.sh makes it)');
  await page.goto('/');
  await ready(page);
  await page.setInputFiles('#ws-import-file', fixture);
  await expect(page.locator('#log')).toContainText('Imported', { timeout: 300_000 });
  results.reload3300Ms = [];
  results.reload3300Steps = [];
  results.memory3300 = [];
  const n = Math.max(5, Math.round(N / 2));
  for (let i = 0; i < n; i++) {
    await page.reload();
    results.reload3300Ms.push(await ready(page, results.reload3300Steps));
    results.memory3300.push(await page.evaluate(() => window.hsmsim.request('memory')));
  }
  await timed(page, login);
  const reads = await timed(page, Array(N * 2).fill('getKeyInfo -k 524288'));
  results.readRoundTrip3300Ms = reads.map((r) => r.ms);
  // One key short of the limit: make one, delete it, and again.
  const adds = [];
  const dels = [];
  for (let i = 0; i < N * 2; i++) {
    const [add] = await timed(page, [`genSymKey -t 31 -s 32 -l big-${i}`]);
    expect(add.saved, add.output).toBe(true);
    const h = /Key Handle: (\d+)/.exec(add.output)[1];
    const [del] = await timed(page, [`deleteKey -k ${h}`]);
    expect(del.saved, del.output).toBe(true);
    adds.push(add.ms);
    dels.push(del.ms);
  }
  results.writeRoundTrip3300Ms = adds;
  results.deleteRoundTrip3300Ms = dels;
  save();
});
