// Export a workspace to a backup file and import it again, and the
// workspace controls around it.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, answer, wsAction } = require('./helpers');

test('export then import a workspace', async ({ page }, testInfo) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l backed-up')).toContain('Key Handle: 524295');
  await run(page, 'exit');
  await run(page, 'echo in the backup > kept.txt');

  const [download] = await Promise.all([page.waitForEvent('download'), wsAction(page, '#ws-export')]);
  expect(download.suggestedFilename()).toMatch(/^hsmsim-default-.*\.json$/);
  const file = testInfo.outputPath('backup.json');
  await download.saveAs(file);
  const backup = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(backup.format).toBe('hsmsim-backup');
  expect(backup.workspace).toBe('default');
  expect(backup.state.format).toBe('hsmsim-workspace');
  expect(backup.history).toContain('genSymKey -t 31 -s 32 -l backed-up');
  await expect(page.locator('#log')).toContainText('Exported to hsmsim-default-');

  // Change the original, then import the backup beside it.
  await run(page, 'rm kept.txt');
  await page.setInputFiles('#ws-import-file', file);
  await expect(page.locator('#log')).toContainText('as workspace "default (2)"');
  await expect(page.locator('#ws-select option:checked')).toHaveText('default (2)');
  expect(await run(page, 'cat kept.txt')).toContain('in the backup');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'findKey -l backed-up')).toContain('524295');
  await run(page, 'exit');

  // The original is as it was left.
  await page.selectOption('#ws-select', { label: 'default' });
  await expect(page.locator('#log')).toContainText('Switched to workspace "default"');
  expect(await run(page, 'cat kept.txt')).toContain('No such file');

  // A file that is not a backup is refused, and nothing changes.
  const bad = testInfo.outputPath('bad.json');
  fs.writeFileSync(bad, '{"format":"something-else"}');
  await page.setInputFiles('#ws-import-file', bad);
  await expect(page.locator('#log')).toContainText('this is not a hsmsim backup (format "something-else")');
  await expect(page.locator('#ws-select option')).toHaveCount(2);
});

test('workspaces: create, rename, reset and delete', async ({ page }) => {
  await openConsole(page);
  await run(page, 'echo first > first.txt');

  await wsAction(page, '#ws-new');
  await answer(page, 'second');
  await expect(page.locator('#ws-select option:checked')).toHaveText('second');
  expect(await run(page, 'cat first.txt')).toContain('No such file');
  await run(page, 'echo two > two.txt');

  await wsAction(page, '#ws-rename');
  await answer(page, 'renamed');
  await expect(page.locator('#ws-select option:checked')).toHaveText('renamed');

  await wsAction(page, '#ws-reset');
  await answer(page, true);
  await expect(page.locator('#log')).toContainText('was reset to the default cluster');
  expect(await run(page, 'cat two.txt')).toContain('No such file');

  // Declining a confirmation changes nothing.
  await wsAction(page, '#ws-delete');
  await answer(page, false);
  await expect(page.locator('#ws-select option')).toHaveCount(2);

  await wsAction(page, '#ws-delete');
  await answer(page, true);
  await expect(page.locator('#log')).toContainText('Deleted workspace "renamed"; now in "default"');
  await expect(page.locator('#ws-select option')).toHaveCount(1);
  expect(await run(page, 'cat first.txt')).toContain('first');
});
