// Two tabs on one workspace: every write of both is kept, in order. Web
// Locks serialise the commands; each tab loads the other's newer state
// before running a line; BroadcastChannel refreshes the idle tab.
const { test, expect } = require('@playwright/test');
const { openConsole, run, failNextSave } = require('./helpers');

const handleOf = (out) => Number((/Key Handle: (\d+)/.exec(out) || [])[1]);

test('two tabs writing the same workspace keep every write, in order', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openConsole(a);
  await openConsole(b);
  for (const p of [a, b]) {
    await run(p, 'key_mgmt_util');
    await run(p, 'loginHSM -u CU -s example_user -p password');
  }

  // Taking turns: each tab sees the key the other made just before.
  const handles = [];
  for (let i = 1; i <= 3; i++) {
    handles.push(handleOf(await run(a, `genSymKey -t 31 -s 32 -l from-a-${i}`)));
    handles.push(handleOf(await run(b, `genSymKey -t 31 -s 32 -l from-b-${i}`)));
  }
  expect(handles).toEqual([524295, 524296, 524297, 524298, 524299, 524300]);

  // At the same moment: the locks put one after the other; no write is lost.
  const both = [];
  for (let i = 1; i <= 3; i++) {
    const [x, y] = await Promise.all([
      run(a, `genSymKey -t 31 -s 16 -l same-time-a-${i}`),
      run(b, `genSymKey -t 31 -s 16 -l same-time-b-${i}`),
    ]);
    both.push(handleOf(x), handleOf(y));
  }
  // (524303 is alice's key in the default cluster, so it is skipped.)
  expect(both.slice().sort((m, n) => m - n)).toEqual([524301, 524302, 524304, 524305, 524306, 524307]);

  // The idle tab is told about a change and refreshes its file list.
  await run(a, 'exit');
  await run(a, 'echo from tab a > from-a.txt');
  await expect(b.locator('#file-list')).toContainText('from-a.txt');

  // A third look, after a reload, finds all twelve keys once each.
  await a.reload();
  await expect(a.locator('body')).toHaveAttribute('data-state', 'ready');
  await run(a, 'key_mgmt_util');
  await run(a, 'loginHSM -u CU -s example_user -p password');
  const labels = [];
  for (let i = 1; i <= 3; i++) labels.push(`from-a-${i}`, `from-b-${i}`, `same-time-a-${i}`, `same-time-b-${i}`);
  for (const l of labels) {
    expect(await run(a, `findKey -l ${l}`), l).toContain('Total number of keys present 1');
  }
  expect(await run(a, 'findKey')).toContain('Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS');
  await expect(a.locator('#status')).toContainText('revision');
});

// A save that fails (a full disk) undoes the command in its tab before
// anything else runs: its answer says so and shows nothing the command
// printed, so no handle is ever shown for a key that was not kept. The
// other tab then hands out the next handle without taking one a user saw.
test('a failed save in one tab shows no handle that the other tab then gives to its key', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openConsole(a);
  await openConsole(b);
  for (const p of [a, b]) {
    await run(p, 'key_mgmt_util');
    await run(p, 'loginHSM -u CU -s example_user -p password');
  }

  await failNextSave(a);
  const failed = await run(a, 'genSymKey -t 31 -s 32 -l from-a-unsaved');
  expect(failed).toContain("the change was not saved: the browser's storage quota is used up (QuotaExceededError)");
  expect(failed).toContain('The command did not happen');
  // Nothing the command printed is shown: no handle, no success.
  expect(failed).not.toMatch(/Key Handle|52429\d|SUCCESS/);
  await expect(a.locator('#status')).toContainText('revision');

  // The other tab makes a key: it may take the next handle, which no one saw.
  const fromB = handleOf(await run(b, 'genSymKey -t 31 -s 32 -l from-b'));
  expect(fromB).toBe(524295);

  // Tab A was told; its key is not there, and every handle it shows is one
  // of a key that exists (here B's, found by B's label).
  expect(await run(a, 'findKey -l from-a-unsaved')).toContain('Total number of keys present 0');
  expect(await run(a, 'findKey -l from-b')).toContain('Total number of keys present 1');
  const again = handleOf(await run(a, 'genSymKey -t 31 -s 32 -l from-a-again'));
  expect(again).toBe(524296);
  expect(await run(b, 'findKey -l from-a-again')).toContain('Total number of keys present 1');

  // Every handle shown was kept: after a reload both keys are there, once.
  await a.reload();
  await expect(a.locator('body')).toHaveAttribute('data-state', 'ready');
  await run(a, 'key_mgmt_util');
  await run(a, 'loginHSM -u CU -s example_user -p password');
  expect(await run(a, 'findKey -l from-b')).toMatch(/0::0\s+524295\b/);
  expect(await run(a, 'findKey -l from-a-again')).toMatch(/0::0\s+524296\b/);
  expect(await run(a, 'findKey -l from-a-unsaved')).toContain('Total number of keys present 0');
});
