// Share: a link through the API (POST /api/share of hsmsim serve), opened
// in a fresh browser; a link that carries the workspace itself when no API
// answers; an unknown link; a link declined.
const { test, expect } = require('@playwright/test');
const { openConsole, run, answer, focusConsole, line } = require('./helpers');

// makeShared prepares a workspace worth sharing and returns the link the
// Share button gives.
async function makeShared(page, label) {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, `genSymKey -t 31 -s 32 -l ${label}`);
  await run(page, 'exit');
  await run(page, `echo shared note > ${label}.txt`);
  await page.click('#share');
  const dlg = page.locator('dialog#ask');
  await expect(dlg).toBeVisible();
  await expect(dlg).toContainText('Share this workspace');
  const link = await dlg.locator('#ask-input').inputValue();
  await answer(page, false);
  await expect(page.locator('#log')).toContainText(`Share link: ${link}`);
  return link;
}

// openShared opens link in a new browser context (another person) and
// accepts the question.
async function openShared(browser, link, label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  const dlg = page.locator('dialog#ask');
  await expect(dlg).toBeVisible();
  await expect(dlg).toContainText('Open a shared workspace?');
  await expect(dlg).toContainText('opens as a new workspace; "default" stays as it is');
  await answer(page, true);
  await expect(page.locator('#log')).toContainText('Opened the shared workspace as "shared');
  await expect(page.locator('#ws-select option')).toHaveCount(2);
  await expect(page.locator('#ws-select option:checked')).toHaveText(/^shared/);
  // The address no longer holds the link: a reload does not ask again.
  expect(page.url()).not.toContain('share');
  expect(await run(page, `cat ${label}.txt`)).toContain('shared note');
  await expect(page.locator('#keys-body')).toContainText(label);
  // The history came along, its password hidden.
  await focusConsole(page);
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe(`genSymKey -t 31 -s 32 -l ${label}`);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('loginHSM -u CU -s example_user -p ********');
  await page.keyboard.press('Control+u');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, `findKey -l ${label}`)).toContain('Total number of keys present 1');
  return { context, page };
}

test('Share stores the workspace through the API; the link opens it in a fresh browser', async ({ page, browser }) => {
  const link = await makeShared(page, 'via-api');
  expect(link).toMatch(/\/\?share=[0-9A-Za-z]{12}$/);
  const { context } = await openShared(browser, link, 'via-api');
  await context.close();
});

test('without an API, the link carries the workspace itself', async ({ page, browser }) => {
  // A static host: POST /api/share is not there.
  await page.route('**/api/share', (route) => route.fulfill({ status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' }));
  const link = await makeShared(page, 'in-link');
  expect(link).toMatch(/\/#share=[zj]\.[A-Za-z0-9_-]+$/);
  expect(link).not.toContain('password');
  const { context } = await openShared(browser, link, 'in-link');
  await context.close();
});

test('an unknown link says so; a declined one changes nothing', async ({ page }) => {
  await openConsole(page, '?share=AAAAAAAAAAAA');
  await expect(page.locator('#log')).toContainText('The shared workspace cannot be opened: the share link "AAAAAAAAAAAA" is unknown');
  await expect(page.locator('#ws-select option')).toHaveCount(1);

  const link = await makeShared(page, 'declined');
  await page.goto(link);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await answer(page, false);
  await expect(page.locator('#log')).toContainText('The shared workspace was not opened.');
  await expect(page.locator('#ws-select option')).toHaveCount(1);
  expect(page.url()).not.toContain('share=');
});

test('a damaged link in the address says it is damaged', async ({ page }) => {
  // A compressed link cut short when it was copied.
  await openConsole(page, '#share=z.80A5AbpyBKRLz8zNKEgsKknNzU1VsjUGAA');
  await expect(page.locator('#log')).toContainText('The shared workspace cannot be opened: the link is damaged (cut short or changed when it was copied); ask for it again.');
  await expect(page.locator('#log')).not.toContainText('Failed to fetch');
  await expect(page.locator('#ws-select option')).toHaveCount(1);
});

test('the page hides passwords in history as the server does', async ({ page }) => {
  await openConsole(page);
  const lines = [
    'loginHSM -u CU -s example_user -p password',
    "loginHSM -p 'two words' -u CU -s alice",
    'loginHSM -u CU -s example_user -hpswd',
    '/opt/cloudhsm/bin/key_mgmt_util singlecmd loginHSM -u CU -s example_user -p pw genSymKey -l aes -t 31 -s 32',
    'loginHSM CO admin co12345',
    'loginHSM CU alice "pa ss" -2fa /tmp/auth',
    'createUser CU bob secret123',
    'changePswd CU bob newpass',
    'user create --username x --role crypto-user --password hunter2',
    'openssl genrsa -aes256 -passout pass:s3cret -out k.pem 2048',
    'openssl enc -aes-256-cbc -k secret -in a -out b',
    "createUser CU bob 'unterminated pw",
    'genSymKey -t 31 -s 32 -l aes256',
  ];
  const { mine, server } = await page.evaluate(async (ls) => {
    // What the page keeps: each line as the engine's exec reply masks it.
    const mine = [];
    for (const line of ls) {
      const r = await window.hsmsim.request('exec', { line });
      mine.push(r.masked);
      if (r.asking) await window.hsmsim.request('interrupt');
      if (r.mode !== 'host') await window.hsmsim.request('exec', { line: r.mode === 'cloudhsm_mgmt_util' ? 'quit' : 'exit' });
    }
    const backup = JSON.parse(new TextDecoder().decode((await window.hsmsim.request('ws.export')).data));
    const post = await fetch('/api/share', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: backup.state, history: ls }) });
    const { id } = await post.json();
    const doc = await (await fetch(`/api/share/${id}`)).json();
    return { mine, server: doc.history };
  }, lines);
  expect(mine).toEqual(server);
  expect(mine.join('\n')).not.toMatch(/password$|co12345|secret|hunter2|s3cret|newpass/);
});
