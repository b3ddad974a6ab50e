// The seed walkthrough ("Managing Keys in AWS CloudHSM") typed into the
// page, line by line, with the lines of its output that matter checked.
const { test, expect } = require('@playwright/test');
const { openConsole, run, prompt, line, typeLine, focusConsole } = require('./helpers');

const con = (page) => page.locator('#console');

const ok = (node) => `Node id ${node} and err state 0x00000000 : HSM Return: SUCCESS`;
const allNodes = [ok(0), ok(1), ok(2)];

// Each step: the line typed, lines its output must contain, the prompt after.
const steps = [
  ['key_mgmt_util', [], 'Command: '],
  ['loginHSM -u CU -s example_user -p password', ['Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS', ...allNodes], 'Command: '],
  ['genSymKey -t 31 -s 32 -l aes256', ['Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS', 'Symmetric Key Created.  Key Handle: 524295', 'Cluster Error Status', ...allNodes], 'Command: '],
  ['genRSAKeyPair -m 2048 -e 65537 -l rsa2048', ['Cfm3GenerateKeyPair returned: 0x00 : HSM Return: SUCCESS', 'Cfm3GenerateKeyPair:    public key handle: 524294    private key handle: 524296', ...allNodes], 'Command: '],
  ['genECCKeyPair -i 14 -l ecc-p384', ['Cfm3GenerateKeyPair:    public key handle: 524297    private key handle: 524298', ...allNodes], 'Command: '],
  ['genSymKey -t 31 -s 16 -sess -l import-wrapping-key', ['Symmetric Key Created.  Key Handle: 524299', `Cluster Error Status\n${ok(2)}`], 'Command: '],
  ['imSymKey -f aes256.key -t 31 -l aes256-imported -w 524299', ['Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS', 'Cfm3CreateUnwrapTemplate returned: 0x00 : HSM Return: SUCCESS', 'Cfm3UnWrapKey returned: 0x00 : HSM Return: SUCCESS', 'Symmetric Key Unwrapped.  Key Handle: 524300', ...allNodes], 'Command: '],
  ['importPrivateKey -f rsa2048.key -l rsa2048-imported -w 524299', ['BER encoded key length is 1216', 'Private Key Unwrapped.  Key Handle: 524301', ...allNodes], 'Command: '],
  ['importPubKey -f rsa2048.pub -l rsa2048-public-imported', ['Cfm3CreatePublicKey returned: 0x00 : HSM Return: SUCCESS', 'Public Key Handle: 524302', ...allNodes], 'Command: '],
  ['genSymKey -t 31 -s 16 -sess -l export-wrapping-key', ['Symmetric Key Created.  Key Handle: 524304', ok(2)], 'Command: '],
  ['exSymKey -k 524295 -out aes256.key.exp -w 524304', ['Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS', 'Cfm3UnWrapHostKey returned: 0x00 : HSM Return: SUCCESS', 'Wrapped Symmetric Key written to file "aes256.key.exp"'], 'Command: '],
  ['exportPrivateKey -k 524296 -out rsa2048.key.exp -w 524304', ['PEM formatted private key is written to rsa2048.key.exp'], 'Command: '],
  ['exportPubKey -k 524294 -out rsa2048.pub.exp', ['PEM formatted public key is written to rsa2048.pub', 'Cfm3ExportPubKey returned: 0x00 : HSM Return: SUCCESS'], 'Command: '],
  ['deleteKey -k 524300', ['Cfm3DeleteKey returned: 0x00 : HSM Return: SUCCESS', ...allNodes], 'Command: '],
  ['exit', [], '$ '],
  ['cloudhsm_mgmt_util', ["Connected to server '10.0.1.12': hostname '10.0.1.12', port 2225."], 'aws-cloudhsm>'],
  ['loginHSM CU example_user password', ['loginHSM success on server 0(10.0.2.9)', 'loginHSM success on server 1(10.0.3.11)', 'loginHSM success on server 2(10.0.1.12)'], 'aws-cloudhsm>'],
  ['shareKey 524295 4 1', ['****CAUTION****', 'This is a CRITICAL operation, should be done on all nodes in the', '*********'], 'Do you want to continue(y/n)?'],
  ['y', ['shareKey success on server 0(10.0.2.9)', 'shareKey success on server 1(10.0.3.11)', 'shareKey success on server 2(10.0.1.12)'], 'aws-cloudhsm>'],
  ['quit', [], '$ '],
];

test('the seed walkthrough runs in the page as in the docs', async ({ page }) => {
  // The page works under its strict Content-Security-Policy: nothing refused.
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await openConsole(page, '?seed=1');
  expect(await prompt(page)).toBe('$ ');
  for (const [line, want, next] of steps) {
    const out = await run(page, line);
    // The line is echoed after the prompt it was typed at, as in the seed.
    expect(out.split('\n')[0], line).toMatch(new RegExp(`(\\$ |Command: |aws-cloudhsm>|continue\\(y/n\\)\\?)${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    for (const w of want) expect(out, `${line}: ${w}`).toContain(w);
    expect(await prompt(page), `prompt after ${line}`).toBe(next);
    await expect(page.locator('body')).toHaveAttribute('data-mode', next === '$ ' ? 'host' : next === 'Command: ' ? 'key_mgmt_util' : 'cloudhsm_mgmt_util');
  }
  // The answer to the question is echoed after the question, as typed.
  await expect(page.locator('#log')).toContainText('Do you want to continue(y/n)?y');
  await expect(page.locator('#log')).toContainText('aws-cloudhsm>shareKey 524295 4 1');
  await expect(page.locator('#log')).toContainText('Command: genSymKey -t 31 -s 32 -l aes256');
  // The files the tools wrote are listed beside the console.
  for (const f of ['aes256.key.exp', 'rsa2048.key.exp', 'rsa2048.pub.exp']) {
    await expect(page.locator('#file-list')).toContainText(f);
  }
  expect(problems).toEqual([]);
});

test('the console completes, recalls history and answers Ctrl-C', async ({ page }) => {
  await openConsole(page);
  await typeLine(page, 'key_mgmt_');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'key_mgmt_util ');
  await run(page, 'key_mgmt_util');
  await typeLine(page, 'genSym');
  await page.keyboard.press('Tab');
  await expect(con(page)).toHaveAttribute('data-line', 'genSymKey ');
  await page.keyboard.press('Control+u');
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('key_mgmt_util');
  await page.keyboard.press('Control+u');
  await run(page, 'exit');
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'loginHSM CU example_user password');
  await run(page, 'shareKey 524288 4 1');
  expect(await prompt(page)).toBe('Do you want to continue(y/n)?');
  await focusConsole(page);
  await page.keyboard.press('Control+c');
  await expect(con(page)).toHaveAttribute('data-prompt', 'aws-cloudhsm>');
});

test('a hidden password is neither shown nor kept in history', async ({ page }) => {
  await openConsole(page);
  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -hpswd');
  expect(await prompt(page)).toBe('Enter password: ');
  await expect(con(page)).toHaveAttribute('data-secret', 'true');
  const out = await run(page, 'password');
  expect(out.split('\n')[0]).toBe('Enter password: ');
  expect(out).toContain('Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS');
  await expect(con(page)).toHaveAttribute('data-secret', 'false');
  await expect(page.locator('#log')).not.toContainText('Enter password: password');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('loginHSM -u CU -s example_user -hpswd');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await focusConsole(page);
  await page.keyboard.press('ArrowUp');
  expect(await line(page)).toBe('loginHSM -u CU -s example_user -hpswd');
});
