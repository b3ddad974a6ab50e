// Each stored record carries a checksum: a flipped byte in one record
// marks only its workspace damaged (with the salvage and export of any
// other damage), and a workspace stored before checksums opens and is
// rewritten with them.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, idb, answer, wsAction } = require('./helpers');

async function reloadReady(page) {
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
}

test('a flipped byte in one record marks only that workspace damaged', async ({ page }, testInfo) => {
  await openConsole(page);
  await run(page, 'echo still here > kept.txt');
  await wsAction(page, '#ws-new');
  await answer(page, 'other');
  await expect(page.locator('#ws-select option:checked')).toHaveText('other');
  await run(page, 'echo mine > other.txt');
  await page.selectOption('#ws-select', { label: 'default' });
  await expect(page.locator('#ws-select option:checked')).toHaveText('default');
  expect(await idb(page, { action: 'unsealed', name: 'default' })).toEqual([]);

  await idb(page, { action: 'flip', name: 'default', key: 'k/524289' });
  expect(await idb(page, { action: 'unsealed', name: 'default' })).toEqual(['k/524289']);
  await reloadReady(page);
  const log = page.locator('#log');
  await expect(log).toContainText('Workspace "default" cannot be opened: workspace is damaged: record "k/524289" does not match its checksum');
  await expect(log).toContainText('Nothing was deleted. Use "Export" to save what can still be read');
  expect(await run(page, 'ls')).toContain('cannot be opened');

  // Export salvages every other record.
  const [download] = await Promise.all([page.waitForEvent('download'), wsAction(page, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-salvaged-.*\.json$/);
  const file = testInfo.outputPath('salvaged.json');
  await download.saveAs(file);
  const backup = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(backup.skipped).toEqual(['k/524289']);
  expect(backup.state.files['kept.txt']).toBeTruthy();
  const handles = Object.keys(backup.state.cluster.nodes[0].objects);
  expect(handles).toContain('524288');
  expect(handles).not.toContain('524289');
  // Nothing was rewritten: the damaged record is still there.
  expect(await idb(page, { action: 'unsealed', name: 'default' })).toEqual(['k/524289']);

  // The other workspace is untouched and works.
  await page.selectOption('#ws-select', { label: 'other' });
  await expect(page.locator('#ws-select option:checked')).toHaveText('other');
  expect(await run(page, 'cat other.txt')).toContain('mine');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'getKeyInfo -k 524289')).toContain('Cfm3GetKey returned: 0x00 : HSM Return: SUCCESS');
});

test('a workspace stored before checksums opens and is rewritten with them', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l from-before')).toContain('Key Handle: 524295');
  await run(page, 'exit');
  await run(page, 'echo old > old.txt');

  await idb(page, { action: 'legacy', name: 'default' });
  const before = await idb(page, { action: 'workspace', name: 'default' });
  expect(before.schema).toBe(1);
  expect((await idb(page, { action: 'unsealed', name: 'default' })).length).toBeGreaterThan(5);

  await reloadReady(page);
  await expect(page.locator('#log')).not.toContainText('cannot be opened');
  // Rewritten whole at the current schema, every record sealed.
  await expect.poll(async () => (await idb(page, { action: 'workspace', name: 'default' })).schema).toBe(2);
  expect(await idb(page, { action: 'unsealed', name: 'default' })).toEqual([]);
  const after = await idb(page, { action: 'workspace', name: 'default' });
  expect(after.revision).toBe(before.revision + 1);

  expect(await run(page, 'cat old.txt')).toContain('old');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'findKey -l from-before')).toContain('524295');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l after')).toContain('Key Handle: 524296');

  // And it reads back, the new key included.
  await reloadReady(page);
  await expect(page.locator('#log')).not.toContainText('cannot be opened');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const found = await run(page, 'findKey -l after');
  expect(found).toContain('524296');
  expect(await idb(page, { action: 'unsealed', name: 'default' })).toEqual([]);
});
