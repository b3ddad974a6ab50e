// The console as a person uses it: line editing keys, history, completion,
// Ctrl-C, pasting, copying, long commands, the welcome and the plain line
// editor of phones. Keys are pressed on the terminal (xterm.js); the
// console's state is read from #console's data- attributes and its log.
const { test, expect } = require('@playwright/test');
const { openConsole, focusConsole, typeLine, run, line, prompt, logText, logCount, done, waitDone, answer, wsAction } = require('./helpers');

const con = (page) => page.locator('#console');

// cursorAt checks the line being edited and where the cursor is in it.
async function cursorAt(page, text, at) {
  await expect(con(page)).toHaveAttribute('data-line', text);
  await expect(con(page)).toHaveAttribute('data-cursor', String(at));
}

// screenRow is the text of the terminal row the cursor is on, as drawn.
function screenRow(page) {
  return page.evaluate(() => {
    const b = window.hsmsim.console.term.buffer.active;
    return b.getLine(b.baseY + b.cursorY).translateToString(true);
  });
}

// strictPage fails the test on any error the page logs (a CSP refusal, an
// exception) or any alert it raises.
function strictPage(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  return problems;
}

test('each line-editing key', async ({ page }) => {
  const problems = strictPage(page);
  await openConsole(page);
  await typeLine(page, 'cho world');
  await page.keyboard.press('Home');
  await cursorAt(page, 'cho world', 0);
  await page.keyboard.insertText('e');
  await cursorAt(page, 'echo world', 1);
  await page.keyboard.press('End');
  await cursorAt(page, 'echo world', 10);
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await cursorAt(page, 'echo world', 5);
  await page.keyboard.press('Backspace');
  await cursorAt(page, 'echoworld', 4);
  await page.keyboard.insertText(' ');
  await page.keyboard.press('Delete');
  await cursorAt(page, 'echo orld', 5);
  await page.keyboard.insertText('W');
  await page.keyboard.press('ArrowRight');
  await cursorAt(page, 'echo World', 7);
  await page.keyboard.press('Control+a');
  await cursorAt(page, 'echo World', 0);
  await page.keyboard.press('Control+e');
  await cursorAt(page, 'echo World', 10);
  await page.keyboard.press('Control+w');
  await cursorAt(page, 'echo ', 5);
  await page.keyboard.insertText('big world');
  await page.keyboard.press('Control+ArrowLeft');
  await cursorAt(page, 'echo big world', 9);
  await page.keyboard.press('Control+ArrowLeft');
  await cursorAt(page, 'echo big world', 5);
  await page.keyboard.press('Control+k');
  await cursorAt(page, 'echo ', 5);
  await page.keyboard.insertText('hello there');
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+u');
  await cursorAt(page, ' there', 0);
  await page.keyboard.insertText('echo hello');
  await cursorAt(page, 'echo hello there', 10);
  // What is drawn is the prompt and the line.
  expect(await screenRow(page)).toBe('$ echo hello there');
  const n = await done(page);
  const before = await logCount(page);
  await page.keyboard.press('Enter');
  await waitDone(page, n + 1);
  const out = await logText(page, before);
  expect(out.split('\n')[0]).toBe('$ echo hello there');
  expect(out).toContain('hello there');
  await cursorAt(page, '', 0);

  // A line longer than the terminal wraps, and editing in its middle
  // still draws it whole.
  const long = `echo ${'x'.repeat(150)} end`;
  await typeLine(page, long);
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.insertText('!');
  await cursorAt(page, `echo ${'x'.repeat(150)}! end`, long.length - 3);
  const drawn = await page.evaluate(() => {
    const b = window.hsmsim.console.term.buffer.active;
    let rows = [];
    for (let y = b.baseY + b.cursorY; y >= 0; y--) {
      const l = b.getLine(y);
      rows.unshift(l.translateToString(true));
      if (!l.isWrapped) break;
    }
    return rows.join('');
  });
  expect(drawn).toBe(`$ echo ${'x'.repeat(150)}! end`);
  await page.keyboard.press('Control+u');
  await page.keyboard.press('Control+k');
  await cursorAt(page, '', 0);
  expect(problems).toEqual([]);
});

test('history: up and down, passwords masked, per workspace, kept across a reload', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'exit');
  await focusConsole(page);
  await typeLine(page, 'draft');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('exit');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('loginHSM -u CU -s example_user -p ********');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('key_mgmt_util');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('key_mgmt_util');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  expect(await line(page)).toBe('exit');
  await page.keyboard.press('ArrowDown');
  expect(await line(page)).toBe('draft');
  await page.keyboard.press('Control+u');
  // Stored masked too: a backup holds no password.
  const stored = await page.evaluate(async () => JSON.parse(new TextDecoder().decode((await window.hsmsim.request('ws.export')).data)).history);
  expect(stored).toContain('loginHSM -u CU -s example_user -p ********');
  expect(stored.join('\n')).not.toContain('-p password');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('loginHSM -u CU -s example_user -p ********');
  await page.keyboard.press('Control+u');

  // Another workspace has its own history.
  await wsAction(page, '#ws-new');
  await answer(page, 'other');
  await expect(page.locator('#ws-select option:checked')).toHaveText('other');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('');
  await run(page, 'ls');
  await page.selectOption('#ws-select', { label: 'default' });
  await expect(page.locator('#log')).toContainText('Switched to workspace "default"');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('exit');
});

test('Tab completes commands, flags, handles, users and files; a list when ambiguous', async ({ page }) => {
  await openConsole(page);
  // One candidate: completed, with a blank after it.
  await typeLine(page, 'cloudhsm_m');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'cloudhsm_mgmt_util ');
  await page.keyboard.press('Control+u');
  await typeLine(page, 'cat rsa2048.p');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'cat rsa2048.pub ');
  await page.keyboard.press('Control+u');
  // Several: completed as far as they agree, then listed.
  await typeLine(page, 'cat rs');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'cat rsa2048.');
  const before = await logCount(page);
  await page.keyboard.press('Tab');
  await expect(page.locator('#log .completions').last()).toHaveText('rsa2048.key  rsa2048.pub');
  expect(await logCount(page)).toBe(before + 1);
  // The line is still there, after a fresh prompt.
  await expect(con(page)).toHaveAttribute('data-line', 'cat rsa2048.');
  expect(await screenRow(page)).toBe('$ cat rsa2048.');
  await page.keyboard.press('Control+u');

  await run(page, 'key_mgmt_util');
  await typeLine(page, 'genSym');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'genSymKey ');
  await page.keyboard.press('Control+u');
  await typeLine(page, 'loginHSM -u CU -s ali');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'loginHSM -u CU -s alice ');
  await page.keyboard.press('Control+u');
  await typeLine(page, 'getKeyInfo -k 52430');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'getKeyInfo -k 524303 ');
  await page.keyboard.press('Control+u');
  await typeLine(page, 'imSymKey -f aes');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'imSymKey -f aes256.key ');
  await page.keyboard.press('Control+u');
  await typeLine(page, 'gen');
  await page.keyboard.press('Tab');
  await expect(page.locator('#log .completions').last()).toContainText('genRSAKeyPair');
  await expect(page.locator('#log .completions').last()).toContainText('genSymKey');
  await expect(con(page)).toHaveAttribute('data-line', 'gen');
});

test('Ctrl-C drops the line, refuses a question, and Ctrl-L clears the screen', async ({ page }) => {
  await openConsole(page);
  const n = await done(page);
  await typeLine(page, 'genSymKey -t 31');
  await page.keyboard.press('Control+c');
  await expect(con(page)).toHaveAttribute('data-line', '');
  await expect(page.locator('#log')).toContainText('$ genSymKey -t 31^C');
  expect(await done(page), 'nothing ran').toBe(n);
  expect(await prompt(page)).toBe('$ ');

  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CO admin password');
  expect(await run(page, 'createUser CU dave password1')).toContain('****CAUTION****');
  expect(await prompt(page)).toBe('Do you want to continue(y/n)?');
  await typeLine(page, 'y');
  await page.keyboard.press('Control+c');
  await expect(con(page)).toHaveAttribute('data-prompt', 'aws-cloudhsm>');
  await expect(page.locator('#log')).toContainText('Do you want to continue(y/n)?y^C');
  // The question was refused: no user dave.
  expect(await run(page, 'listUsers')).not.toContain('dave');

  await page.keyboard.press('Control+l');
  await expect(page.locator('#log > *')).toHaveCount(0);
  // The terminal parses what it is given on its next frame: read it once it has.
  await expect.poll(() => page.evaluate(() => window.hsmsim.console.term.buffer.active.getLine(0).translateToString(true))).toBe('aws-cloudhsm>');
  await run(page, 'quit');
});

test('pasting several lines runs them in order; a selection copies', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openConsole(page);
  const n = await done(page);
  const before = await logCount(page);
  await focusConsole(page);
  await page.evaluate((text) => {
    const ta = document.querySelector('#console .xterm-helper-textarea');
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, 'key_mgmt_util\nloginHSM -u CU -s example_user -p password\r\ngenSymKey -t 31 -s 32 -l pasted\nexit\n');
  await waitDone(page, n + 4);
  const out = await logText(page, before);
  const echoed = out.split('\n').filter((l) => /^(\$ |Command: )/.test(l));
  expect(echoed).toEqual(['$ key_mgmt_util', 'Command: loginHSM -u CU -s example_user -p password', 'Command: genSymKey -t 31 -s 32 -l pasted', 'Command: exit']);
  expect(out).toContain('Symmetric Key Created.');
  await expect(page.locator('#keys-body')).toContainText('pasted');
  expect(await prompt(page)).toBe('$ ');

  // Select the terminal's text and press Ctrl-C: it is copied, and the line
  // being typed is not dropped.
  await typeLine(page, 'keep me');
  await page.evaluate(() => window.hsmsim.console.term.selectAll());
  await page.keyboard.press('Control+c');
  await expect(con(page)).toHaveAttribute('data-line', 'keep me');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('Command: genSymKey -t 31 -s 32 -l pasted');
  await page.keyboard.press('Control+u');
});

test('a long command shows a spinner with the time, and what is typed meanwhile waits its turn', async ({ page }) => {
  await openConsole(page, '?seed=3');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const n = await done(page);
  const before = await logCount(page);
  await typeLine(page, 'genRSAKeyPair -m 4096 -e 65537 -l big-rsa');
  await page.keyboard.press('Enter');
  const spinner = page.locator('#console .console-busy');
  await expect(spinner).toBeVisible();
  await expect(spinner).toHaveText(/running… \d+\.\d s/);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'busy');
  // The page does not freeze: the panels answer clicks meanwhile.
  await page.click('#tab-users');
  await expect(page.locator('#users-panel')).toBeVisible();
  await page.click('#tab-keys');
  // Typed while it runs: held, then run after it.
  await focusConsole(page);
  await page.keyboard.insertText('findKey -l big-rsa');
  await page.keyboard.press('Enter');
  expect(await done(page)).toBe(n);
  await waitDone(page, n + 2, 120_000);
  await expect(spinner).toBeHidden();
  const out = await logText(page, before);
  const echoed = out.split('\n').filter((l) => l.startsWith('Command: '));
  expect(echoed).toEqual(['Command: genRSAKeyPair -m 4096 -e 65537 -l big-rsa', 'Command: findKey -l big-rsa']);
  expect(out).toContain('Total number of keys present 2');
  await expect(page.locator('#keys-body')).toContainText('RSA 4096');
});

test('the welcome: what this is, users, three commands to start, the references', async ({ page }) => {
  await openConsole(page);
  const w = page.locator('#welcome');
  await expect(w).toBeVisible();
  await expect(w).toContainText('example_user');
  await expect(w.locator('a[href="https://docs.aws.amazon.com/cloudhsm/latest/userguide/key_mgmt_util-reference.html"]')).toBeVisible();
  await expect(w.locator('a[href="https://docs.aws.amazon.com/cloudhsm/latest/userguide/cloudhsm_mgmt_util-reference.html"]')).toBeVisible();
  await expect(w.locator('.try')).toHaveCount(3);
  await w.locator('.try', { hasText: 'key_mgmt_util' }).click();
  await expect(con(page)).toHaveAttribute('data-line', 'key_mgmt_util');
  // The click left the keyboard in the console: Enter runs it.
  const n = await done(page);
  await page.keyboard.press('Enter');
  await waitDone(page, n + 1);
  expect(await prompt(page)).toBe('Command: ');
  await w.locator('.try', { hasText: 'loginHSM' }).click();
  await expect(con(page)).toHaveAttribute('data-line', 'loginHSM -u CU -s example_user -p password');
  await page.keyboard.press('Enter');
  await waitDone(page, n + 2);
  await w.locator('.try', { hasText: 'findKey' }).click();
  await page.keyboard.press('Enter');
  await waitDone(page, n + 3);
  await expect(page.locator('#log')).toContainText('Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS');

  await page.click('#welcome-close');
  await expect(w).toBeHidden();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await expect(w).toBeHidden();
  await page.click('#welcome-toggle');
  await expect(w).toBeVisible();
  await expect(page.locator('#welcome-toggle')).toHaveAttribute('aria-expanded', 'true');
  expect(await run(page, 'help')).toContain('key_mgmt_util');
});

test('keyboard only: skip link, menus, tabs', async ({ page }) => {
  await openConsole(page);
  // The skip link comes first and puts the keyboard in the console.
  await page.locator('#welcome-close').click();
  await page.locator('.skip').focus();
  await expect(page.locator('.skip')).toBeVisible();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(page.locator('.skip')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#console .xterm-helper-textarea')).toBeFocused();
  // The menus open from the keyboard, move with the arrows, close with Escape.
  await page.locator('#ws-menu-button').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#ws-menu')).toBeVisible();
  await expect(page.locator('#ws-new')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#ws-rename')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.locator('#ws-menu')).toBeHidden();
  await expect(page.locator('#ws-menu-button')).toBeFocused();
  // Tabs move with the arrow keys.
  await page.locator('#tab-keys').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#tab-users')).toBeFocused();
  await expect(page.locator('#users-panel')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#hsms-panel')).toBeVisible();
  await expect(page.locator('#nodes-list li')).toHaveCount(3);
  // Every control has a name for assistive technology.
  const unnamed = await page.$$eval('button, select, input:not([type="file"])', (els) => els
    .filter((e) => e.offsetParent !== null)
    .filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim() || (e.labels && e.labels.length)))
    .map((e) => e.outerHTML.slice(0, 80)));
  expect(unnamed).toEqual([]);
});

test('on a phone, a plain input line', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto('/?input=line');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  const input = page.locator('#console .console-line input');
  await expect(input).toBeVisible();
  await expect(page.locator('#console .console-line-prompt')).toHaveText('$ ');
  await input.fill('key_mgmt_util');
  await input.press('Enter');
  await waitDone(page, 1);
  await expect(page.locator('#console .console-line-prompt')).toHaveText('Command: ');
  await input.fill('loginHSM -u CU -s example_user -hpswd');
  await input.press('Enter');
  await waitDone(page, 2);
  await expect(input).toHaveAttribute('type', 'password');
  await input.fill('password');
  await input.press('Enter');
  await waitDone(page, 3);
  await expect(page.locator('#log')).toContainText('Cfm3LoginHSM returned: 0x00');
  await expect(page.locator('#log')).not.toContainText('Enter password: password');
  await input.fill('genSym');
  await input.press('Tab');
  await expect(input).toHaveValue('genSymKey ');
  await input.fill('');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('loginHSM -u CU -s example_user -hpswd');
  // The panels fold away; a tab opens one, and closes it again.
  await expect(page.locator('#keys-panel')).toBeHidden();
  await page.click('#tab-keys');
  await expect(page.locator('#keys-panel')).toBeVisible();
  await page.click('#tab-keys');
  await expect(page.locator('#keys-panel')).toBeHidden();
  await context.close();
});
