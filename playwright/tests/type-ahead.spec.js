// Typing before the engine is ready: the prompt is drawn and edits keys
// while engine.wasm is still on its way (held back here by a route), a
// status line says the engine is loading, and the lines entered meanwhile
// run in order once it is, each answer after its own prompt and line. The
// same in an embed. Behaviour only: nothing here is timed.
const { test, expect } = require('@playwright/test');
const { focusConsole, waitDone, run, openConsole } = require('./helpers');

// The service worker would answer engine.wasm from its cache, out of the
// route's reach.
test.use({ serviceWorkers: 'block' });

// hold keeps every request for what pattern names waiting until the
// returned function is called.
async function hold(context, pattern) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await context.route(pattern, async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

// holdEngine holds engine.wasm back.
const holdEngine = (context) => hold(context, '**/engine.wasm');

// steps reads the console's log as the lines typed (with their prompts)
// and the outputs, in order; the page's own notices are left out.
function steps(page, log = '#log') {
  return page.$$eval(`${log} > .entry, ${log} > pre.output`, (els) => els.map((e) => e.textContent));
}

const OK3 = [
  'Node id 0 and err state 0x00000000 : HSM Return: SUCCESS',
  'Node id 1 and err state 0x00000000 : HSM Return: SUCCESS',
  'Node id 2 and err state 0x00000000 : HSM Return: SUCCESS',
];
const LINES = [
  'key_mgmt_util',
  'loginHSM -u CU -s example_user -p password',
  'genSymKey -t 31 -s 32 -l ahead',
  'findKey -l ahead',
];
// What the lines print, as the native tool prints them for the same lines.
const EXPECTED = [
  '$ key_mgmt_util',
  'Command: loginHSM -u CU -s example_user -p password',
  ['Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS', 'Cluster Status', ...OK3].join('\n'),
  'Command: genSymKey -t 31 -s 32 -l ahead',
  ['Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS', 'Symmetric Key Created.  Key Handle: 524295', 'Cluster Error Status', ...OK3].join('\n'),
  'Command: findKey -l ahead',
  ['Total number of keys present 1', ' number of keys matched from start index 0::0', '524295', 'Cluster Error Status', ...OK3, 'Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS'].join('\n'),
];

test('lines typed while the engine loads run in order once it is ready', async ({ page, context }) => {
  const release = await holdEngine(context);
  await page.goto('/');
  const con = page.locator('#console');
  await expect(con).toHaveAttribute('data-accepts', 'true');
  await expect(con).toHaveAttribute('data-engine', 'loading');
  const note = con.locator('.console-loading');
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('aria-live', 'polite');
  await expect(note).toHaveAttribute('role', 'status');
  await expect(note).toContainText('Loading the engine');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'loading');
  await expect(con).toHaveAttribute('data-prompt', '$ ');

  // The line is edited before the engine is there.
  await focusConsole(page);
  await page.keyboard.insertText('key_mgmt_utix');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText('l');
  await expect(con).toHaveAttribute('data-line', 'key_mgmt_util');
  await page.keyboard.press('Enter');
  // Entered: it waits at its prompt for the engine.
  await expect.poll(() => steps(page)).toEqual(['$ key_mgmt_util']);
  for (const l of LINES.slice(1)) {
    await page.keyboard.insertText(l);
    await page.keyboard.press('Enter');
  }
  // Still loading, nothing answered, and the lines after the first are
  // kept (not drawn) until its answer.
  await expect(con).toHaveAttribute('data-engine', 'loading');
  await expect(con).toHaveAttribute('data-done', '0');
  expect(await steps(page)).toEqual(['$ key_mgmt_util']);

  release();
  await waitDone(page, LINES.length);
  await expect(note).toBeHidden();
  await expect(con).toHaveAttribute('data-engine', 'ready');
  expect(await steps(page)).toEqual(EXPECTED);
  await expect(con).toHaveAttribute('data-prompt', 'Command: ');
  // And the console goes on as usual.
  const out = await run(page, 'findKey -l ahead');
  expect(out).toContain('524295');
});

test('Up recalls the stored history and Tab completes before the engine is ready', async ({ page, context }) => {
  await openConsole(page);
  await run(page, 'pwd');
  const release = await holdEngine(context);
  await page.reload();
  const con = page.locator('#console');
  await expect(con).toHaveAttribute('data-accepts', 'true');
  await expect(con).toHaveAttribute('data-engine', 'loading');
  await focusConsole(page);
  // The history comes from IndexedDB ahead of the engine.
  await page.keyboard.press('ArrowUp');
  await expect(con).toHaveAttribute('data-line', 'pwd');
  await expect(con).toHaveAttribute('data-engine', 'loading');
  await page.keyboard.press('Control+u');
  await page.keyboard.insertText('key_mgmt_u');
  // Tab waits for the engine; what follows it waits for Tab.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText('loginHSM -u CU -s example_user -p password');
  await page.keyboard.press('Enter');
  await expect(con).toHaveAttribute('data-line', 'key_mgmt_u');
  release();
  await waitDone(page, 2);
  // Completion ended the word with a blank, as it does after the engine.
  expect(await steps(page)).toEqual(['$ key_mgmt_util ', ...EXPECTED.slice(1, 3)]);
});

test('an embed takes keys before its engine is ready, and runs them in order', async ({ page, context }) => {
  const release = await holdEngine(context);
  await page.goto('/embed.html');
  const con = page.locator('#embed-console');
  await expect(con).toHaveAttribute('data-accepts', 'true');
  await expect(con.locator('.console-loading')).toBeVisible();
  await page.locator('#embed-console .xterm-helper-textarea').focus();
  for (const l of LINES) {
    await page.keyboard.insertText(l);
    await page.keyboard.press('Enter');
  }
  await expect.poll(() => steps(page, '#embed-console .console-log')).toEqual(['$ key_mgmt_util']);
  release();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await expect(con).toHaveAttribute('data-done', String(LINES.length));
  await expect(con.locator('.console-loading')).toBeHidden();
  expect(await steps(page, '#embed-console .console-log')).toEqual(EXPECTED);
});

test('an embed that runs a tool first keeps what was typed until it ran', async ({ page, context }) => {
  const release = await holdEngine(context);
  await page.goto('/embed.html?tool=key_mgmt_util');
  const con = page.locator('#embed-console');
  await expect(con.locator('.xterm-helper-textarea')).toBeAttached();
  await expect(con.locator('.console-loading')).toBeVisible();
  await page.locator('#embed-console .xterm-helper-textarea').focus();
  await page.keyboard.insertText(LINES[1]);
  await page.keyboard.press('Enter');
  release();
  await expect(con).toHaveAttribute('data-done', '2');
  expect(await steps(page, '#embed-console .console-log')).toEqual(EXPECTED.slice(0, 3));
});

test('the page draws its prompt before the terminal loads, and the terminal takes what was typed there', async ({ page, context }) => {
  const release = await holdEngine(context);
  const releaseTerm = await hold(context, '**/vendor/xterm.js');
  await page.goto('/');
  const boot = page.locator('#console .boot-console');
  await expect(boot).toBeVisible();
  // The greeting and the prompt, and the keyboard is there already.
  await expect(boot.locator('.boot-greeting')).toHaveText(/^› hsmsim — a simulated AWS CloudHSM cluster\./);
  await expect(page.locator('#console .boot-input')).toBeFocused();
  await expect(page.locator('#console .xterm')).toHaveCount(0);
  // Edited as the terminal edits: a typo mended, a word put in front.
  await page.keyboard.type('mgmt_utiX');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('l');
  await page.keyboard.press('Home');
  await page.keyboard.type('key_');
  await expect(boot.locator('.boot-line').last()).toHaveText('$ key_mgmt_util ');
  await page.keyboard.press('Enter');
  // A pasted line and a line typed with a key the page cannot act on yet
  // (Tab completes once the terminal and the engine are there).
  await page.evaluate((text) => {
    const input = document.querySelector('#console .boot-input');
    input.value = text;
    input.dispatchEvent(new InputEvent('input', { inputType: 'insertFromPaste', data: text }));
  }, `${LINES[1]}\n`);
  await page.keyboard.type('genSymKey -t 31 -s 32 -l ahead');
  await page.keyboard.press('Enter');
  await page.keyboard.type('findK');
  await page.keyboard.press('Tab');
  await page.keyboard.type('-l ahead');
  await page.keyboard.press('Enter');
  await expect(boot.locator('.boot-line')).toHaveText([
    '$ key_mgmt_util', `$ ${LINES[1]}`, `$ ${LINES[2]}`, '$ findK-l ahead', '$  ',
  ]);

  // The terminal comes: the page's prompt is gone, the keyboard moved to
  // the terminal, and the first line waits there for the engine.
  releaseTerm();
  await expect(page.locator('#console .xterm')).toHaveCount(1);
  await expect(boot).toHaveCount(0);
  await expect(page.locator('#console .xterm-helper-textarea')).toBeFocused();
  await expect.poll(() => steps(page)).toEqual(['$ key_mgmt_util']);
  await expect(page.locator('#console')).toHaveAttribute('data-done', '0');

  release();
  await waitDone(page, LINES.length);
  // The same lines and answers as typed in the terminal itself; Tab
  // completed findK to findKey and its blank.
  expect(await steps(page)).toEqual(EXPECTED);
});

test('an embed draws its prompt before its terminal loads, in its theme, unless a tool or lines come first', async ({ page, context }) => {
  const release = await holdEngine(context);
  const releaseTerm = await hold(context, '**/vendor/xterm.js');
  await page.goto('/embed.html?theme=light');
  const boot = page.locator('#embed-console .boot-console');
  await expect(boot).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(boot).toHaveCSS('color', 'rgb(35, 39, 46)');
  await expect(page.locator('#embed-console .boot-input')).toBeFocused();
  for (const l of LINES) {
    await page.keyboard.type(l);
    await page.keyboard.press('Enter');
  }
  await expect(boot.locator('.boot-line')).toHaveText([...LINES.map((l) => `$ ${l}`), '$  ']);
  releaseTerm();
  await expect(boot).toHaveCount(0);
  await expect.poll(() => steps(page, '#embed-console .console-log')).toEqual(['$ key_mgmt_util']);
  release();
  await expect(page.locator('#embed-console')).toHaveAttribute('data-done', String(LINES.length));
  expect(await steps(page, '#embed-console .console-log')).toEqual(EXPECTED);

  // With a tool first, the first prompt is the tool's: nothing is drawn
  // before the terminal.
  await page.goto('/embed.html?tool=key_mgmt_util');
  await expect(page.locator('#embed-console .xterm')).toHaveCount(1);
  await expect(page.locator('#embed-console .boot-console')).toHaveCount(0);
});
