// A recalled line whose password history masked asks for the password
// instead of sending the mask: no failed login is counted.
const { test, expect } = require('@playwright/test');
const { openConsole, run, prompt, focusConsole } = require('./helpers');

const con = (page) => page.locator('#console');

async function recall(page, startsWith) {
  await focusConsole(page);
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('ArrowUp');
    const l = await con(page).getAttribute('data-line');
    if (l && l.startsWith(startsWith)) return l;
  }
  throw new Error(`no history line starts with ${startsWith}`);
}

test('a recalled masked password is asked for, in both SDK 3 tools and CloudHSM CLI', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  await run(page, 'logoutHSM');
  expect(await recall(page, 'loginHSM')).toBe('loginHSM -u CU -s example_user -p ********');
  const n = Number(await con(page).getAttribute('data-done'));
  await page.keyboard.press('Enter');
  await expect(con(page)).toHaveAttribute('data-secret', 'true');
  expect(await prompt(page)).toBe('Enter password: ');
  await expect(con(page)).toHaveAttribute('data-done', String(n + 1));
  const out = await run(page, 'password');
  expect(out).toContain('Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS');
  await run(page, 'exit');

  await run(page, 'cloudhsm-cli interactive');
  await run(page, 'login --username alice --role crypto-user --password password');
  await run(page, 'logout');
  expect(await recall(page, 'login --username')).toBe('login --username alice --role crypto-user --password ********');
  await page.keyboard.press('Enter');
  await expect(con(page)).toHaveAttribute('data-secret', 'true');
  const cli = await run(page, 'password');
  expect(cli).toContain('"username": "alice"');
  const users = await run(page, 'user list');
  expect(users).not.toContain('"locked": "true"');
});
