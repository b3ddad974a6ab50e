// What a reload keeps: token keys, users and files. What it drops: the
// login and the session keys, as quitting the real tool does.
const { test, expect } = require('@playwright/test');
const { openConsole, run, prompt, line, focusConsole } = require('./helpers');

test('a reload keeps keys, users and files and ends the login session', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  expect(await run(page, 'genSymKey -t 31 -s 32 -l kept-token')).toContain('Key Handle: 524295');
  expect(await run(page, 'genSymKey -t 31 -s 16 -sess -l gone-session')).toContain('Key Handle: 524296');
  await run(page, 'exit');
  await run(page, 'echo remember me > note.txt');
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CO admin password');
  expect(await run(page, 'createUser CU bob password1')).toContain('****CAUTION****');
  expect(await prompt(page)).toBe('Do you want to continue(y/n)?');
  expect(await run(page, 'y')).toContain('Creating User bob(CU) on 3 nodes');
  await run(page, 'quit');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  expect(await prompt(page)).toBe('$ ');
  expect(await run(page, 'cat note.txt')).toContain('remember me');
  await run(page, 'key_mgmt_util');
  // The login did not survive the reload.
  expect(await run(page, 'findKey -l kept-token')).toContain('Cfm3FindKey returned: 0xa9 : HSM Error: User is not logged in');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const found = await run(page, 'findKey -l kept-token');
  expect(found).toContain('524295');
  expect(found).toContain('Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS');
  const token = await run(page, 'getKeyInfo -k 524295');
  expect(token).toContain('Cfm3GetKey returned: 0x00 : HSM Return: SUCCESS');
  const session = await run(page, 'getKeyInfo -k 524296');
  expect(session).toContain('Cfm3GetKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation');
  const users = await run(page, 'listUsers');
  expect(users).toMatch(/5\s+CU\s+bob/);
  // The history of the workspace came back too.
  await run(page, 'exit');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('exit');
});

test('deleteUser takes the user out of share lists, and a reload keeps it so', async ({ page }) => {
  await openConsole(page);
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CU alice password');
  // alice's key 524291 is shared with example_user (user 3).
  expect(await run(page, 'getKeyInfo 524291')).toContain('also, shared to following 1 user(s):');
  await run(page, 'logoutHSM');
  await run(page, 'loginHSM CO admin password');
  const deleted = await run(page, 'deleteUser CU example_user');
  expect(deleted).toContain('Deleting user example_user(CU) on 3 nodes');
  expect(deleted).toContain('deleteUser success on server 2(10.0.1.12)');
  await run(page, 'quit');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CU alice password');
  const info = await run(page, 'getKeyInfo 524291');
  for (const server of ['0(10.0.2.9)', '1(10.0.3.11)', '2(10.0.1.12)']) {
    expect(info).toContain(`Key Info on server ${server}:\nToken/Flash Key,\nOwned by user 4`);
  }
  expect(info).not.toContain('shared to following');
  expect(await run(page, 'listUsers')).not.toContain('example_user');
});
