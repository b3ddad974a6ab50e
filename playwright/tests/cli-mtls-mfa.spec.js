// CloudHSM CLI's mutual TLS and MFA in the page: a trust anchor made with
// the host shell's openssl req -x509 is registered, and the admin's MFA key
// is registered and used to log in, the tokens signed at the CLI's prompt
// with "!" lines (the pages' second terminal) running base64 and openssl
// pkeyutl. A reload keeps the trust anchor and the MFA key.
const { test, expect } = require('@playwright/test');
const { openConsole, run, prompt } = require('./helpers');

const json = (out) => JSON.parse(out.slice(out.indexOf('{')));
const SIGNED = 'Enter signed token file path (press enter if same as the unsigned token file):';

// signTokens signs every token of the token file with key, as the MFA
// pages do, and writes the signed file over it.
async function signTokens(page, file, key) {
  const tokens = json(await run(page, `!cat ${file}`)).tokens;
  for (const [i, t] of tokens.entries()) {
    await run(page, `!echo "${t.unsigned}" > t${i}.b64`);
    await run(page, `!base64 -d t${i}.b64 > t${i}.bin`);
    await run(page, `!openssl pkeyutl -sign -inkey ${key} -pkeyopt digest:sha256 -in t${i}.bin -out t${i}.sig`);
    await run(page, `!base64 -w0 t${i}.sig > t${i}.sig.b64`);
    const out = (await run(page, `!cat t${i}.sig.b64`)).trim().split('\n');
    t.signed = out[out.length - 1].trim();
    expect((await prompt(page)).trim()).toBe(SIGNED);
  }
  await run(page, `!echo '${JSON.stringify({ version: '2.0', tokens })}' > ${file}`);
}

test('a trust anchor and an MFA login in CloudHSM CLI, kept by a reload', async ({ page }) => {
  await openConsole(page, '?seed=1');
  await run(page, 'openssl genrsa -out ca.key 2048');
  expect(await run(page, 'openssl req -new -x509 -days 3652 -key ca.key -out ca.crt -subj /CN=rootCA')).not.toContain('hsmsim:');
  await run(page, 'openssl genrsa -out mfa.key 2048');
  await run(page, 'openssl rsa -in mfa.key -pubout -out mfa.pub');
  await run(page, 'cloudhsm-cli interactive');
  await run(page, 'login --username admin --role admin --password password');

  let out = json(await run(page, 'cluster mtls register-trust-anchor --path ca.crt'));
  expect(out.data.trust_anchor['certificate-reference']).toBe('0x01');
  expect(out.data.trust_anchor.certificate).toContain('-----BEGIN CERTIFICATE-----');

  await run(page, 'user change-mfa token-sign --username admin --role admin --change-password password --token t.json');
  expect((await prompt(page)).trim()).toBe(SIGNED);
  await signTokens(page, 't.json', 'mfa.key');
  await run(page, '');
  expect((await prompt(page)).trim()).toBe('Enter public key PEM file path:');
  out = json(await run(page, 'mfa.pub'));
  expect(out).toEqual({ error_code: 0, data: { username: 'admin', role: 'admin' } });
  await run(page, 'logout');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await run(page, 'cloudhsm-cli interactive');
  out = json(await run(page, 'cluster mtls list-trust-anchors'));
  expect(out.data.trust_anchors.map((a) => a['certificate-reference'])).toEqual(['0x01']);
  out = json(await run(page, 'login --username admin --role admin --password password'));
  expect(out.data).toContain('MFA is enabled for this user');
  await run(page, 'login --username admin --role admin --password password mfa-token-sign --token login.json');
  expect((await prompt(page)).trim()).toBe(SIGNED);
  await signTokens(page, 'login.json', 'mfa.key');
  out = json(await run(page, ''));
  expect(out).toEqual({ error_code: 0, data: { username: 'admin', role: 'admin' } });
  expect((await prompt(page)).trim()).toBe('aws-cloudhsm >');
  out = json(await run(page, 'user list'));
  expect(out.data.users.find((u) => u.username === 'admin').mfa).toEqual([{ strategy: 'token-sign', status: 'enabled' }]);
});
