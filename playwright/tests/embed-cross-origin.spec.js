// The embed on another site: a documentation page on a second loopback
// origin follows docs/embedding.md verbatim, loads embed.js across origins
// (as a <script type="module"> and by import), and uses the element.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { test, expect } = require('@playwright/test');

const base = new URL(process.env.BASE_URL || 'http://127.0.0.1:8080/');
const guide = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'embedding.md'), 'utf8');

// codeBlock is the first fenced block of the guide after the heading.
function codeBlock(heading, lang) {
  const from = guide.indexOf(`## ${heading}`);
  expect(from, `docs/embedding.md has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(guide.slice(from));
  expect(m, `"${heading}" has a ${lang} block`).not.toBeNull();
  return m[1].replaceAll('https://HSMSIM-SITE', base.origin);
}

// docsSite serves pages (path -> html) from its own loopback origin.
async function docsSite(pages) {
  const site = http.createServer((req, res) => {
    const html = pages[new URL(req.url, 'http://x').pathname];
    if (!html && req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html || 'not found');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${site.address().port}`,
    close: async () => {
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    },
  };
}

// The page records the element's events for the test to read.
const recorder = `<script>
window.events = [];
for (const t of ['hsm-ready', 'hsm-reply', 'hsm-error']) {
  document.addEventListener(t, (e) => window.events.push({ type: t, id: e.target.id, detail: e.detail }), true);
}
</script>`;

test("docs/embedding.md's quick start works verbatim on another origin", async ({ page }) => {
  const quick = codeBlock('Quick start', 'html');
  expect(quick).toContain(`<script type="module" src="${base.origin}/embed.js"></script>`);
  const site = await docsSite({ '/guide.html': `<!doctype html><html lang="en"><title>docs</title>${recorder}<main>${quick}</main></html>` });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  try {
    await page.goto(`${site.origin}/guide.html`);
    expect(new URL(page.url()).origin).not.toBe(base.origin);
    await page.waitForFunction(() => !!customElements.get('hsm-console'));
    const frame = page.frameLocator('hsm-console >> iframe');
    await expect(frame.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(frame.locator('.console-log')).toContainText('Symmetric Key Created.  Key Handle: 524295');
    await page.evaluate(() => document.querySelector('hsm-console').ready);

    // 'ready' reports the prompt the console shows: key_mgmt_util's.
    const ready = await page.evaluate(() => window.events.filter((e) => e.type === 'hsm-ready'));
    expect(ready).toHaveLength(1);
    expect(ready[0].detail).toMatchObject({ hsmsim: 1, event: 'ready', prompt: 'Command: ', mode: 'key_mgmt_util', scenario: 'default', replay: false });
    await expect(frame.locator('.console')).toHaveAttribute('data-prompt', 'Command: ');

    // A command through the API, and one typed by the reader.
    const r = await page.evaluate(() => document.querySelector('hsm-console').run('findKey -l aes256'));
    expect(r).toEqual({ output: expect.stringContaining('Total number of keys present 1\n number of keys matched from start index 0::0\n524295\n'), prompt: 'Command: ', mode: 'key_mgmt_util' });
    await frame.locator('.console-screen').click();
    await page.keyboard.type('genSymKey -t 31 -s 16 -l typed');
    await page.keyboard.press('Enter');
    await expect(frame.locator('.console-log')).toContainText('Key Handle: 524296');
    const replies = await page.evaluate(() => window.events.filter((e) => e.type === 'hsm-reply').map((e) => e.detail));
    expect(replies.map((d) => d.line)).toEqual([
      'key_mgmt_util', 'loginHSM -u CU -s example_user -p ********', 'genSymKey -t 31 -s 32 -l aes256',
      'findKey -l aes256', 'genSymKey -t 31 -s 16 -l typed',
    ]);
    for (const d of replies) expect(d.prompt).toBe('Command: ');
    expect(problems).toEqual([]);
  } finally {
    await site.close();
  }
});

test('the embed is an ES module another site imports, with its types beside it', async ({ page, request }) => {
  const imported = codeBlock('As an ES module', 'html');
  expect(imported).toContain(`from '${base.origin}/embed.js'`);
  const site = await docsSite({ '/app.html': `<!doctype html><html lang="en"><title>docs app</title>${recorder}<main>${imported}</main></html>` });
  try {
    await page.goto(`${site.origin}/app.html`);
    await page.waitForFunction(() => window.hsmReady !== undefined, null, { timeout: 60_000 });
    expect(await page.evaluate(() => window.hsmReady)).toMatchObject({ event: 'ready', prompt: 'aws-cloudhsm>', mode: 'cloudhsm_mgmt_util' });
    const out = await page.evaluate(() => document.querySelector('#cmu').run('listUsers'));
    expect(out.output).toContain('Users on server 0(10.0.2.9):');
    expect(out.prompt).toBe('aws-cloudhsm>');
  } finally {
    await site.close();
  }
  // Both files are readable by any origin; nothing else of the site is.
  for (const p of ['/embed.js', '/embed.d.ts']) {
    const h = (await request.get(p, { headers: { Origin: 'https://docs.example.com' } })).headers();
    expect(h['access-control-allow-origin'], p).toBe('*');
    expect(h['cross-origin-resource-policy'], p).toBe('cross-origin');
  }
  const types = await (await request.get('/embed.d.ts')).text();
  expect(types).toContain("'hsm-ready': CustomEvent<HsmReadyDetail>");
  for (const p of ['/', '/embed-app.js', '/worker.js']) {
    expect((await request.get(p)).headers()['access-control-allow-origin'], p).toBeUndefined();
  }
  // The embed page keeps its own policy: framed by anyone, scripts only its own.
  const eh = (await request.get('/embed.html')).headers();
  expect(eh['content-security-policy']).toMatch(/frame-ancestors \*$/);
  expect(eh['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(eh['x-frame-options']).toBeUndefined();
  expect((await request.get('/')).headers()['x-frame-options']).toBe('DENY');
});
