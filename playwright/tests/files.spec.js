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

test('a folder made in the console shows in the files panel and downloads', async ({ page }) => {
  await openConsole(page);
  await run(page, 'mkdir keys');
  await run(page, 'openssl rand -out keys/aes256-forImport.key 32');
  await run(page, 'cd keys');
  expect(await run(page, 'pwd')).toContain('/keys');
  await run(page, 'echo hello > note.txt');
  await run(page, 'cd /');
  await showTab(page, 'files');

  // The folder and, indented under it, its files by their own names.
  const folder = page.locator('#file-list li[data-dir="true"][data-name="keys"]');
  await expect(folder).toContainText('keys/');
  const key = page.locator('#file-list li[data-name="keys/aes256-forImport.key"]');
  await expect(key).toContainText('aes256-forImport.key');
  await expect(key).toContainText('32 B');
  const note = page.locator('#file-list li[data-name="keys/note.txt"]');
  await expect(note).toBeVisible();
  const pad = await key.evaluate((li) => getComputedStyle(li).paddingInlineStart);
  expect(parseFloat(pad)).toBeGreaterThan(0);

  // A file of the folder downloads by its name, byte for byte.
  const [one] = await Promise.all([page.waitForEvent('download'), note.getByRole('button', { name: 'Download keys/note.txt' }).click()]);
  expect(one.suggestedFilename()).toBe('note.txt');
  expect(fs.readFileSync(await one.path(), 'utf8')).toBe('hello\n');

  // The folder downloads as a zip archive whose entries keep the paths.
  const [zip] = await Promise.all([page.waitForEvent('download'), folder.getByRole('button', { name: 'Download folder keys as a zip archive' }).click()]);
  expect(zip.suggestedFilename()).toBe('keys.zip');
  const bytes = fs.readFileSync(await zip.path());
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  const names = bytes.toString('latin1');
  expect(names).toContain('keys/aes256-forImport.key');
  expect(names).toContain('keys/note.txt');

  // Folders are kept across a reload, and go with everything in them.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await showTab(page, 'files');
  await expect(page.locator('#file-list li[data-name="keys/note.txt"]')).toBeVisible();
  await page.locator('#file-list li[data-name="keys"]').getByRole('button', { name: 'Delete folder keys' }).click();
  await answer(page, true);
  await expect(page.locator('#file-list li[data-name="keys"]')).toHaveCount(0);
  await expect(page.locator('#file-list li[data-name="keys/note.txt"]')).toHaveCount(0);
  expect(await run(page, 'ls keys')).toContain('No such file or directory');
});
