// Screenshots of the playground at a desktop and a phone size, light and
// dark, saved to playwright/artifacts/ for a person to look at (they are
// not compared pixel by pixel). Each also checks that the layout holds:
// nothing wider than the window, the console on screen.
const path = require('path');
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { run, answer, showTab } = require('./helpers');

const OUT = path.join(__dirname, '..', 'artifacts');
fs.mkdirSync(OUT, { recursive: true });

const sizes = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 375, height: 740 },
];

for (const size of sizes) {
  for (const scheme of ['light', 'dark']) {
    test(`screenshots ${size.name} ${scheme}`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, colorScheme: scheme });
      const page = await context.newPage();
      const shot = (what) => page.screenshot({ path: path.join(OUT, `${size.name}-${scheme}-${what}.png`) });
      await page.goto('/?seed=7');
      await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
      // The first visit shows the welcome.
      await expect(page.locator('#welcome')).toBeVisible();
      await expect(page.locator('#keys-body tr')).toHaveCount(7);
      await shot('1-welcome');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(wide, 'nothing is wider than the window').toBeLessThanOrEqual(size.width);

      await page.click('#welcome-close');
      await expect(page.locator('#welcome')).toBeHidden();
      await run(page, 'key_mgmt_util');
      await run(page, 'loginHSM -u CU -s example_user -p password');
      await run(page, 'genSymKey -t 31 -s 32 -l payments-aes');
      await run(page, 'genRSAKeyPair -m 2048 -e 65537 -l signing-rsa');
      await run(page, 'genSymKey -t 31 -s 16 -sess -l wrapping');
      await run(page, 'getKeyInfo -k 52430');
      await expect(page.locator('#keys-body tr.touched')).toHaveCount(0);
      await run(page, 'findKey -l payments-aes');
      await run(page, 'genECCKeyPair -i 14 -l ec-p384');
      await expect(page.locator('#keys-body tr.touched')).toHaveCount(2);
      await shot('2-console');

      if (size.name === 'phone') {
        await expect(page.locator('#keys-panel')).toBeHidden();
        await page.click('#tab-keys');
        await expect(page.locator('#keys-panel')).toBeVisible();
        await shot('3-keys');
        await page.click('#tab-files');
        await expect(page.locator('#files-panel')).toBeVisible();
        await shot('4-files');
      } else {
        await showTab(page, 'users');
        await shot('3-users');
        await showTab(page, 'files');
        await page.getByRole('button', { name: 'Preview rsa2048.pub' }).click();
        await expect(page.locator('#file-list li[data-name="rsa2048.pub"] .preview')).toContainText('BEGIN PUBLIC KEY');
        await shot('4-files');
        await page.click('#ws-menu-button');
        await shot('5-menu');
        await page.keyboard.press('Escape');
        await page.click('#ws-menu-button');
        await page.click('#ws-reset');
        await expect(page.locator('dialog#ask')).toBeVisible();
        await shot('6-dialog');
        await answer(page, false);
      }
      await context.close();
    });
  }
}
