// The cluster beside the console: the panels follow every command (keys
// made, shared, deleted; logins; session keys gone at logout), files go in
// and out, the theme switches, and whatever a user typed is shown as text.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { openConsole, run, answer, showTab, logCount, logText } = require('./helpers');

const handleOf = (out) => Number((/Key Handle: (\d+)/.exec(out) || [])[1]);
const row = (page, handle) => page.locator(`#keys-body tr[data-handle="${handle}"]`);

test('the panels follow generate, share, delete, login and logout', async ({ page }) => {
  await openConsole(page);
  await expect(page.locator('#keys-body tr')).toHaveCount(7);
  await expect(page.locator('#keys-count')).toHaveText('7');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await showTab(page, 'users');
  await expect(page.locator('#users-body tr', { hasText: 'example_user' })).toContainText('logged in');
  await showTab(page, 'keys');

  // A new key appears, highlighted as the one just made, with its details.
  const aes = handleOf(await run(page, 'genSymKey -t 31 -s 32 -l panel-aes'));
  await expect(row(page, aes)).toHaveClass(/touched/);
  await expect(row(page, aes)).toContainText('panel-aes');
  await expect(row(page, aes)).toContainText('AES 256');
  await expect(row(page, aes)).toContainText('secret');
  await expect(row(page, aes)).toContainText('example_user (3)');
  await expect(row(page, aes)).toContainText('token');
  await expect(row(page, aes)).toContainText('extractable');
  await expect(page.locator('#keys-count')).toHaveText('8');
  const pair = await run(page, 'genRSAKeyPair -m 2048 -e 65537 -l panel-rsa -nex');
  const [, pub, priv] = /public key handle: (\d+)\s+private key handle: (\d+)/.exec(pair);
  await expect(page.locator('#keys-body tr.touched')).toHaveCount(2);
  await expect(row(page, aes)).not.toHaveClass(/touched/);
  await expect(row(page, priv)).toContainText('RSA 2048');
  await expect(row(page, priv)).toContainText('private');
  await expect(row(page, priv)).toContainText('not extractable');
  await expect(row(page, pub)).toContainText('public');
  await run(page, 'exit');

  // Shared with alice through cloudhsm_mgmt_util.
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CU example_user password');
  await run(page, `shareKey ${aes} 4 1`);
  await run(page, 'y');
  await expect(row(page, aes)).toContainText('shared with alice (4)');
  await run(page, 'quit');

  // Deleted: the row goes. Logged out: the session key goes, and the user
  // is no longer logged in.
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, `deleteKey -k ${pub}`)).toContain('HSM Return: SUCCESS');
  await expect(row(page, pub)).toHaveCount(0);
  const sess = handleOf(await run(page, 'genSymKey -t 31 -s 16 -sess -l panel-session'));
  await expect(row(page, sess)).toContainText('session');
  await run(page, 'logoutHSM');
  await expect(row(page, sess)).toHaveCount(0);
  await expect(row(page, aes)).toHaveCount(1);
  await showTab(page, 'users');
  await expect(page.locator('#users-body')).not.toContainText('logged in');

  // A wrong password counts as a failed login.
  await run(page, 'loginHSM -u CU -s alice -p wrong');
  await expect(page.locator('#users-body tr', { hasText: 'alice' }).locator('td').nth(4)).toHaveText('1');

  // The HSMs: up and in sync.
  await showTab(page, 'hsms');
  await expect(page.locator('#nodes-list li')).toHaveCount(3);
  await expect(page.locator('#nodes-list li').first()).toContainText('up');
  await expect(page.locator('#nodes-list li').first()).toContainText('in sync');
  await expect(page.locator('#nodes-list')).toContainText('10.0.2.9');

  // The filter narrows the keys.
  await showTab(page, 'keys');
  await page.fill('#keys-filter', 'panel');
  await expect(page.locator('#keys-body tr')).toHaveCount(2);
  await page.fill('#keys-filter', '');
  await expect(page.locator('#keys-body tr')).toHaveCount(9);
});

test('a file uploaded, imported with imSymKey, exported and downloaded', async ({ page }, testInfo) => {
  await openConsole(page);
  const key = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
  const up = testInfo.outputPath('mine.key');
  fs.writeFileSync(up, key);
  await page.setInputFiles('#file-input', up);
  await expect(page.locator('#log')).toContainText('Uploaded mine.key (32 bytes).');
  await expect(page.locator('#files-panel')).toBeVisible();
  const item = page.locator('#file-list li[data-name="mine.key"]');
  await expect(item).toContainText('32 B');
  // Binary: previewed as hex.
  await item.getByRole('button', { name: 'Preview mine.key' }).click();
  await expect(item.locator('.preview')).toContainText('000000  00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff');

  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const wrap = handleOf(await run(page, 'genSymKey -t 31 -s 16 -sess -l wrap'));
  const imported = await run(page, `imSymKey -f mine.key -t 31 -l from-upload -w ${wrap}`);
  expect(imported).toContain('Symmetric Key Unwrapped.');
  const h = handleOf(imported);
  await showTab(page, 'keys');
  await expect(row(page, h)).toContainText('from-upload');
  await expect(row(page, h)).toHaveClass(/touched/);
  expect(await run(page, `exSymKey -k ${h} -out mine.exp -w ${wrap}`)).toContain('written to file "mine.exp"');

  await showTab(page, 'files');
  for (const [name, want] of [['mine.key', key], ['mine.exp', key]]) {
    const li = page.locator(`#file-list li[data-name="${name}"]`);
    const [dl] = await Promise.all([page.waitForEvent('download'), li.getByRole('button', { name: `Download ${name}` }).click()]);
    expect(dl.suggestedFilename()).toBe(name);
    expect(fs.readFileSync(await dl.path()).equals(want), `${name} downloads byte for byte`).toBe(true);
  }

  // Dropped on the page: uploaded too.
  const before = await logCount(page);
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'], 'dropped.pem', { type: 'text/plain' }));
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(page.locator('#file-list li[data-name="dropped.pem"]')).toBeVisible();
  expect(await logText(page, before)).toContain('Uploaded dropped.pem');
  await expect(page.locator('#drop')).toBeHidden();
  const pem = page.locator('#file-list li[data-name="dropped.pem"]');
  await pem.getByRole('button', { name: 'Preview dropped.pem' }).click();
  await expect(pem.locator('.preview')).toHaveText('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
});

test('what users type is shown as text: labels, file names, workspace names', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await openConsole(page);
  const evil = '<img src=x onerror=alert(1)>';
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const h = handleOf(await run(page, `genSymKey -t 31 -s 16 -l "${evil}"`));
  await expect(row(page, h).locator('td.label')).toHaveText(evil);
  await run(page, 'exit');
  const file = '<b onmouseover=alert(2)>x.txt';
  expect(await run(page, `echo hi > "${file}"`)).not.toContain('rror');
  await showTab(page, 'files');
  await expect(page.locator('#file-list')).toContainText(file);
  await page.click('#ws-menu-button');
  await page.click('#ws-rename');
  await answer(page, '<script>alert(3)</script>');
  await expect(page.locator('#ws-select option:checked')).toHaveText('<script>alert(3)</script>');
  await expect(page.locator('#log')).toContainText('Renamed the workspace to "<script>alert(3)</script>"');
  // Nothing of it became markup.
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('#file-list b, #keys-body img').count()).toBe(0);
  expect(await page.locator('script', { hasText: 'alert(' }).count()).toBe(0);
  await page.locator('#file-list li').first().hover();
  expect(dialogs).toEqual([]);
  expect(problems).toEqual([]);
  // The page is served with a Content-Security-Policy that allows only its
  // own inline scripts, by hash.
  const res = await page.request.get('/');
  const csp = res.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/]{43}=')+;/);
  expect(csp).not.toContain('unsafe-inline');
});

test('the theme follows the system, and the toggle overrides it', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  await openConsole(page);
  const html = page.locator('html');
  const termBg = () => page.evaluate(() => window.hsmsim.console.term.options.theme.background);
  await expect(html).toHaveAttribute('data-theme', 'light');
  const light = await termBg();
  const bodyLight = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.click('#theme-toggle');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('#theme-toggle')).toHaveAttribute('aria-pressed', 'true');
  expect(await termBg()).not.toBe(light);
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(bodyLight);
  // The choice is kept.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await termBg()).not.toBe(light);
  // Back to light, which is the system's: it follows the system again.
  await page.click('#theme-toggle');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(html).toHaveAttribute('data-theme-choice', 'system');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await context.close();
});

test('the transcript downloads as Markdown and as a script', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'genSymKey -t 31 -s 32 -l in-transcript');
  for (const [id, ext, want] of [['#tx-markdown', '.md', 'genSymKey -t 31 -s 32 -l in-transcript'], ['#tx-script', '.txt', 'loginHSM -u CU -s example_user -p ********']]) {
    await page.click('#tx-menu-button');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    expect(dl.suggestedFilename().endsWith(ext)).toBe(true);
    const text = fs.readFileSync(await dl.path(), 'utf8');
    expect(text).toContain(want);
    expect(text).not.toContain('-p password');
  }
});
