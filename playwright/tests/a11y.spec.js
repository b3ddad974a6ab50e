// Accessibility: axe-core on every page of the site (the playground at
// desktop and phone widths in both themes, the embed page, the demo page);
// any serious or critical violation fails. And the keyboard: a documented
// key leaves the terminal, the skip link works at any time.
const { test, expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');
const { openConsole, focusConsole, run, line } = require('./helpers');

// axe checks the page as it is now; the summary names each serious or
// critical rule broken and where, so a failure says what to fix.
async function serious(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
}

for (const colorScheme of ['light', 'dark']) {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['375 px', { width: 375, height: 740 }]]) {
    test(`axe: the playground, ${name}, ${colorScheme} theme`, async ({ browser }) => {
      const context = await browser.newContext({ viewport, colorScheme });
      const page = await context.newPage();
      await openConsole(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      await expect(page.locator('#keys-body tr').first()).toBeVisible({ visible: name === 'desktop' });
      const found = await serious(page, `welcome open`);
      await page.locator('#welcome-close').click();
      await run(page, 'key_mgmt_util');
      found.push(...await serious(page, 'console'));
      if (name === '375 px') {
        await page.click('#tab-keys');
        await expect(page.locator('#keys-panel')).toBeVisible();
        found.push(...await serious(page, 'keys panel open'));
      }
      expect(found).toEqual([]);
      await context.close();
    });
  }
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe: the embed page and the demo page, ${colorScheme} theme`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto('/embed.html?seed=1&tool=key_mgmt_util&lines=loginHSM%20-u%20CU%20-s%20example_user%20-p%20password');
    await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    const found = await serious(page, 'embed');
    await page.goto('/embed.html?replay=1&scenario=shared-key&lines=key_mgmt_util');
    await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    found.push(...await serious(page, 'replay embed'));
    await page.goto('/demo.html');
    for (const id of ['demo-generate', 'demo-shared', 'demo-drift']) {
      await page.waitForFunction((i) => document.getElementById(i) && document.getElementById(i).ready, id);
      await page.evaluate((i) => document.getElementById(i).ready, id);
    }
    found.push(...await serious(page, 'demo'));
    expect(found).toEqual([]);
    await context.close();
  });
}

test('Escape then Tab leaves the terminal, said to screen readers; the skip link brings the keyboard back', async ({ page }) => {
  await openConsole(page);
  const ta = page.locator('#console .xterm-helper-textarea');
  await expect(ta).toBeFocused();
  // The way out is part of the input's description.
  const hint = await ta.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${hint}"]`)).toHaveText('Tab completes. Press Escape then Tab to leave the console.');
  // The welcome's notice names the ? button: pressing ? types a ?.
  await expect(page.locator('#log')).toContainText('the ? button at the top shows users and passwords');
  await expect(page.locator('#console')).toHaveAttribute('data-line', '');

  // Tab alone completes, and stays.
  await page.keyboard.insertText('key_mgmt_');
  await page.keyboard.press('Tab');
  await expect(page.locator('#console')).toHaveAttribute('data-line', 'key_mgmt_util ');
  await expect(ta).toBeFocused();
  // Escape, then any other key: Tab is completion again.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+u');
  await page.keyboard.insertText('genSym');
  await page.keyboard.press('Tab');
  await expect(ta).toBeFocused();
  // Escape then Tab: the focus moves on, the line is kept, and it was said.
  await page.keyboard.press('Control+u');
  await page.keyboard.insertText('keep');
  await page.keyboard.press('Escape');
  await expect(page.locator('#console .console-status')).toHaveText(/Tab now leaves the console/);
  await page.keyboard.press('Tab');
  await expect(ta).not.toBeFocused();
  expect(await page.evaluate(() => document.activeElement && document.activeElement.closest('aside, #console') !== null)).toBe(true);
  expect(await line(page)).toBe('keep');
  // And back: Shift+Tab from the terminal reaches the skip link.
  await focusConsole(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  await expect(ta).not.toBeFocused();
  for (let i = 0; i < 40 && !(await page.locator('.skip').evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(page.locator('.skip')).toBeFocused();
  await expect(page.locator('.skip')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(ta).toBeFocused();
  expect(await line(page)).toBe('keep');
});

test('screen reader mode is an option of the page, kept in this browser', async ({ page }) => {
  await openConsole(page);
  const sr = page.locator('#screen-reader');
  await expect(sr).not.toBeChecked();
  expect(await page.evaluate(() => window.hsmsim.console.term.options.screenReaderMode)).toBe(false);
  await sr.check();
  expect(await page.evaluate(() => window.hsmsim.console.term.options.screenReaderMode)).toBe(true);
  await expect(page.locator('#console .xterm-accessibility-tree')).toBeAttached();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  expect(await page.evaluate(() => window.hsmsim.console.term.options.screenReaderMode)).toBe(true);
  // The welcome is still open (it was never closed).
  await expect(page.locator('#welcome')).toBeVisible();
  await expect(sr).toBeChecked();
  await sr.uncheck();
  expect(await page.evaluate(() => window.hsmsim.console.term.options.screenReaderMode)).toBe(false);
  // The embed takes it as an attribute.
  await page.goto('/embed.html?screenreader=1&tool=key_mgmt_util');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.locator('.xterm-accessibility-tree')).toBeAttached();
});
