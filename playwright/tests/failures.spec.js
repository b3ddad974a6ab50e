// Failures are visible and nothing is wiped: a damaged record (here with a
// valid checksum, so that what it holds is refused; records.spec.js flips
// checksummed bytes), a newer
// schema, a newer database, the engine ending.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, idb, answer, wsAction, failNextSave } = require('./helpers');

async function reloadReady(page) {
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
}

test('a record that cannot be read is named, with the way out', async ({ page }, testInfo) => {
  await openConsole(page);
  await run(page, 'echo still here > kept.txt');
  await idb(page, { action: 'put', name: 'default', key: 'k/524288', text: '{not json' });
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('Workspace "default" cannot be opened: workspace is damaged: record "k/524288" cannot be read');
  await expect(log).toContainText('Nothing was deleted. Use "Export" to save what can still be read');
  await expect(page.locator('#status')).toContainText('cannot be opened');

  // Commands are refused rather than run on something else.
  expect(await run(page, 'ls')).toContain('cannot be opened');

  // Export saves what can be read.
  const [download] = await Promise.all([page.waitForEvent('download'), wsAction(page, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-salvaged-.*\.json$/);
  const file = testInfo.outputPath('salvaged.json');
  await download.saveAs(file);
  const backup = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(backup.skipped).toEqual(['k/524288']);
  expect(backup.state.files['kept.txt']).toBeTruthy();
  await expect(log).toContainText('Left out because they cannot be read: k/524288');

  // The damaged records are still there: nothing was wiped.
  expect(await idb(page, { action: 'keys', name: 'default' })).toContain('k/524288');

  // Importing the salvaged backup gives a working workspace.
  await page.setInputFiles('#ws-import-file', file);
  await expect(page.locator('#ws-select option:checked')).toHaveText('default (2)');
  expect(await run(page, 'cat kept.txt')).toContain('still here');
});

// A key record is decoded at the key's first use (engine/internal/hsm
// lazy.go); opening reads its checksum and top level only. One whose copy
// is damaged under a valid checksum opens, and is found by the first thing
// that reaches the key (here the panels' summary, which the page asks for
// as soon as the engine answers): the workspace is then marked damaged with
// the error a full read gives, and nothing is wiped.
test('a key record damaged inside its copy is found at its first use', async ({ page }) => {
  await openConsole(page);
  await idb(page, { action: 'put', name: 'default', key: 'k/524289', text: '{"0":{"handle":524289},"1":0,"2":0}' });
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('workspace is damaged: record "k/524289" cannot be read: HSM 0: $ has no field "class"');
  await expect(log).toContainText('Use "Export" to save what can still be read');
  expect(await run(page, 'ls')).toContain('cannot be opened');
  expect(await idb(page, { action: 'keys', name: 'default' })).toContain('k/524289');
});

test('a record that is not even bytes marks only its workspace damaged', async ({ page }) => {
  await openConsole(page);
  await run(page, 'echo still here > kept.txt');
  await idb(page, { action: 'putString', name: 'default', key: 'k/524288', text: 'not bytes' });
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('Workspace "default" cannot be opened: workspace is damaged: record "k/524288" is not a Uint8Array');
  await expect(log).toContainText('Nothing was deleted. Use "Export" to save what can still be read');
  await expect(log).not.toContainText('The engine did not start');
  expect(await run(page, 'ls')).toContain('cannot be opened');
  const [download] = await Promise.all([page.waitForEvent('download'), wsAction(page, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-salvaged-.*\.json$/);
  await expect(log).toContainText('Left out because they cannot be read: k/524288');
});

test('a record whose key is not a string marks only its workspace damaged', async ({ page }) => {
  await openConsole(page);
  await idb(page, { action: 'putNumberKey', name: 'default', number: 5, text: '{}' });
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('Workspace "default" cannot be opened: workspace is damaged: record "5" is not a Uint8Array');
  await expect(log).not.toContainText('The engine did not start');
  const [download] = await Promise.all([page.waitForEvent('download'), wsAction(page, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-salvaged-.*\.json$/);
  await expect(log).toContainText('Left out because they cannot be read: 5');
  await wsAction(page, '#ws-new');
  await answer(page, 'fresh');
  expect(await run(page, 'ls')).toContain('aes256.key');
});

test('a schema newer than the code is refused with its message', async ({ page }) => {
  await openConsole(page);
  await idb(page, { action: 'schema', name: 'default', schema: 99 });
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('Workspace "default" was written by a newer version of hsmsim and cannot be opened: its storage schema is 99');
  await expect(log).toContainText('Nothing was changed. Open it with the newer hsmsim that wrote it, or use "New"');
  expect(await run(page, 'key_mgmt_util')).toContain('newer version of hsmsim');
  await wsAction(page, '#ws-new');
  await answer(page, 'fresh');
  await expect(page.locator('#ws-select option:checked')).toHaveText('fresh');
  expect(await run(page, 'ls')).toContain('aes256.key');
  expect((await idb(page, { action: 'workspace', name: 'default' })).schema).toBe(99);
});

test('a state version newer than the engine is refused', async ({ page }) => {
  await openConsole(page);
  await idb(page, { action: 'meta', name: 'default', version: 42 });
  await reloadReady(page);
  await expect(page.locator('#log')).toContainText('workspace version 42: written by a newer version of hsmsim (this one reads up to 1)');
});

test('a database from a newer hsmsim leaves a temporary workspace, untouched storage', async ({ page }) => {
  await openConsole(page);
  await run(page, 'echo saved > saved.txt');
  // A newer hsmsim upgrades the database; this tab is told to reload.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const r = indexedDB.open('hsmsim:site', 99);
    r.onupgradeneeded = () => {};
    r.onsuccess = () => { r.result.close(); resolve(); };
    r.onerror = () => reject(r.error);
  }));
  await expect(page.locator('#log')).toContainText('A newer version of hsmsim was opened in another tab');
  await reloadReady(page);
  await expect(page.locator('#log')).toContainText('written by a newer hsmsim');
  await expect(page.locator('#log')).toContainText('Working in a temporary workspace that is NOT saved');
  await expect(page.locator('#status')).toContainText('temporary workspace, not saved');
  expect(await run(page, 'ls')).toContain('aes256.key');
});

test('when the engine stops, the worker restarts it from the saved workspace', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l survives')).toContain('Key Handle: 524295');
  await page.evaluate(() => window.hsmsim.request('engine.exit', { code: 3 }));
  await expect(page.locator('#log')).toContainText('It was restarted from the saved workspace "default"');
  await expect(page.locator('#console')).toHaveAttribute('data-prompt', '$ ');
  await run(page, 'key_mgmt_util');
  expect(await run(page, 'findKey -l survives')).toContain('User is not logged in');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'findKey -l survives')).toContain('524295');
});

test('a full storage quota undoes the command and says so; the next command saves', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const rev = Number(/revision (\d+)/.exec(await page.locator('#status').textContent())[1]);
  // The worker's storage refuses the next write as a full disk does.
  await failNextSave(page);
  const out = await run(page, 'genSymKey -t 31 -s 32 -l during-full-disk');
  expect(out).toContain("the change was not saved: the browser's storage quota is used up (QuotaExceededError). "
    + `The command did not happen: this tab is back to the workspace as last saved (revision ${rev}), and nothing it printed is shown, as none of it was kept.`);
  expect(out).toContain('Way out: free space (delete workspaces you no longer need, or other sites\' data), then run it again; "Export" saves the workspace as it is. Nothing stored was deleted.');
  expect(out).not.toContain('Key Handle');
  await expect(page.locator('#status')).toContainText(`revision ${rev}`);
  // The session's transcript has no step for it: it did not happen.
  expect(await page.evaluate(() => window.hsmsim.console.steps.map((s) => s.input))).not.toContain('genSymKey -t 31 -s 32 -l during-full-disk');
  expect(await run(page, 'findKey -l during-full-disk')).toContain('Total number of keys present 0');

  // Space again: the next key takes the handle, which no one was shown.
  expect(await run(page, 'genSymKey -t 31 -s 32 -l after-full-disk')).toContain('Key Handle: 524295');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'findKey -l during-full-disk')).toContain('Total number of keys present 0');
  expect(await run(page, 'findKey -l after-full-disk')).toContain('524295');
});

test('a record damaged while two tabs are open marks only that workspace damaged', async ({ context }, testInfo) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openConsole(a);
  await openConsole(b);
  await run(a, 'echo still here > kept.txt');
  await idb(a, { action: 'putString', name: 'default', key: 'k/524288', text: 'not bytes' });
  // The other tab saves a change: this tab reads the records back.
  await run(b, 'echo from b > b.txt');
  const damaged = 'Workspace "default" cannot be opened: workspace is damaged: record "k/524288" is not a Uint8Array';
  await expect(a.locator('#log')).toContainText(damaged);
  await expect(a.locator('#status')).toContainText('cannot be opened');
  const refused = await run(a, 'ls');
  expect(refused).toContain(damaged);
  expect(refused).toContain('Nothing was deleted. Use "Export" to save what can still be read');
  await expect(a.locator('#log')).not.toContainText('The engine did not start');

  // Export salvages the rest, the other tab's change too.
  const [download] = await Promise.all([a.waitForEvent('download'), wsAction(a, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-salvaged-.*\.json$/);
  const file = testInfo.outputPath('salvaged.json');
  await download.saveAs(file);
  const backup = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(backup.skipped).toEqual(['k/524288']);
  expect(Object.keys(backup.state.files)).toEqual(expect.arrayContaining(['kept.txt', 'b.txt']));

  // Another workspace works, in this tab and, after a reload, in the other.
  await wsAction(a, '#ws-new');
  await answer(a, 'fresh');
  await expect(a.locator('#ws-select option:checked')).toHaveText('fresh');
  expect(await run(a, 'ls')).toContain('aes256.key');
  await reloadReady(b);
  expect(await run(b, 'ls')).toContain('aes256.key');
  await b.selectOption('#ws-select', { label: 'default' });
  await expect(b.locator('#log')).toContainText(damaged);
  expect(await run(b, 'ls')).toContain('cannot be opened');
  // Nothing was wiped.
  expect(await idb(b, { action: 'keys', name: 'default' })).toContain('k/524288');
});
