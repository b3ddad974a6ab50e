// Small screens and zoom: on a 375×740 phone the console keeps at least 12
// rows once the welcome is closed, and the prompt is in view on load; at
// 200 % zoom (a 1280×800 window, so 640×400 CSS pixels) too. Status lines
// wrap between words; the storage notice is said once, calmly. The
// screenshots go to playwright/artifacts/ for a person to look at.
const path = require('path');
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { run } = require('./helpers');

const OUT = path.join(__dirname, '..', 'artifacts');
fs.mkdirSync(OUT, { recursive: true });

// promptInView checks that the row the cursor is on (the prompt) is drawn
// inside the window.
async function promptInView(page) {
  const r = await page.evaluate(() => {
    const t = window.hsmsim.console.term;
    const row = document.querySelectorAll('#console .xterm-rows > div')[t.buffer.active.cursorY];
    const box = row.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, height: innerHeight, width: innerWidth, left: box.left, text: row.textContent };
  });
  expect(r.top, 'the prompt row starts inside the window').toBeGreaterThanOrEqual(0);
  expect(r.bottom, 'the prompt row ends inside the window').toBeLessThanOrEqual(r.height);
  expect(r.left).toBeLessThan(r.width);
  return r;
}

const cases = [
  { name: 'phone-375x740', viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 },
  { name: 'zoom-200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
];

for (const c of cases) {
  for (const colorScheme of ['light', 'dark']) {
    test(`${c.name} ${colorScheme}: the prompt in view with the welcome open and closed`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: c.viewport, deviceScaleFactor: c.deviceScaleFactor, colorScheme });
      const page = await context.newPage();
      await page.goto('/');
      await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
      await expect(page.locator('#welcome')).toBeVisible();
      await promptInView(page);
      await page.screenshot({ path: path.join(OUT, `${c.name}-${colorScheme}-welcome.png`) });
      await page.click('#welcome-close');
      await run(page, 'key_mgmt_util');
      await run(page, 'loginHSM -u CU -s example_user -p password');
      await promptInView(page);
      const rows = await page.evaluate(() => window.hsmsim.console.term.rows);
      if (c.name.startsWith('phone')) expect(rows, 'rows of the console at 375×740').toBeGreaterThanOrEqual(12);
      else expect(rows).toBeGreaterThanOrEqual(8);
      await page.screenshot({ path: path.join(OUT, `${c.name}-${colorScheme}-console.png`) });
      await context.close();
    });
  }
}

test('status lines wrap between words on a narrow console; the storage notice is said once, calmly', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.click('#welcome-close');
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const cols = await page.evaluate(() => window.hsmsim.console.term.cols);
  expect(cols).toBeLessThan('Node id 0 and err state 0x00000000 : HSM Return: SUCCESS'.length);
  // Every row of the screen that continues a line starts with a whole word.
  const rows = await page.evaluate(() => {
    const b = window.hsmsim.console.term.buffer.active;
    const out = [];
    for (let y = 0; y < b.length; y++) out.push(b.getLine(y).translateToString(true));
    return out;
  });
  const text = rows.join('\n');
  expect(text).toContain('Node id 0 and err state 0x00000000 :');
  for (const [i, r] of rows.entries()) {
    if (i === 0 || !r || !rows[i - 1]) continue;
    const prev = rows[i - 1];
    if (prev.length >= cols - 1 && /\w$/.test(prev)) expect(r[0], `row ${i} "${r}" continues "${prev}" inside a word`).not.toMatch(/\w/);
  }
  // The log keeps the tool's lines whole.
  await expect(page.locator('#log')).toContainText('Node id 0 and err state 0x00000000 : HSM Return: SUCCESS');

  // The storage notice: information, and only on the first visit.
  const said = 'Workspaces are kept in this browser';
  const persisted = await page.locator('body').getAttribute('data-persisted');
  if (persisted === 'false') {
    await expect(page.locator('#log .notice-info', { hasText: said })).toHaveCount(1);
    await expect(page.locator('#log .notice-warn', { hasText: said })).toHaveCount(0);
  }
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.locator('body')).toHaveAttribute('data-persisted', /true|false/);
  await expect(page.locator('#log')).not.toContainText(said);
  await context.close();
});
