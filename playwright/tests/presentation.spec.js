// How the console looks: colour follows the tools' status lines, not
// words in running text; selecting text breaks no CSP rule; a replay has
// no cursor.
const { test, expect } = require('@playwright/test');
const { openConsole, run } = require('./helpers');

// rowColours finds the terminal rows holding text and tells whether each
// is drawn in the default colour or in ANSI colour n.
function rowColour(page, text) {
  return page.evaluate((t) => {
    const b = window.hsmsim.console.term.buffer.active;
    for (let y = b.length - 1; y >= 0; y--) {
      const l = b.getLine(y);
      const s = l.translateToString(true);
      const at = s.indexOf(t);
      if (at < 0) continue;
      const c = l.getCell(at);
      return c.isFgDefault() ? 'default' : `ansi ${c.getFgColor()}`;
    }
    return 'missing';
  }, text);
}

test('red marks failure status lines only; the CAUTION banner is not one', async ({ page }) => {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await openConsole(page);
  await page.locator('#welcome-close').click();
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CU example_user password');
  await run(page, 'shareKey 524295 4 1');
  expect(await rowColour(page, 'nodes on which this operation is not executed or failed, please')).toBe('default');
  expect(await rowColour(page, '****CAUTION****')).toBe('default');
  await run(page, 'n');
  await run(page, 'quit');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'getKeyInfo -k 999');
  expect(await rowColour(page, 'Cfm3GetKey returned: 0xa8 : HSM Error: Invalid object handle')).toBe('ansi 1');

  const red = await page.evaluate(async () => {
    const { colourise } = await import('/console.js');
    return [
      'Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS',
      'Cfm3DeleteKey returned: 0xc6 : HSM Error: Key Access is denied',
      'loginHSM failed on server 1(10.0.3.11)',
      'shareKey failed: RET_USER_LOGIN_FAILURE',
      'creating user on server 2(10.0.1.12) failed',
      'Error: Invalid Command: foo',
      'nodes on which this operation is not executed or failed, please',
      'the request failed because',
      'bash: frob: command not found',
    ].map((l) => colourise(l).startsWith('\x1b[31m'));
  });
  expect(red).toEqual([false, true, true, true, true, true, false, false, true]);

  // Selecting all the text and a part of it with the mouse: no CSP errors
  // (the DOM renderer's cell colours go through the CSSOM).
  await page.evaluate(() => window.hsmsim.console.term.selectAll());
  const box = await page.locator('#console .xterm-screen').boundingBox();
  await page.mouse.move(box.x + 10, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  expect(await page.evaluate(() => window.hsmsim.console.term.hasSelection())).toBe(true);
  await expect(page.locator('#console .xterm-rows span[style*="background-color"]').first()).toBeAttached();
  expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
});

test('a replay embed has no cursor', async ({ page }) => {
  await page.goto('/embed.html?replay=1&lines=key_mgmt_util');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.locator('.console-screen').click();
  await expect(page.locator('.xterm-cursor')).toHaveCount(0);
  await page.goto('/embed.html?lines=key_mgmt_util');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.locator('.console-screen').click();
  await expect(page.locator('.xterm-cursor')).toHaveCount(1);
});
