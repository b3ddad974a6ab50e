// CloudHSM CLI in the page: the seed walkthrough's key work (generate,
// import, export, share, delete) done with cloudhsm-cli, then the same keys
// seen by key_mgmt_util on the same cluster; passwords typed with
// --password are masked in history.
const { test, expect } = require('@playwright/test');
const { openConsole, run, prompt, showTab } = require('./helpers');

const json = (out) => JSON.parse(out.slice(out.indexOf('{')));

test('the walkthrough in CloudHSM CLI, and its keys in key_mgmt_util', async ({ page }) => {
  await openConsole(page, '?seed=1');
  await run(page, 'cloudhsm-cli interactive');
  expect(await prompt(page)).toBe('aws-cloudhsm > ');
  await expect(page.locator('body')).toHaveAttribute('data-mode', 'cloudhsm-cli');

  let out = json(await run(page, 'login --username example_user --role crypto-user --password password'));
  expect(out).toEqual({ error_code: 0, data: { username: 'example_user', role: 'crypto-user' } });

  out = json(await run(page, 'key generate-symmetric aes --label aes256 --key-length-bytes 32'));
  expect(out.error_code).toBe(0);
  // 524295, the walkthrough's handle, as a key reference.
  expect(out.data.key['key-reference']).toBe('0x0000000000080007');
  expect(out.data.key.attributes['key-length-bytes']).toBe(32);
  // The keys panel shows the key reference beside the handle.
  await showTab(page, 'keys');
  await expect(page.locator('#keys-body tr[data-handle="524295"] td.num')).toContainText('0x0000000000080007');

  out = json(await run(page, 'key generate-asymmetric-pair rsa --modulus-size-bits 2048 --public-exponent 65537 --public-label rsa2048-public --private-label rsa2048-private'));
  expect(out.data.public_key['key-reference']).toBe('0x0000000000080006');
  expect(out.data.private_key['key-reference']).toBe('0x0000000000080008');

  out = json(await run(page, 'key import pem --path rsa2048.pub --label rsa2048-public-imported --key-type-class rsa-public'));
  expect(out.data.message).toBe('Successfully imported key');
  out = json(await run(page, 'key generate-file --encoding pem --path rsa2048.pub.exp --filter attr.label=rsa2048-public'));
  expect(out.data).toEqual({ message: 'Successfully generated key file' });
  out = json(await run(page, 'key share --filter attr.label=aes256 --username alice --role crypto-user'));
  expect(out.data).toEqual({ message: 'Key shared successfully' });
  out = json(await run(page, 'key delete --filter attr.label=rsa2048-public-imported'));
  expect(out.data).toEqual({ message: 'Key deleted successfully' });
  out = json(await run(page, 'key list --filter attr.label=aes256 --verbose'));
  expect(out.data.matched_keys[0]['key-info']['shared-users']).toEqual([{ username: 'alice', 'key-coverage': 'full' }]);

  // An SDK 3 command typed here answers the CLI's error and the way across.
  const hint = await run(page, 'genSymKey -t 31 -s 32 -l aes256');
  expect(hint).toContain("error: unrecognized subcommand 'genSymKey'");
  expect(hint).toContain('hint: genSymKey is a key_mgmt_util command; in CloudHSM CLI: key generate-symmetric aes');

  await run(page, 'quit');
  expect(await prompt(page)).toBe('$ ');

  await run(page, 'key_mgmt_util');
  await run(page, 'loginHSM -u CU -s example_user -p password');
  const found = await run(page, 'findKey -l aes256');
  expect(found).toContain('524295');
  const info = await run(page, 'getKeyInfo -k 524295');
  expect(info).toContain('also, shared to following 1 user(s):');
  await run(page, 'exit');

  // History keeps the CLI's password masked.
  await page.keyboard.press('ArrowUp');
  for (let i = 0; i < 20; i++) {
    const l = await page.locator('#console').getAttribute('data-line');
    if (l && l.startsWith('login --username')) break;
    await page.keyboard.press('ArrowUp');
  }
  await expect(page.locator('#console')).toHaveAttribute('data-line', 'login --username example_user --role crypto-user --password ********');
});
