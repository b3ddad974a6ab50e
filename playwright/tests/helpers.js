// helpers.js — driving the playground page as a user does: type a line,
// press Enter, read what the console printed.
const { expect } = require('@playwright/test');

// openConsole loads the page and waits for the first ready prompt.
async function openConsole(page, query = '') {
  await page.goto(`/${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.locator('#line')).toBeEnabled();
}

// logCount is the number of entries in the console log.
function logCount(page) {
  return page.locator('#log > *').count();
}

// logText is the text of the log entries from index `from` on.
function logText(page, from = 0) {
  return page.$$eval('#log > *', (els, n) => els.slice(n).map((e) => e.textContent).join('\n'), from);
}

// run types one line and waits until the page has shown its answer; it
// returns what the console printed for it (the echoed line first).
async function run(page, line, { timeout = 60_000 } = {}) {
  const body = page.locator('body');
  const done = Number((await body.getAttribute('data-done')) || 0);
  const before = await logCount(page);
  const input = page.locator('#line');
  await input.fill(line);
  await input.press('Enter');
  await expect(body).toHaveAttribute('data-done', String(done + 1), { timeout });
  await expect(body).toHaveAttribute('data-state', 'ready');
  return logText(page, before);
}

// prompt is the prompt the page shows now.
function prompt(page) {
  return page.locator('#prompt').textContent();
}

// idb changes or reads the namespace's IndexedDB from the page, the way a
// damaged disk or a newer hsmsim would leave it. The page's CSP forbids
// eval, so the actions are spelled out here rather than passed as code.
//   {action: 'workspace', name}                       -> the workspace row
//   {action: 'put', name, key, text}                  -> overwrite one record
//   {action: 'schema', name, schema}                  -> set the workspace's schema
//   {action: 'keys', name}                            -> the record keys
//   {action: 'meta', name, version}                   -> rewrite meta's version
function idb(page, args) {
  return page.evaluate(async (a) => {
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
          await req(rw().objectStore('records').put({ ws: row.id, key: a.key, data: new TextEncoder().encode(a.text) }));
          return null;
        case 'schema':
          await req(rw().objectStore('workspaces').put({ ...row, schema: a.schema }));
          return null;
        case 'meta': {
          const t = rw();
          const rec = await req(t.objectStore('records').get([row.id, 'meta']));
          const doc = JSON.parse(new TextDecoder().decode(rec.data));
          doc.version = a.version;
          await req(t.objectStore('records').put({ ...rec, data: new TextEncoder().encode(JSON.stringify(doc)) }));
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

module.exports = { openConsole, run, prompt, logText, logCount, idb };
