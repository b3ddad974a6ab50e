// journal.js — the page's record of everything typed in each workspace and
// what it printed, so that a transcript covers the workspace's whole
// history since it was created, across reloads; and what decides whether
// that transcript replays byte for byte.
//
// It is kept in IndexedDB in a database of its own (hsmsim:journal:NS),
// apart from the workspaces' records: losing it loses no key, only the
// text of old sessions. For each workspace: its steps [{prompt, input,
// output}] (hidden answers already masked by the console) and a meta
// {fresh, seed, mixed}: fresh when the journal began with the workspace
// (nothing had been typed in it yet), seed the page's seed then, mixed when
// a later session ran with another seed or none.

const DB_VERSION = 1;

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(t) {
  return new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('aborted'));
  });
}

export class Journal {
  // open resolves with a Journal, or with null when IndexedDB is not
  // available (the page then keeps only this session's steps).
  static async open(ns) {
    try {
      const r = indexedDB.open(`hsmsim:journal:${ns}`, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('steps')) db.createObjectStore('steps', { autoIncrement: true }).createIndex('ws', 'ws');
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'ws' });
      };
      return new Journal(await req(r));
    } catch {
      return null;
    }
  }

  constructor(db) {
    this.db = db;
  }

  meta(ws) {
    return req(this.db.transaction('meta').objectStore('meta').get(ws)).then((m) => m || null);
  }

  // begin notes a workspace the page opened: a journal starts for it if it
  // has none (fresh when nothing was typed in it yet); a session with
  // another seed than the journal's makes it mixed.
  async begin(ws, { typed, seed }) {
    if (!ws) return null;
    const t = this.db.transaction('meta', 'readwrite');
    const store = t.objectStore('meta');
    let m = await req(store.get(ws));
    if (!m) m = { ws, fresh: !typed, seed: seed || '', mixed: false };
    else if ((m.seed || '') !== (seed || '')) m.mixed = true;
    store.put(m);
    await done(t);
    // A new page session: the tools' sessions ended with the last one.
    const t2 = this.db.transaction('steps', 'readwrite');
    t2.objectStore('steps').add({ ws, boundary: true });
    await done(t2);
    return m;
  }

  // append keeps one step, with the prompt after it (after).
  append(ws, step, after = '') {
    if (!ws) return Promise.resolve();
    const t = this.db.transaction('steps', 'readwrite');
    t.objectStore('steps').add({ ws, prompt: step.prompt, input: step.input, output: step.output, after });
    return done(t);
  }

  // steps are the workspace's steps in order; steps.broken tells whether a
  // page session ended inside a tool (a reload logs out and goes back to
  // the $ prompt, which a replay of the steps as one session does not).
  async steps(ws) {
    const rows = await req(this.db.transaction('steps').objectStore('steps').index('ws').getAll(ws));
    const out = [];
    let last = null;
    out.broken = false;
    for (const r of rows) {
      if (r.boundary) {
        if (last && last.after !== '$ ') out.broken = true;
        continue;
      }
      out.push({ prompt: r.prompt, input: r.input, output: r.output });
      last = r;
    }
    return out;
  }

  // restart forgets a workspace's journal (a reset or a delete): a reset
  // workspace is fresh again.
  async restart(ws, { fresh, seed }) {
    const t = this.db.transaction(['steps', 'meta'], 'readwrite');
    const keys = await req(t.objectStore('steps').index('ws').getAllKeys(ws));
    for (const k of keys) t.objectStore('steps').delete(k);
    if (fresh === undefined) t.objectStore('meta').delete(ws);
    else t.objectStore('meta').put({ ws, fresh, seed: seed || '', mixed: false });
    await done(t);
  }
}

// replayable says whether a journal's transcript replays byte for byte, and
// if not, why, in words for its reader.
export function replayable(meta, steps = []) {
  if (steps.broken) return { ok: false, why: 'a reload ended a key_mgmt_util or cloudhsm_mgmt_util session in the middle (the page starts again at $, logged out), which a replay of the steps as one session does not do; leave the tool (exit, quit) before reloading' };
  if (!meta) return { ok: false, why: 'this workspace already held work when this page began to record it' };
  if (!meta.fresh) return { ok: false, why: 'the workspace already held work when its transcript began' };
  if (!meta.seed) return { ok: false, why: 'the workspace was not opened with a seed (?seed=N), so its keys and random output differ on every run' };
  if (meta.mixed) return { ok: false, why: 'the workspace was used in sessions with different seeds' };
  return { ok: true, why: '' };
}

// annotate marks a Markdown transcript that does not replay: the header
// keeps no seed (it would not reproduce the output), and a note under it
// says why, in prose, which `hsmsim run --check` ignores.
export function annotate(markdown, verdict) {
  if (verdict.ok) return markdown;
  const lines = markdown.split('\n');
  let i = 0;
  if (/^<!-- hsmsim .*-->$/.test(lines[0])) {
    lines[0] = lines[0].replace(/ seed=\d+/, '');
    i = 1;
  }
  lines.splice(i, 0, '', `> **Not replayable byte for byte:** ${verdict.why}. \`hsmsim run --check\` will show differences. `
    + 'For a transcript that replays, use Transcript → "New seeded workspace" and type the session there.');
  return lines.join('\n');
}
