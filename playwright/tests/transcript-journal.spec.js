// A workspace's transcript covers its whole history since it was created,
// across reloads (journal.js, in IndexedDB); it says when it cannot be
// replayed byte for byte; the Transcript menu starts a fresh seeded
// workspace whose transcript replays with hsmsim run --check.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { openConsole, run, answer } = require('./helpers');

const hsmsim = path.resolve(__dirname, '..', '..', 'bin', 'hsmsim');

// markdown downloads the Transcript menu's Markdown and returns its text.
async function markdown(page) {
  await page.click('#tx-menu-button');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#tx-markdown')]);
  return fs.readFileSync(await dl.path(), 'utf8');
}

function check(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsmsim-journal-'));
  const file = path.join(dir, 'page.md');
  fs.writeFileSync(file, text);
  const r = spawnSync(hsmsim, ['run', '--check', file], { encoding: 'utf8', timeout: 60_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

test('the transcript holds the whole history across reloads, and says when it does not replay', async ({ page }) => {
  await openConsole(page, '?seed=5');
  await page.locator('#welcome-close').click();
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'genSymKey -t 31 -s 32 -l before-reload');
  await run(page, 'exit');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'genSymKey -t 31 -s 16 -l after-reload');
  let md = await markdown(page);
  expect(md.split('\n')[0]).toMatch(/^<!-- hsmsim seed=5\b/);
  expect(md).not.toContain('Not replayable');
  for (const l of ['genSymKey -t 31 -s 32 -l before-reload', 'genSymKey -t 31 -s 16 -l after-reload']) expect(md).toContain(`Command: ${l}`);
  expect(md).toContain('Command: loginHSM -u CU -s example_user -p ********');
  let r = check(md);
  expect(r.stdout + r.stderr).toContain('output matches');
  expect(r.status).toBe(0);

  // A session without the seed: the transcript no longer claims one.
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await run(page, 'ls');
  md = await markdown(page);
  expect(md.split('\n')[0]).not.toContain('seed=');
  expect(md).toContain('> **Not replayable byte for byte:** a reload ended a key_mgmt_util or cloudhsm_mgmt_util session in the middle');
  await expect(page.locator('#log')).toContainText('This transcript does not replay byte for byte');

  // The menu starts a fresh seeded workspace: its transcript replays.
  await page.click('#tx-menu-button');
  await page.click('#tx-seeded');
  await answer(page, '11');
  await page.waitForURL(/[?&]seed=11\b/);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.locator('#ws-select option:checked')).toHaveText('seed 11');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'genRSAKeyPair -m 2048 -e 65537 -l seeded');
  md = await markdown(page);
  expect(md.split('\n')[0]).toMatch(/^<!-- hsmsim seed=11\b/);
  expect(md).not.toContain('before-reload');
  expect(md).not.toContain('Not replayable');
  r = check(md);
  expect(r.stdout + r.stderr).toContain('output matches');
});
