// The browser benchmarks of BENCHMARKS.md. Each figure is a list of
// samples; scripts/bench.sh reports their medians. Results go to the JSON
// file named by BENCH_OUT.
//
// The floor: FLOOR_URL serves the same site with engine.wasm replaced by
// scripts/benchfloor (a Go program that answers the worker with no engine
// behind it, built by the same toolchain with the same flags). The same
// page and worker start it, so each figure measured on both says what the
// engine itself costs.
const fs = require('fs');
const { test, expect } = require('@playwright/test');

const N = Number(process.env.BENCH_N || 15);
const FLOOR = process.env.FLOOR_URL || '';
const results = {};

// firstAnswer is run in the page before its own scripts (an init script,
// outside the page's CSP): the moment the page's worker API appears, one
// line is sent, queued behind the worker's init; its answer is marked
// bench-first-answer, the cold start's end.
function firstAnswer() {
  let api;
  Object.defineProperty(window, 'hsmsim', {
    configurable: true,
    get: () => api,
    set: (v) => {
      api = v;
      // After the page's init request, which the same statement of
      // app.js's is followed by.
      queueMicrotask(() => v.request('exec', { line: 'pwd' }).then(
        () => performance.mark('bench-first-answer'),
        (err) => performance.mark('bench-first-answer', { detail: { failed: String(err && err.message) } }),
      ));
    },
  });
}

// coldSample loads url in a new browser context (empty cache and storage)
// and returns the start-up's milestones (ms since the navigation started)
// and the page's main-thread busy time until the first answer (the
// renderer's TaskDuration, Chrome DevTools Protocol Performance metrics).
async function coldSample(browser, url) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(firstAnswer);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('bench-first-answer').length > 0, null, { polling: 'raf', timeout: 120_000 });
  const { metrics } = await cdp.send('Performance.getMetrics');
  const busy = (metrics.find((m) => m.name === 'TaskDuration') || {}).value * 1000;
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  const m = await page.evaluate(() => {
    const at = (name) => {
      const e = performance.getEntriesByName(name)[0];
      return e ? e.startTime : undefined;
    };
    const ready = performance.getEntriesByName('hsmsim-ready')[0];
    const fa = performance.getEntriesByName('bench-first-answer')[0];
    return {
      script: at('hsmsim-script'), keys: at('hsmsim-keys'), terminal: at('hsmsim-terminal'), ready: ready ? ready.startTime : undefined,
      answer: fa.startTime, failed: (fa.detail && fa.detail.failed) || false, worker: ready ? ready.detail || {} : {},
    };
  });
  expect(m.failed, 'the first line got no answer').toBe(false);
  await context.close();
  return { ...m, busy };
}

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

test('cold start: the prompt taking keys, the first answer, the main thread; engine and floor', async ({ browser, baseURL }) => {
  test.skip(!FLOOR, 'FLOOR_URL serves the floor build (scripts/bench.sh)');
  // Interleaved, so that the machine's load weighs on each alike.
  results.cold = { engine: [], floor: [] };
  for (let i = 0; i < N; i++) {
    results.cold.engine.push(await coldSample(browser, new URL('/', baseURL).href));
    results.cold.floor.push(await coldSample(browser, new URL('/', FLOOR).href));
    save();
  }
  results.coldLoadMs = results.cold.engine.map((s) => s.ready);
  results.coldLoadSteps = results.cold.engine.map((s) => s.worker);
  save();
});

test('warm load to the first ready prompt', async ({ browser }) => {
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

// READ is a key example_user may read in the default cluster: alice's
// 524291, shared with example_user.
const READ = 'getKeyInfo -k 524291';

test('round trips in a fresh workspace', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  await timed(page, login);
  const reads = await timed(page, Array(N * 4).fill(READ));
  for (const r of reads) expect(r.output).toContain('Cfm3GetKey returned: 0x00');
  results.readRoundTripMs = reads.map((r) => r.ms);
  const lines = [];
  for (let i = 0; i < N * 2; i++) lines.push(`genSymKey -t 31 -s 32 -l bench-${i}`);
  const writes = await timed(page, lines);
  for (const w of writes) expect(w.saved, w.output).toBe(true);
  results.writeRoundTripMs = writes.map((r) => r.ms);
  results.writeEngineMs = writes.map((r) => r.engineMs);
  save();
});

test('the floor: a round trip and a warm load with no engine behind the worker', async ({ browser }) => {
  test.skip(!FLOOR, 'FLOOR_URL serves the floor build (scripts/bench.sh)');
  // As the engine's warm loads: the same kind of context.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('/', FLOOR).href);
  await ready(page);
  const r = await timed(page, Array(N * 4).fill(READ));
  results.floorRoundTripMs = r.map((x) => x.ms);
  results.floorWarmLoadMs = [];
  for (let i = 0; i < N; i++) {
    await page.goto(new URL('/', FLOOR).href);
    results.floorWarmLoadMs.push(await ready(page));
  }
  await context.close();
  save();
});

test('reload of the default workspace (the 3,300-key reload\'s reference)', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  results.reloadDefaultMs = [];
  const n = Math.max(5, Math.round(N / 2));
  for (let i = 0; i < n; i++) {
    await page.reload();
    results.reloadDefaultMs.push(await ready(page));
  }
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
  const reads = await timed(page, Array(N * 2).fill(READ));
  for (const r of reads) expect(r.output).toContain('Cfm3GetKey returned: 0x00');
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
