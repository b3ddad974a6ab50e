// A learner's first minute: the welcome's three commands, then AWS's
// walkthrough typed exactly as the page prints it ("Command: " prompts
// included), and a code block of it pasted whole, output lines and all.
const fs = require('node:fs');
const path = require('node:path');
const { test, expect } = require('@playwright/test');
const { openConsole, focusConsole, run, prompt, done, waitDone, logText, logCount } = require('./helpers');

const seed = fs.readFileSync(path.join('/work/shared/reference/seed/managing-keys-in-aws-cloudhsm.txt'), 'utf8');

// blocks are the walkthrough's code blocks, each [{typed, output}]: a
// line with a prompt is typed as printed (indentation and prompt
// included); the lines under it, up to the next prompt, are its output.
function blocks(text) {
  const out = [];
  const re = /```\n([\s\S]*?)\n```/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const steps = [];
    for (const l of m[1].split('\n')) {
      if (/^\s*(Command:|aws-cloudhsm>|Do you want to continue\(y\/n\)\?)/.test(l)) steps.push({ typed: l, output: [] });
      else if (steps.length) steps[steps.length - 1].output.push(l.trim());
    }
    out.push({ text: m[1], steps });
  }
  return out;
}

// printed are the walkthrough's typed lines, each with the lines printed
// under it up to the end of its code block (the page's fences are not
// always at the start of a line, nor whole).
function printed(text) {
  const steps = [];
  let cur = null;
  for (const l of text.split('\n')) {
    if (/^\s*(Command:|aws-cloudhsm>|Do you want to continue\(y\/n\)\?)/.test(l) && !l.includes('<key handle>')) {
      cur = { typed: l, output: [] };
      steps.push(cur);
    } else if (cur && l.trim().startsWith('``')) {
      cur = null;
    } else if (cur) {
      cur.output.push(l.trim());
    }
  }
  return steps;
}

// The walkthrough's prose says what comes between its blocks: start
// key_mgmt_util and log in (the welcome's commands), then for sharing,
// leave it, start cloudhsm_mgmt_util and log in as the key's owner.
const between = { 'aws-cloudhsm>shareKey 524295 4 1': ['exit', 'cloudhsm_mgmt_util', 'loginHSM CU example_user password'] };

test("the welcome's commands, then the whole walkthrough typed as printed", async ({ page }) => {
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await openConsole(page);
  const w = page.locator('#welcome');
  await expect(w).toBeVisible();
  // Every suggestion, clicked and run.
  const tries = w.locator('.try');
  const count = await tries.count();
  expect(count).toBe(3);
  for (let i = 0; i < count; i++) {
    const n = await done(page);
    await tries.nth(i).click();
    await page.keyboard.press('Enter');
    await waitDone(page, n + 1);
  }
  expect(await prompt(page)).toBe('Command: ');
  await expect(page.locator('#log')).toContainText('Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS');

  const typed = printed(seed);
  expect(typed.length).toBe(14);
  for (const step of typed) {
    for (const l of between[step.typed.trim()] || []) await run(page, l);
    const out = await run(page, step.typed);
    // What the page prints under the line is what the console printed.
    // (One documented exception: the page names rsa2048.pub.key, a typo
    // for the file -out wrote; docs/simulator-choices.md.)
    const got = out.split('\n').map((l) => l.trim());
    for (let want of step.output.filter(Boolean)) {
      if (want === 'PEM formatted public key is written to rsa2048.pub.key') want = 'PEM formatted public key is written to rsa2048.pub.exp';
      expect(got, `${step.typed}: ${want}`).toContain(want);
    }
  }
  expect(await prompt(page)).toBe('aws-cloudhsm>');
  // The typed prompts were dropped: the echo shows each command once.
  await expect(page.locator('#log')).toContainText('Command: imSymKey -f aes256.key -t 31 -l aes256-imported -w 524299');
  await expect(page.locator('#log')).not.toContainText('Command: Command:');
  await expect(page.locator('#log')).not.toContainText('Invalid Command');
  expect(problems).toEqual([]);
});

// paste dispatches a paste of text on the terminal, as Ctrl-V does.
async function paste(page, text) {
  await focusConsole(page);
  await page.evaluate((t) => {
    const ta = document.querySelector('#console .xterm-helper-textarea');
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
}

test('a pasted transcript runs its commands only, after saying which; a typed prompt is ignored', async ({ page }) => {
  await openConsole(page);
  await page.locator('#welcome-close').click();
  await run(page, '$ key_mgmt_util');
  expect(await prompt(page)).toBe('Command: ');
  await run(page, 'Command: loginHSM -u CU -s example_user -p password');
  await expect(page.locator('#log')).toContainText('Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS');

  // The first three code blocks of the walkthrough, as copied from the page.
  const [gen, rsa, ecc] = blocks(seed);
  const n = await done(page);
  const before = await logCount(page);
  await paste(page, `${gen.text}\n${rsa.text}\n\n${ecc.text}\n`);
  await waitDone(page, n + 3);
  const out = await logText(page, before);
  expect(out).toContain('Pasted a transcript: running its 3 commands, not its output lines:\n'
    + '  genSymKey -t 31 -s 32 -l aes256\n  genRSAKeyPair -m 2048 -e 65537 -l rsa2048\n  genECCKeyPair -i 14 -l ecc-p384');
  const echoed = out.split('\n').filter((l) => l.startsWith('Command: '));
  expect(echoed).toEqual(['Command: genSymKey -t 31 -s 32 -l aes256', 'Command: genRSAKeyPair -m 2048 -e 65537 -l rsa2048', 'Command: genECCKeyPair -i 14 -l ecc-p384']);
  expect(out).toContain('Symmetric Key Created.  Key Handle: 524295');
  expect(out).toContain('Cfm3GenerateKeyPair:    public key handle: 524297    private key handle: 524298');
  expect(out).not.toContain('Invalid Command');
  // Lines without prompts are a plain list of commands, run as pasted.
  await paste(page, 'findKey -l aes256\nfindKey -l ecc-p384\n');
  await waitDone(page, n + 5);
  // A question's answer in a transcript is typed after it.
  await run(page, 'exit');
  await run(page, 'cloudhsm_mgmt_util');
  await run(page, 'aws-cloudhsm >loginHSM CU example_user password');
  const m = await done(page);
  await paste(page, 'aws-cloudhsm>shareKey 524295 4 1\n****CAUTION****\nThis is a CRITICAL operation, should be done on all nodes in the\n*********\nDo you want to continue(y/n)?y\nshareKey success on server 0(10.0.2.9)\n');
  await waitDone(page, m + 2);
  await expect(page.locator('#log')).toContainText('shareKey success on server 2(10.0.1.12)');
  expect(await prompt(page)).toBe('aws-cloudhsm>');
});
