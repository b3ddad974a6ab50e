// The guided tour beside the playground's console, used as a learner does:
// click a step's command (it lands on the console's line), press Enter,
// and see the step marked done when the cluster shows it happened.
const { test, expect } = require('@playwright/test');

const panel = (page) => page.locator('#tour-panel');

// tourOpen loads the playground and opens the Tour tab.
async function tourOpen(page, query = '?seed=1') {
  await page.goto(`/${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const welcome = page.locator('#welcome-close');
  if (await welcome.isVisible()) await welcome.click();
  await page.locator('#tab-tour').click();
  await expect(panel(page)).toHaveAttribute('data-active', 'true');
}

async function tourChecked(page) {
  return Number((await panel(page).getAttribute('data-checked')) || 0);
}

// tourEnter presses Enter in the console and waits until the tour has
// judged the reply.
async function tourEnter(page) {
  const n = await tourChecked(page);
  await page.keyboard.press('Enter');
  await expect(panel(page)).toHaveAttribute('data-checked', String(n + 1), { timeout: 60_000 });
}

// tourClick clicks a step's command: it must land on the console's line.
async function tourClick(page, step, cmd) {
  await panel(page).locator(`li[data-step="${step}"] .tour-cmd[data-cmd="${cmd}"]`).click();
  await expect(page.locator('#console')).toHaveAttribute('data-line', cmd);
}

// tourType types a line of the learner's own into the console.
async function tourType(page, line) {
  await page.locator('#console .console-screen').click();
  await page.keyboard.type(line);
  await expect(page.locator('#console')).toHaveAttribute('data-line', line);
  await tourEnter(page);
}

async function tourStep(page, id) {
  const cmds = await panel(page).locator(`li[data-step="${id}"] .tour-cmd`).evaluateAll((els) => els.map((e) => e.dataset.cmd));
  expect(cmds.length, id).toBeGreaterThan(0);
  for (const c of cmds) {
    await tourClick(page, id, c);
    await tourEnter(page);
  }
  await expect(panel(page).locator(`li[data-step="${id}"]`)).toHaveAttribute('data-state', 'done');
}

const order = ['login', 'gen-aes', 'gen-rsa', 'gen-ecc', 'import-secret', 'import-private', 'import-public',
  'export-secret', 'export-private', 'export-public', 'delete', 'share', 'unshare'];

test('the whole tour, with a variant command and a reload half way', async ({ page }) => {
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await tourOpen(page);
  const steps = await panel(page).locator('li[data-step]').evaluateAll((els) => els.map((e) => e.dataset.step));
  expect(steps).toEqual(order);
  await expect(panel(page)).toHaveAttribute('data-current', 'login');
  await expect(panel(page).locator('li[data-step="login"] .tour-why')).toContainText('crypto users');

  await tourStep(page, 'login');
  await expect(panel(page)).toHaveAttribute('data-current', 'gen-aes');

  // The learner's own variant: other flag order and label, same key.
  await tourType(page, 'genSymKey -l my-own-aes -s 32 -t 31');
  await expect(panel(page).locator('li[data-step="gen-aes"]')).toHaveAttribute('data-state', 'done');
  await expect(panel(page).locator('.tour-message')).toContainText('Done: Generate a 256-bit AES key');

  await tourStep(page, 'gen-rsa');
  await tourStep(page, 'gen-ecc');
  await expect(panel(page)).toHaveAttribute('data-current', 'import-secret');
  await expect(panel(page).locator('.tour-count')).toHaveText('4 of 13 steps done');

  // A reload keeps the progress: the done steps, the current step and the
  // marks it started with. The login session ends, as it does on a real
  // host when the tool exits, so the learner logs in again.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.locator('#tab-tour').click();
  await expect(panel(page)).toHaveAttribute('data-active', 'true');
  await expect(panel(page)).toHaveAttribute('data-current', 'import-secret');
  await expect(panel(page).locator('.tour-count')).toHaveText('4 of 13 steps done');
  for (const id of order.slice(0, 4)) await expect(panel(page).locator(`li[data-step="${id}"]`)).toHaveAttribute('data-state', 'done');
  await expect(panel(page).locator('li[data-step="import-secret"] .tour-reset')).toBeEnabled();
  await tourType(page, 'key_mgmt_util');
  await tourType(page, 'loginHSM -u CU -s example_user -p password');

  for (const id of order.slice(4)) await tourStep(page, id);
  await expect(panel(page).locator('.tour-count')).toHaveText('13 of 13 steps done');
  await expect(panel(page).locator('.tour-finished')).toBeVisible();
  await expect(panel(page)).toHaveAttribute('data-current', '');
  expect(problems).toEqual([]);
});

test('a step is reset to where it started, and errors are explained', async ({ page }) => {
  await tourOpen(page, '?seed=2');
  await tourStep(page, 'login');
  await expect(panel(page)).toHaveAttribute('data-current', 'gen-aes');

  // Not the step (a 128-bit key), and a file: both go with the reset.
  await tourType(page, 'genSymKey -t 31 -s 16 -l small');
  await expect(panel(page).locator('li[data-step="gen-aes"]')).toHaveAttribute('data-state', 'current');
  await tourType(page, 'exSymKey -k 524295 -out small.key -w 524295');

  // example_user may use alice's shared key but not delete it: 0xc6.
  await tourType(page, 'deleteKey -k 524291');
  const err = panel(page).locator('.tour-error[data-code="0xc6"]');
  await expect(err).toContainText('Key Access is denied');
  await expect(err.locator('.tour-fix')).toContainText('owner');

  await panel(page).locator('li[data-step="gen-aes"] .tour-reset').click();
  await expect(panel(page).locator('.tour-message')).toContainText('back where it started');
  await expect(page.locator('#console')).toHaveAttribute('data-prompt', 'Command: ');
  const before = await page.locator('#console .console-log').textContent();
  await tourType(page, 'findKey -l small');
  const out = (await page.locator('#console .console-log').textContent()).slice(before.length);
  expect(out).toContain('Total number of keys present 0');
  await tourType(page, 'exit');
  await tourType(page, 'ls');
  const files = (await page.locator('#console .console-log').textContent()).slice(before.length);
  expect(files).not.toContain('small.key');

  // Still the same step; its own command now gives the handle it names.
  await tourType(page, 'key_mgmt_util');
  await tourType(page, 'loginHSM -u CU -s example_user -p password');
  await tourStep(page, 'gen-aes');
  await expect(page.locator('#console .console-log')).toContainText('Symmetric Key Created.  Key Handle: 524295');
});

// The CloudHSM CLI tour: what each command's reply must show on a fresh
// default cluster seeded with 1 (the parts that are not key material).
const cliOrder = ['cli-login', 'cli-gen-aes', 'cli-gen-rsa', 'cli-gen-ec', 'cli-list', 'cli-share', 'cli-unshare',
  'cli-wrap', 'cli-unwrap', 'cli-import', 'cli-export', 'cli-set-attribute', 'cli-delete', 'cli-logout'];

const cliOutput = {
  'cloudhsm-cli interactive': [],
  'login --username example_user --role crypto-user --password password': ['"error_code": 0', '"username": "example_user"', '"role": "crypto-user"'],
  'key generate-symmetric aes --label cli-aes256 --key-length-bytes 32': ['"key-reference": "0x0000000000080007"', '"label": "cli-aes256"', '"cluster-coverage": "full"', '"key-length-bytes": 32'],
  'key generate-asymmetric-pair rsa --modulus-size-bits 2048 --public-exponent 65537 --public-label cli-rsa2048-public --private-label cli-rsa2048-private':
    ['"key-reference": "0x0000000000080006"', '"key-reference": "0x0000000000080008"', '"label": "cli-rsa2048-private"', '"modulus-size-bits": 2048'],
  'key generate-asymmetric-pair ec --curve secp384r1 --public-label cli-ec-p384-public --private-label cli-ec-p384-private':
    ['"key-reference": "0x0000000000080009"', '"key-reference": "0x000000000008000a"', '"curve": "secp384r1"'],
  'key list --filter attr.label=cli-aes256 --verbose': ['"matched_keys"', '"label": "cli-aes256"', '"total_key_count": 1'],
  'key share --filter attr.label=cli-aes256 --username alice --role crypto-user': ['"message": "Key shared successfully"'],
  'key unshare --filter attr.label=cli-aes256 --username alice --role crypto-user': ['"message": "Key unshared successfully"'],
  'key generate-symmetric aes --label cli-wrapping-key --key-length-bytes 32 --attributes wrap=true unwrap=true': ['"key-reference": "0x000000000008000b"', '"wrap": true'],
  'key wrap aes-no-pad --payload-filter attr.label=cli-aes256 --wrapping-filter attr.label=cli-wrapping-key --path cli-aes256.wrapped':
    ['"payload_key_reference": "0x0000000000080007"', '"wrapping_key_reference": "0x000000000008000b"', '"wrapped_key_data"'],
  'key unwrap aes-no-pad --filter attr.label=cli-wrapping-key --key-type-class aes --label cli-aes256-unwrapped --data-path cli-aes256.wrapped':
    ['"key-reference": "0x000000000008000c"', '"label": "cli-aes256-unwrapped"', '"local": false'],
  'key import pem --path rsa2048.pub --label cli-rsa2048-public-imported --key-type-class rsa-public': ['"key-reference": "0x000000000008000d"', '"message": "Successfully imported key"'],
  'key generate-file --encoding pem --path cli-rsa2048.pub.exp --filter attr.label=cli-rsa2048-public': ['"message": "Successfully generated key file"'],
  'key set-attribute --filter attr.label=cli-aes256 --name encrypt --value true': ['"message": "Attribute set successfully"'],
  'key delete --filter attr.label=cli-rsa2048-public-imported': ['"message": "Key deleted successfully"'],
  logout: ['"data": "Logout successful"'],
};

async function consoleLog(page) {
  return (await page.locator('#console .console-log').textContent()) || '';
}

test('the CloudHSM CLI tour, every step and its output, beside the first tour', async ({ page }) => {
  // Thirty commands, each judged by the tour: longer than one default timeout.
  test.setTimeout(300_000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await tourOpen(page);
  await expect(panel(page)).toHaveAttribute('data-tour', 'sdk3');
  await expect(panel(page)).toHaveAttribute('data-current', 'login');
  await panel(page).locator('.tour-pick-select').selectOption('cli');
  await expect(panel(page)).toHaveAttribute('data-tour', 'cli');
  await expect(panel(page)).toHaveAttribute('data-current', 'cli-login');
  const steps = await panel(page).locator('li[data-step]').evaluateAll((els) => els.map((e) => e.dataset.step));
  expect(steps).toEqual(cliOrder);
  await expect(panel(page).locator('.tour-intro')).toContainText('CloudHSM CLI');
  await expect(panel(page).locator('li[data-step="cli-login"] .tour-tool')).toContainText('cloudhsm-cli');

  let ran = 0;
  for (const id of cliOrder) {
    const cmds = await panel(page).locator(`li[data-step="${id}"] .tour-cmd`).evaluateAll((els) => els.map((e) => e.dataset.cmd));
    expect(cmds.length, id).toBeGreaterThan(0);
    await expect(panel(page).locator(`li[data-step="${id}"]`)).toHaveAttribute('data-state', 'current');
    for (const c of cmds) {
      const want = cliOutput[c];
      expect(want, c).toBeDefined();
      const before = (await consoleLog(page)).length;
      await tourClick(page, id, c);
      await tourEnter(page);
      const out = (await consoleLog(page)).slice(before);
      for (const w of want) expect(out, c).toContain(w);
      if (want.length) expect(out, c).toContain('"error_code": 0');
      ran++;
    }
    await expect(panel(page).locator(`li[data-step="${id}"]`)).toHaveAttribute('data-state', 'done');
    if (id === 'cli-login') {
      await expect(page.locator('#console')).toHaveAttribute('data-prompt', 'aws-cloudhsm > ');
      // A refusal of the CLI's own is explained in its words.
      await tourType(page, 'key delete --filter attr.label=nothing-is-called-this');
      await expect(panel(page).locator('.tour-error')).toContainText('matched no key');
    }
    if (id === 'cli-gen-aes') {
      await expect(panel(page).locator('.tour-notes')).toContainText('Key reference 0x0000000000080007 is handle 524295');
    }
  }
  expect(ran).toBe(Object.keys(cliOutput).length);
  await expect(panel(page).locator('.tour-count')).toHaveText('14 of 14 steps done');
  await expect(panel(page).locator('.tour-finished')).toBeVisible();

  // Each tour keeps its own place: the first has not started.
  await panel(page).locator('.tour-pick-select').selectOption('sdk3');
  await expect(panel(page)).toHaveAttribute('data-tour', 'sdk3');
  await expect(panel(page).locator('.tour-count')).toHaveText('0 of 13 steps done');
  await panel(page).locator('.tour-pick-select').selectOption('cli');
  await expect(panel(page).locator('.tour-count')).toHaveText('14 of 14 steps done');

  // The keys the tour made are key_mgmt_util's too, under the handles
  // their key references name.
  await tourType(page, 'quit');
  await tourType(page, 'key_mgmt_util');
  await tourType(page, 'loginHSM -u CU -s example_user -p password');
  const before = (await consoleLog(page)).length;
  await tourType(page, 'findKey -l cli-aes256-unwrapped');
  expect((await consoleLog(page)).slice(before)).toContain('524300');
  expect(problems).toEqual([]);
});
