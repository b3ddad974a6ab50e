// The workspace's files from the page: upload, download, delete.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, answer, showTab } = require('./helpers');

test('upload, download and delete a file', async ({ page }, testInfo) => {
  await openConsole(page);
  const up = testInfo.outputPath('uploaded.pem');
  const text = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
  fs.writeFileSync(up, text);
  await page.setInputFiles('#file-input', up);
  await expect(page.locator('#log')).toContainText(`Uploaded uploaded.pem (${text.length} bytes).`);
  await expect(page.locator('#file-list')).toContainText('uploaded.pem');
  expect(await run(page, 'cat uploaded.pem')).toContain('-----BEGIN PUBLIC KEY-----');

  // A file a tool wrote, downloaded byte for byte.
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'exportPubKey -k 524289 -out alice.pub');
  await run(page, 'exit');
  await showTab(page, 'files');
  const item = page.locator('#file-list li', { hasText: 'alice.pub' });
  const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('button', { name: 'Download alice.pub' }).click()]);
  expect(download.suggestedFilename()).toBe('alice.pub');
  const got = fs.readFileSync(await download.path(), 'utf8');
  expect(got).toContain('-----BEGIN PUBLIC KEY-----');
  expect(await run(page, 'cat alice.pub')).toContain(got.trim().split('\n')[1]);

  await page.locator('#file-list li', { hasText: 'uploaded.pem' }).getByRole('button', { name: 'Delete uploaded.pem' }).click();
  await answer(page, true);
  await expect(page.locator('#file-list')).not.toContainText('uploaded.pem');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('#file-list')).toContainText('alice.pub');
  await expect(page.locator('#file-list')).not.toContainText('uploaded.pem');
});
