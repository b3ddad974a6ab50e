// Failures are visible and nothing is wiped: a damaged record (here with a
// valid checksum, so that what it holds is refused; records.spec.js flips
// checksummed bytes), a newer
// schema, a newer database, the engine ending.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, idb, answer, wsAction } = require('./helpers');

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

test('a full storage quota is reported, and the change is saved by the next command', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  // The worker's storage refuses the next write as a full disk does.
  const worker = page.workers()[0];
  await worker.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...a) {
      if (this.name === 'records') {
        IDBObjectStore.prototype.put = put;
        throw new DOMException('simulated full disk', 'QuotaExceededError');
      }
      return put.apply(this, a);
    };
  });
  const out = await run(page, 'genSymKey -t 31 -s 32 -l during-full-disk');
  expect(out).toContain('Key Handle: 524295');
  expect(out).toContain("the change was not saved: the browser's storage quota is used up (QuotaExceededError)");
  expect(out).toContain('Way out: use "Export" now (the backup holds the unsaved change), delete workspaces you no longer need, or start a new workspace. Nothing was deleted.');

  // Space again: the next change saves the earlier one too.
  expect(await run(page, 'genSymKey -t 31 -s 32 -l after-full-disk')).toContain('Key Handle: 524296');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'findKey -l during-full-disk')).toContain('524295');
  expect(await run(page, 'findKey -l after-full-disk')).toContain('524296');
});
