// Embedded consoles: <hsm-console> on the demo page, the embed page by its
// URL parameters, and the postMessage API's origin check.
const http = require('node:http');
const { test, expect } = require('@playwright/test');

// embedReady waits until the element's console has run its lines.
async function embedReady(page, id) {
  await page.waitForFunction((i) => document.getElementById(i) && document.getElementById(i).ready, id);
  await page.evaluate((i) => document.getElementById(i).ready, id);
}

function embedTranscript(page, id) {
  return page.evaluate((i) => document.getElementById(i).transcript(), id);
}

function embedRun(page, id, line) {
  return page.evaluate(([i, l]) => document.getElementById(i).run(l), [id, line]);
}

const inputs = (steps) => steps.map((s) => s.input);

test("the demo page's three embeds are used independently", async ({ page }) => {
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto('/demo.html');
  const ids = ['demo-generate', 'demo-shared', 'demo-drift'];
  for (const id of ids) await embedReady(page, id);

  // Each ran its own lines on its own cluster.
  const first = await embedTranscript(page, 'demo-generate');
  expect(inputs(first)).toEqual(['key_mgmt_util', 'loginHSM -u CU -s example_user -p password', 'genSymKey -t 31 -s 32 -l aes256']);
  expect(first[2].output).toContain('Symmetric Key Created.  Key Handle: 524295');
  const shared = await embedTranscript(page, 'demo-shared');
  expect(shared[3].output).toContain('Cfm3DeleteKey returned: 0xc6 : HSM Error: Key Access is denied');
  const drift = await embedTranscript(page, 'demo-drift');
  expect(drift[2].output).toContain('Number of keys found 5');

  // Typing into the first one, as a reader does, reaches that one only.
  const frame = page.frameLocator('#demo-generate >> iframe');
  await frame.locator('.console-screen').click();
  await page.keyboard.type('genSymKey -t 31 -s 16 -l typed');
  await page.keyboard.press('Enter');
  await expect(frame.locator('body')).toHaveAttribute('data-replies', '4');
  await expect(frame.locator('.console-log')).toContainText('Key Handle: 524296');
  // And through the element's API, on another console.
  const r = await embedRun(page, 'demo-drift', 'findAllKeys 4 0');
  expect(r.prompt).toBe('aws-cloudhsm>');
  expect(r.output).not.toContain('524296');
  expect(r.output).not.toContain('524295');
  expect(inputs(await embedTranscript(page, 'demo-shared'))).toEqual(inputs(shared));
  // The replay is read-only, also for the API.
  await expect(embedRun(page, 'demo-shared', 'deleteKey -k 524288')).rejects.toThrow('read-only replay');
  const replay = page.frameLocator('#demo-shared >> iframe');
  await expect(replay.locator('body')).toHaveAttribute('data-replay', 'true');

  // The stored one (storage="demo") keeps its workspace across a reload,
  // and its lines do not run again; the memory ones start afresh.
  await embedRun(page, 'demo-drift', 'server 0');
  await embedRun(page, 'demo-drift', 'syncKey 524291 2');
  await page.reload();
  for (const id of ids) await embedReady(page, id);
  expect(inputs(await embedTranscript(page, 'demo-drift'))).toEqual(['cloudhsm_mgmt_util']);
  await embedRun(page, 'demo-drift', 'loginHSM CO admin password');
  const again = await embedRun(page, 'demo-drift', 'findAllKeys 4 0');
  expect(again.output).toContain('Keys on server 2(10.0.1.12):\nNumber of keys found 6');
  expect(inputs(await embedTranscript(page, 'demo-generate'))).toHaveLength(3);

  // None of them touched the playground's storage.
  const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
  expect(dbs).toEqual(['hsmsim:embed-demo']);
  expect(problems).toEqual([]);
});

test('an embed with a seed shows the same output on two loads', async ({ page }) => {
  const url = '/embed.html?seed=9&tool=key_mgmt_util&lines=' + encodeURIComponent(
    'loginHSM -u CU -s example_user -p password\ngenRSAKeyPair -m 2048 -e 65537 -l k\nexit\nopenssl rand -hex 16\ncat aes256.key');
  const load = async (u) => {
    await page.goto(u);
    await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    return page.locator('.console-log').textContent();
  };
  const one = await load(url);
  const two = await load(url);
  expect(one).toContain('public key handle: 524294');
  expect(one).toMatch(/\$ openssl rand -hex 16[0-9a-f]{32}/);
  expect(two).toBe(one);
  const other = await load(url.replace('seed=9', 'seed=10'));
  expect(other).not.toBe(one);
  // Parameters it cannot use are said, not guessed at.
  await page.goto('/embed.html?tool=bash&seed=x');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.locator('#embed-notice')).toContainText('tool "bash" is not one of key_mgmt_util, cloudhsm_mgmt_util');
  await expect(page.locator('#embed-notice')).toContainText('seed "x" is not a non-negative integer');
  await page.goto('/embed.html?scenario=nope');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(page.locator('#embed-notice')).toContainText('unknown scenario "nope" (known: default, out-of-sync, shared-key, uninitialised)');
});

// postAndWait posts a message to an embed's frame from the page and
// collects what comes back for a while.
function postAndWait(page, id, msg, ms) {
  return page.evaluate(([i, m, wait]) => new Promise((resolve) => {
    const f = document.getElementById(i).shadowRoot.querySelector('iframe');
    const got = [];
    const on = (ev) => { if (ev.source === f.contentWindow) got.push(ev.data); };
    window.addEventListener('message', on);
    f.contentWindow.postMessage(m, '*');
    setTimeout(() => { window.removeEventListener('message', on); resolve(got); }, wait);
  }), [id, msg, ms]);
}

test('messages from an origin the embed does not allow are ignored', async ({ page }) => {
  await page.goto('/demo.html');
  await embedReady(page, 'demo-generate');
  // An embed that answers only https://docs.example.org: this page is a
  // foreign origin to it.
  await page.evaluate(() => {
    const el = document.createElement('hsm-console');
    el.id = 'locked';
    el.setAttribute('origins', 'https://docs.example.org');
    el.setAttribute('lines', 'key_mgmt_util');
    document.body.append(el);
  });
  const locked = page.frameLocator('#locked >> iframe');
  await expect(locked.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(locked.locator('body')).toHaveAttribute('data-replies', '1');
  const got = await postAndWait(page, 'locked', { hsmsim: 1, id: 1, op: 'run', line: 'loginHSM -u CU -s example_user -p password' }, 1500);
  expect(got).toEqual([]);
  expect(await postAndWait(page, 'locked', { hsmsim: 1, id: 2, op: 'transcript' }, 500)).toEqual([]);
  await expect(locked.locator('body')).toHaveAttribute('data-replies', '1');
  await expect(locked.locator('.console-log')).not.toContainText('loginHSM');
  // The same message from an allowed origin (this page, for the demo's
  // embeds) is answered.
  const ok = await postAndWait(page, 'demo-generate', { hsmsim: 1, id: 3, op: 'run', line: 'findKey -l aes256' }, 3000);
  expect(ok.filter((m) => m.id === 3)).toEqual([expect.objectContaining({ ok: true, result: expect.objectContaining({ prompt: 'Command: ' }) })]);
});

test('a page on another site may frame the embed; its messages count only when its origin is listed', async ({ page, request }) => {
  expect((await request.get('/embed.html')).headers()['content-security-policy']).toMatch(/frame-ancestors \*$/);
  const base = new URL(process.env.BASE_URL || 'http://127.0.0.1:8080/');
  const frameURL = (origins) => new URL(`/embed.html?seed=1&tool=key_mgmt_util&origins=${encodeURIComponent(origins)}`, base).href;
  // The docs site's own origin is known once it listens; its page is
  // written then, with one frame that lists it and one that does not.
  let html = '';
  const site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const foreign = `http://127.0.0.1:${site.address().port}`;
  html = `<!doctype html><title>docs</title>
<iframe id="own" src="${frameURL(base.origin)}"></iframe>
<iframe id="listed" src="${frameURL(`${base.origin} ${foreign}`)}"></iframe>`;
  try {
    await page.goto(`${foreign}/docs.html`);
    for (const id of ['own', 'listed']) {
      await expect(page.frameLocator(`#${id}`).locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    }
    const ask = (id) => page.evaluate((i) => new Promise((resolve) => {
      const f = document.getElementById(i);
      const got = [];
      const on = (ev) => { if (ev.source === f.contentWindow && ev.data && ev.data.id === 7) got.push(ev.data); };
      window.addEventListener('message', on);
      f.contentWindow.postMessage({ hsmsim: 1, id: 7, op: 'run', line: 'loginHSM -u CU -s example_user -p password' }, '*');
      setTimeout(() => { window.removeEventListener('message', on); resolve(got); }, 3000);
    }), id);
    expect(await ask('own')).toEqual([]);
    await expect(page.frameLocator('#own').locator('.console-log')).not.toContainText('loginHSM');
    const listed = await ask('listed');
    expect(listed).toHaveLength(1);
    expect(listed[0].result.output).toContain('Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS');
  } finally {
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  }
});
