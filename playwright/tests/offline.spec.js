// Offline: after one visit the service worker (web/sw.js) has the whole
// build in a cache named after it, so the playground opens and works with
// no network; the page can delete that copy.
const { test, expect } = require('@playwright/test');
const { openConsole, run } = require('./helpers');

test('after one visit the playground reloads and works offline; the offline copy can be reset', async ({ page, context }) => {
  await openConsole(page);
  await expect(page.locator('body')).toHaveAttribute('data-offline', 'ready', { timeout: 60_000 });
  // The cache holds this build, under its version.
  const caches = await page.evaluate(async () => {
    const names = await caches.keys();
    const c = await caches.open(names[0]);
    return { names, files: (await c.keys()).map((r) => new URL(r.url).pathname).sort() };
  });
  expect(caches.names).toHaveLength(1);
  expect(caches.names[0]).toMatch(/^hsmsim-[0-9a-f]{16}$/);
  for (const f of ['/index.html', '/engine.wasm', '/worker.js', '/vendor/xterm.js', '/wasm_exec.js', '/embed.html']) expect(caches.files).toContain(f);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l offline')).toContain('Symmetric Key Created.  Key Handle: 524295');
  // A page with a query is the same page; the embed works offline too.
  await page.goto('/?seed=3');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.goto('/embed.html?tool=key_mgmt_util');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await context.setOffline(false);

  // Reset: the copy is gone, the workspaces stay.
  await openConsole(page);
  await page.click('#ws-menu-button');
  await page.click('#ws-offline-reset');
  await expect(page.locator('body')).toHaveAttribute('data-offline', 'reset');
  expect(await page.evaluate(async () => ({ caches: await caches.keys(), regs: (await navigator.serviceWorker.getRegistrations()).length }))).toEqual({ caches: [], regs: 0 });
  await expect(page.locator('#keys-body')).toContainText('offline');
});
