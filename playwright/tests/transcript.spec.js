// Transcripts downloaded from the page and replayed by hsmsim run --check,
// as a documentation site's CI would: no diff when nothing changed, a diff
// where someone edited the output.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');

const hsmsim = path.resolve(__dirname, '..', '..', 'bin', 'hsmsim');

function transcriptRun(args) {
  const r = spawnSync(hsmsim, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

function transcriptDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hsmsim-transcript-'));
}

const lines = [
  'loginHSM -u CU -s alice -hpswd',
  'password',
  'getKeyInfo -k 524288',
  'genSymKey -t 31 -s 32 -l docs-key',
  'exit',
  'openssl rand -hex 8',
  'ls',
];

test('a Markdown transcript downloaded from an embed replays with no diff; a tampered one is reported', async ({ page }) => {
  const dir = transcriptDir();
  await page.goto(`/embed.html?seed=5&scenario=shared-key&tool=key_mgmt_util&lines=${encodeURIComponent(lines.join('\n'))}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  const [md] = await Promise.all([page.waitForEvent('download'), page.locator('#embed-md').click()]);
  expect(md.suggestedFilename()).toMatch(/^hsmsim-session-.*\.md$/);
  const file = path.join(dir, 'session.md');
  await md.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  expect(text.startsWith('<!-- hsmsim seed=5 scenario=shared-key -->\n\n```\n$ key_mgmt_util\nCommand: loginHSM -u CU -s alice -hpswd\nEnter password: \n')).toBe(true);
  expect(text).not.toMatch(/Enter password: password/);
  expect(text).toContain('Symmetric Key Created.  Key Handle: 524291\n');

  let r = transcriptRun(['run', '--check', file]);
  expect(r.stdout + r.stderr).toContain(`${file}: ${lines.length + 1} steps, output matches`);
  expect(r.status).toBe(0);

  // Someone edits the page's example: the check fails and shows where.
  const tampered = path.join(dir, 'tampered.md');
  fs.writeFileSync(tampered, text.replace('Key Handle: 524291', 'Key Handle: 524399'));
  r = transcriptRun(['run', '--check', tampered]);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('genSymKey -t 31 -s 32 -l docs-key\n');
  expect(r.stdout).toContain('- Symmetric Key Created.  Key Handle: 524399\n+ Symmetric Key Created.  Key Handle: 524291\n');
  expect(r.stdout).toContain(`1 of ${lines.length + 1} steps differ`);

  // The script form: the lines typed, the password masked; hsmsim run
  // replays it with the same seed and scenario to the same output.
  const [sc] = await Promise.all([page.waitForEvent('download'), page.locator('#embed-script').click()]);
  const script = path.join(dir, 'session.txt');
  await sc.saveAs(script);
  expect(fs.readFileSync(script, 'utf8')).toBe(['key_mgmt_util', ...lines.map((l) => (l === 'password' ? '********' : l))].join('\n') + '\n');
  r = transcriptRun(['run', '--seed', '5', '--scenario', 'shared-key', script]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Symmetric Key Created.  Key Handle: 524291\n');
  const hex = /\$ openssl rand -hex 8\n([0-9a-f]{16})\n/;
  expect(r.stdout.match(hex)[1]).toBe(text.match(hex)[1]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the playground's session as Markdown replays with its seed", async ({ page }) => {
  const dir = transcriptDir();
  await page.goto('/?seed=11');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  for (const l of ['key_mgmt_util', 'loginHSM -u CU -s example_user -p password', 'genRSAKeyPair -m 2048 -e 65537 -l docs', 'exit', 'openssl rand -hex 8']) {
    await page.evaluate((line) => window.hsmsim.console.run(line), l);
  }
  const r = await page.evaluate(async () => {
    const res = await window.hsmsim.request('transcript.markdown', { steps: window.hsmsim.console.transcript() });
    return { filename: res.filename, text: new TextDecoder().decode(res.data) };
  });
  expect(r.filename).toMatch(/\.md$/);
  expect(r.text.startsWith('<!-- hsmsim seed=11 scenario=default -->\n')).toBe(true);
  expect(r.text).toContain('loginHSM -u CU -s example_user -p ********\n');
  const file = path.join(dir, 'playground.md');
  fs.writeFileSync(file, r.text);
  const out = transcriptRun(['run', '--check', file]);
  expect(out.stdout).toContain('5 steps, output matches');
  expect(out.status).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a workspace made from a scenario starts from it and names it in its transcript', async ({ page }) => {
  const dir = transcriptDir();
  await page.goto('/?seed=12');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const list = await page.evaluate(() => window.hsmsim.request('scenarios'));
  expect(list.map((s) => s.name)).toEqual(['default', 'out-of-sync', 'shared-key', 'uninitialised']);
  expect(list.find((s) => s.name === 'out-of-sync').title).toBe('One HSM out of sync');
  const ws = await page.evaluate(() => window.hsmsim.request('ws.create', { name: 'drift', scenario: 'out-of-sync' }));
  expect(ws.workspace.name).toBe('drift');
  const r = await page.evaluate(async () => {
    const reply = await window.hsmsim.request('exec', { line: 'cluster status' });
    const steps = [{ prompt: '$ ', input: 'cluster status', output: reply.output }];
    const md = await window.hsmsim.request('transcript.markdown', { steps });
    return { output: reply.output, md: new TextDecoder().decode(md.data) };
  });
  expect(r.output).toContain('key 524291 (team-shared-aes128): missing on node 2');
  expect(r.md.startsWith('<!-- hsmsim seed=12 scenario=out-of-sync -->\n')).toBe(true);
  const file = path.join(dir, 'drift.md');
  fs.writeFileSync(file, r.md);
  const out = transcriptRun(['run', '--check', file]);
  expect(out.stdout).toContain('1 steps, output matches');
  expect(out.status).toBe(0);
  const bad = await page.evaluate(() => window.hsmsim.request('ws.create', { name: 'x', scenario: 'no-such' }).then(() => '', (e) => e.message));
  expect(bad).toContain('unknown scenario "no-such"');
  fs.rmSync(dir, { recursive: true, force: true });
});
