// A new workspace from a built-in scenario, picked in the Workspace menu.
const { test, expect } = require('@playwright/test');
const { openConsole, run, wsAction } = require('./helpers');

test('a new workspace starts from the scenario picked for it', async ({ page }) => {
  await openConsole(page);
  await wsAction(page, '#ws-new');
  const dialog = page.locator('dialog#ask');
  await expect(dialog).toBeVisible();
  await dialog.locator('#ask-input').fill('drift lab');
  await dialog.locator('#ask-choice').selectOption('out-of-sync');
  await expect(dialog.locator('#ask-choice-note')).toContainText('HSM 2');
  await dialog.locator('#ask-ok').click();
  await expect(page.locator('#ws-select option:checked')).toHaveText('drift lab');
  const status = await run(page, 'cluster status');
  expect(status).toContain('out of sync');
  expect(status).toContain('key 524291 (team-shared-aes128): missing on node 2');

  await wsAction(page, '#ws-new');
  await dialog.locator('#ask-input').fill('sharing');
  await dialog.locator('#ask-choice').selectOption('shared-key');
  await dialog.locator('#ask-ok').click();
  await expect(page.locator('#ws-select option:checked')).toHaveText('sharing');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s alice -p password');
  expect(await run(page, 'getKeyInfo -k 524288')).toContain('Owned by user 3');
});
