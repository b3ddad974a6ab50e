// helpers.js — driving the playground page as a user does: type a line,
// press Enter, read what the console printed.
const { expect } = require('@playwright/test');

// The console is xterm.js (web/console.js): keys go to its hidden
// textarea; what it shows is read from its aria-live log (#log), and its
// state from data- attributes of #console: data-done counts the commands
// answered, data-prompt is the prompt, data-line and data-cursor the line
// being edited, data-secret whether the answer is hidden.

// openConsole loads the page and waits for the first ready prompt.
async function openConsole(page, query = '') {
  await page.goto(`/${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.locator('#console .xterm')).toBeVisible();
}

// focusConsole puts the keyboard in the console, as a click on it does.
async function focusConsole(page) {
  await page.locator('#console .xterm-helper-textarea').focus();
}

// typeLine types text at the console (one input event, like a fast typist
// or an IME) without pressing Enter.
async function typeLine(page, text) {
  await focusConsole(page);
  await page.keyboard.insertText(text);
}

// logCount is the number of entries in the console log.
function logCount(page) {
  return page.locator('#log > *').count();
}

// logText is the text of the log entries from index `from` on.
function logText(page, from = 0) {
  return page.$$eval('#log > *', (els, n) => els.slice(n).map((e) => e.textContent).join('\n'), from);
}

// done is how many commands the console has answered.
async function done(page) {
  return Number((await page.locator('#console').getAttribute('data-done')) || 0);
}

// waitDone waits until the console has answered n commands and is ready.
async function waitDone(page, n, timeout = 60_000) {
  await expect(page.locator('#console')).toHaveAttribute('data-done', String(n), { timeout });
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
}

// run types one line and waits until the page has shown its answer; it
// returns what the console printed for it (the echoed line first). The
// line being edited is cleared first (Ctrl-U), as the old input's fill did.
async function run(page, line, { timeout = 60_000 } = {}) {
  const n = await done(page);
  const before = await logCount(page);
  await focusConsole(page);
  await page.keyboard.press('Control+u');
  if (line) await page.keyboard.insertText(line);
  await page.keyboard.press('Enter');
  await waitDone(page, n + 1, timeout);
  return logText(page, before);
}

// prompt is the prompt the page shows now.
function prompt(page) {
  return page.locator('#console').getAttribute('data-prompt');
}

// line is the line being edited now.
function line(page) {
  return page.locator('#console').getAttribute('data-line');
}

// answer answers the page's question dialog: a value for a question with
// an input, true to confirm, false to cancel.
async function answer(page, value) {
  const dlg = page.locator('dialog#ask');
  await expect(dlg).toBeVisible();
  if (value === false) {
    await dlg.locator('#ask-cancel').click();
  } else {
    if (typeof value === 'string') await dlg.locator('#ask-input').fill(value);
    await dlg.locator('#ask-ok').click();
  }
  await expect(dlg).toBeHidden();
}

// wsAction opens the Workspace menu and picks an item (#ws-new, ...).
async function wsAction(page, id) {
  await page.click('#ws-menu-button');
  await page.click(id);
}

// showTab opens one of the cluster panels: keys, users, hsms, files.
async function showTab(page, name) {
  const tab = page.locator(`#tab-${name}`);
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await expect(page.locator(`#${name}-panel`)).toBeVisible();
}

// idb changes or reads the namespace's IndexedDB from the page, the way a
// damaged disk or a newer hsmsim would leave it. The page's CSP forbids
// eval, so the actions are spelled out here rather than passed as code.
//   {action: 'workspace', name}                       -> the workspace row
//   {action: 'put', name, key, text}                  -> overwrite one record (with a valid checksum)
//   {action: 'putString', name, key, text}            -> the same, stored as a string, not bytes
//   {action: 'putNumberKey', name, number, text}      -> a record whose key is a number
//   {action: 'schema', name, schema}                  -> set the workspace's schema
//   {action: 'keys', name}                            -> the record keys
//   {action: 'meta', name, version}                   -> rewrite meta's version
//   {action: 'flip', name, key, at}                   -> flip a bit of byte `at` of a record (its middle by default)
//   {action: 'legacy', name}                          -> store the workspace as before checksums (schema 1)
//   {action: 'unsealed', name}                        -> the keys of records whose checksum does not match
// Records end in the CRC-32C of key, a zero byte and payload (big-endian),
// as engine/state's SealRecord writes them.
function idb(page, args) {
  return page.evaluate(async (a) => {
    const crc32c = (parts) => {
      let c = ~0;
      for (const bytes of parts) {
        for (const b of bytes) {
          c ^= b;
          for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
        }
      }
      return ~c >>> 0;
    };
    const sumOf = (key, payload) => crc32c([new TextEncoder().encode(key), [0], payload]);
    const seal = (key, payload) => {
      const out = new Uint8Array(payload.length + 4);
      out.set(payload);
      new DataView(out.buffer).setUint32(payload.length, sumOf(key, payload));
      return out;
    };
    const sealed = (key, data) => data.length >= 4
      && new DataView(data.buffer, data.byteOffset, data.length).getUint32(data.length - 4) === sumOf(key, data.subarray(0, data.length - 4));
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('hsmsim:site');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const req = (r) => new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      const rows = await req(db.transaction('workspaces').objectStore('workspaces').getAll());
      const row = rows.find((w) => w.name === a.name);
      if (!row) throw new Error(`no workspace ${a.name}`);
      const rw = () => db.transaction(['workspaces', 'records'], 'readwrite');
      switch (a.action) {
        case 'workspace':
          return row;
        case 'keys': {
          const recs = await req(db.transaction('records').objectStore('records').getAll(IDBKeyRange.bound([row.id], [row.id, []])));
          return recs.map((r) => r.key);
        }
        case 'put':
          await req(rw().objectStore('records').put({ ws: row.id, key: a.key, data: seal(a.key, new TextEncoder().encode(a.text)) }));
          return null;
        case 'flip': {
          const t = rw();
          const rec = await req(t.objectStore('records').get([row.id, a.key]));
          const data = new Uint8Array(rec.data);
          const at = a.at === undefined ? data.length >> 1 : a.at;
          data[at] ^= 0x10;
          await req(t.objectStore('records').put({ ...rec, data }));
          return null;
        }
        case 'legacy': {
          const t = rw();
          const recs = await req(t.objectStore('records').getAll(IDBKeyRange.bound([row.id], [row.id, []])));
          for (const rec of recs) {
            if (!sealed(rec.key, rec.data)) throw new Error(`record ${rec.key} is not sealed`);
            await req(t.objectStore('records').put({ ...rec, data: rec.data.slice(0, rec.data.length - 4) }));
          }
          await req(t.objectStore('workspaces').put({ ...row, schema: 1 }));
          return null;
        }
        case 'unsealed': {
          const recs = await req(db.transaction('records').objectStore('records').getAll(IDBKeyRange.bound([row.id], [row.id, []])));
          return recs.filter((r) => !sealed(r.key, r.data)).map((r) => r.key);
        }
        case 'putString':
          await req(rw().objectStore('records').put({ ws: row.id, key: a.key, data: a.text }));
          return null;
        case 'putNumberKey':
          await req(rw().objectStore('records').put({ ws: row.id, key: a.number, data: new TextEncoder().encode(a.text) }));
          return null;
        case 'schema':
          await req(rw().objectStore('workspaces').put({ ...row, schema: a.schema }));
          return null;
        case 'meta': {
          const t = rw();
          const rec = await req(t.objectStore('records').get([row.id, 'meta']));
          const doc = JSON.parse(new TextDecoder().decode(rec.data.subarray(0, rec.data.length - 4)));
          doc.version = a.version;
          await req(t.objectStore('records').put({ ...rec, data: seal('meta', new TextEncoder().encode(JSON.stringify(doc))) }));
          return null;
        }
        default:
          throw new Error(`unknown action ${a.action}`);
      }
    } finally {
      db.close();
    }
  }, args);
}

// failNextSave makes the page's engine worker refuse its next write of a
// record as a full disk does (QuotaExceededError), once. It patches the
// worker's IndexedDB from the test (Playwright's worker.evaluate): nothing
// in the site can do this.
async function failNextSave(page) {
  const worker = page.workers().find((w) => /\/worker\.js(\?|$)/.test(w.url()));
  if (!worker) throw new Error('the engine worker is not running');
  await worker.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...a) {
      if (this.name === 'records') {
        IDBObjectStore.prototype.put = put;
        throw new DOMException('simulated full disk', 'QuotaExceededError');
      }
      return put.apply(this, a);
    };
  });
}

module.exports = { failNextSave, openConsole, focusConsole, typeLine, run, prompt, line, logText, logCount, done, waitDone, answer, wsAction, showTab, idb };
