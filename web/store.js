// store.js — hsmsim's workspaces in IndexedDB, used by the worker only.
//
// One database per namespace ("hsmsim:site" for the playground, later one
// per embed), so two pages never share a cluster by accident. Stores:
//   workspaces  {id, name, created, updated, revision, schema}
//   records     {ws, key, data: Uint8Array}, keyed by [ws, key]; data is the
//               record followed by its checksum (RECORD_SCHEMA 2); the keys are
//               those of engine/state's record form ("meta", "k/<handle>",
//               "f/<name>")
//   history     {seq, ws, line, at}, the lines typed, by workspace
//   settings    {key, value}, e.g. the workspace last used
//
// Every function that writes does so in ONE transaction and resolves only
// when that transaction has completed. Inside a transaction nothing is
// awaited but the transaction's own requests (their callbacks issue the
// next ones): awaiting anything else lets IndexedDB commit the transaction
// early, and a later request would then fail.

// DB_VERSION is the database layout; MIGRATIONS[v] upgrades v to v+1.

// WORKSPACE_SETTINGS are the settings kept per workspace, as "<key>:<id>".
const WORKSPACE_SETTINGS = ['scenario', 'tour'];

export const DB_VERSION = 1;
// RECORD_SCHEMA is the layout of a workspace's records this code writes and
// reads (engine/state's RecordSchema): 1, the bare records; 2, each record
// ending in its checksum (CRC-32C of key and payload), which the engine
// checks on every load. A workspace of schema 1 is read as it is and then
// rewritten whole at schema 2 (commit with replace).
export const RECORD_SCHEMA = 2;

const MIGRATIONS = [
  (db) => {
    const ws = db.createObjectStore('workspaces', { keyPath: 'id' });
    ws.createIndex('name', 'name', { unique: true });
    db.createObjectStore('records', { keyPath: ['ws', 'key'] });
    const h = db.createObjectStore('history', { keyPath: 'seq', autoIncrement: true });
    h.createIndex('ws', 'ws');
    db.createObjectStore('settings', { keyPath: 'key' });
  },
];

// HISTORY_KEEP is how many lines of history a workspace keeps loaded.
const HISTORY_KEEP = 500;

// StoreError says what went wrong in words a user can act on; kind is one
// of 'newer-db', 'unavailable', 'quota', 'blocked', 'conflict', 'exists',
// 'missing', 'failed'.
export class StoreError extends Error {
  constructor(kind, message, cause) {
    super(message);
    this.kind = kind;
    this.cause = cause;
  }
}

function classify(err, what) {
  const name = err && err.name;
  if (name === 'QuotaExceededError') {
    return new StoreError('quota', `${what}: the browser's storage quota is used up (QuotaExceededError)`, err);
  }
  if (name === 'VersionError') {
    return new StoreError('newer-db', `${what}: the saved workspaces were written by a newer hsmsim (database layout newer than ${DB_VERSION})`, err);
  }
  if (name === 'ConstraintError') {
    return new StoreError('exists', `${what}: a workspace of that name exists already`, err);
  }
  if (err instanceof StoreError) return err;
  return new StoreError('failed', `${what}: ${name || 'Error'}: ${(err && err.message) || err}`, err);
}

// openStore opens (creating or upgrading) the namespace's database.
export function openStore(ns, { onVersionChange } = {}) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = indexedDB.open(`hsmsim:${ns}`, DB_VERSION);
    } catch (err) {
      reject(new StoreError('unavailable', `storage is not available here: ${err.message}`, err));
      return;
    }
    req.onupgradeneeded = (ev) => {
      const db = req.result;
      for (let v = ev.oldVersion; v < DB_VERSION; v++) MIGRATIONS[v](db, req.transaction);
    };
    req.onblocked = () => {
      reject(new StoreError('blocked', 'storage is held by another tab running an older hsmsim: close or reload the other tabs'));
    };
    req.onerror = () => {
      const err = req.error;
      reject(err && err.name === 'VersionError' ? classify(err, 'cannot open the saved workspaces')
        : new StoreError('unavailable', `storage is not available here (${err ? err.name : 'unknown error'}${err && err.message ? ': ' + err.message : ''})`, err));
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        if (onVersionChange) onVersionChange();
      };
      resolve(new Store(db));
    };
  });
}

// wsRange covers every [ws, key] of one workspace: arrays sort after
// strings, so [ws, []] is above every [ws, "..."].
function wsRange(ws) {
  return IDBKeyRange.bound([ws], [ws, []]);
}

// packRecords packs records ({keys, values}) into one Uint8Array for the
// engine (wasm/browser/packed.go): per record a big-endian u32 length and
// the key in UTF-8, then a u32 length and the value's bytes, or u32
// 0xFFFFFFFF and nothing when the value is not a Uint8Array (a damaged
// store: the engine names the record and the workspace is marked damaged).
// One buffer crosses into Go in one copy; a string and an array per record
// cost thousands of calls across the boundary for a large workspace.
export function packRecords(keys, values) {
  const enc = new TextEncoder();
  const ks = keys.map((k) => enc.encode(String(k)));
  let size = 0;
  for (let i = 0; i < ks.length; i++) {
    size += 8 + ks[i].length + (values[i] instanceof Uint8Array ? values[i].length : 0);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < ks.length; i++) {
    view.setUint32(at, ks[i].length);
    out.set(ks[i], at + 4);
    at += 4 + ks[i].length;
    const v = values[i];
    if (v instanceof Uint8Array) {
      view.setUint32(at, v.length);
      out.set(v, at + 4);
      at += 4 + v.length;
    } else {
      view.setUint32(at, 0xFFFFFFFF);
      at += 4;
    }
  }
  return out;
}

function newId() {
  const b = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class Store {
  constructor(db) {
    this.db = db;
  }

  // tx runs body(tx) in one transaction; body issues requests and may
  // chain further ones from their onsuccess callbacks, and sets tx.result.
  // The promise settles when the transaction completes or aborts.
  tx(stores, mode, what, body, durability = 'strict') {
    return new Promise((resolve, reject) => {
      let t;
      try {
        t = this.db.transaction(stores, mode, { durability });
      } catch (err) {
        reject(classify(err, what));
        return;
      }
      t.oncomplete = () => resolve(t.result);
      t.onabort = () => reject(t.failure || classify(t.error || new Error('transaction aborted'), what));
      t.fail = (err) => {
        t.failure = err;
        t.abort();
      };
      try {
        body(t);
      } catch (err) {
        t.failure = classify(err, what);
        try { t.abort(); } catch { /* already finished */ }
      }
    });
  }

  listWorkspaces() {
    return this.tx(['workspaces'], 'readonly', 'cannot list the workspaces', (t) => {
      const r = t.objectStore('workspaces').getAll();
      r.onsuccess = () => { t.result = r.result.sort((a, b) => a.created - b.created || (a.name < b.name ? -1 : 1)); };
    });
  }

  getWorkspace(id) {
    return this.tx(['workspaces'], 'readonly', 'cannot read the workspace', (t) => {
      const r = t.objectStore('workspaces').get(id);
      r.onsuccess = () => { t.result = r.result || null; };
    });
  }

  // readWorkspace returns the workspace row and all its records from one
  // transaction, so revision and records always agree.
  readWorkspace(id) {
    return this.tx(['workspaces', 'records'], 'readonly', 'cannot read the workspace', (t) => {
      const out = { row: null, keys: [], values: [] };
      t.result = out;
      const r = t.objectStore('workspaces').get(id);
      r.onsuccess = () => { out.row = r.result || null; };
      const c = t.objectStore('records').getAll(wsRange(id));
      c.onsuccess = () => {
        for (const rec of c.result) {
          // A key that is not a string (a damaged store) is passed on
          // without its value: the engine names it as a record that cannot
          // be read, and the workspace is marked damaged, not the page.
          const named = typeof rec.key === 'string';
          out.keys.push(named ? rec.key : String(rec.key));
          out.values.push(named ? rec.data : undefined);
        }
      };
    });
  }

  // createWorkspace adds a workspace with its records and history. The
  // default workspace a first visit makes can be written with relaxed
  // durability: lost in a crash, it is made again the same.
  createWorkspace(name, records, history = [], durability = 'strict') {
    const now = Date.now();
    const row = { id: newId(), name, created: now, updated: now, revision: 1, schema: RECORD_SCHEMA };
    return this.tx(['workspaces', 'records', 'history'], 'readwrite', `cannot create workspace "${name}"`, (t) => {
      t.objectStore('workspaces').add(row);
      const recs = t.objectStore('records');
      records.keys.forEach((key, i) => recs.put({ ws: row.id, key, data: records.values[i] }));
      const h = t.objectStore('history');
      for (const line of history.slice(-HISTORY_KEEP)) h.add({ ws: row.id, line, at: now });
      t.result = row;
    }, durability);
  }

  // commit writes one command's change: puts and deletes records, adds
  // the history line, and bumps the revision, all in one transaction. The
  // revision must still be `expect` (the caller holds the workspace's lock).
  // With replace, puts are the whole workspace: every other record goes and
  // the workspace takes this code's record schema (the rewrite of a
  // workspace stored in an older one).
  commit(id, expect, puts, dels, line, replace = false) {
    return this.tx(['workspaces', 'records', 'history'], 'readwrite', 'the change was not saved', (t) => {
      const ws = t.objectStore('workspaces');
      const g = ws.get(id);
      g.onsuccess = () => {
        const row = g.result;
        if (!row) {
          t.fail(new StoreError('missing', 'the change was not saved: the workspace was deleted in another tab'));
          return;
        }
        if (row.revision !== expect) {
          t.fail(new StoreError('conflict', `the change was not saved: the workspace is at revision ${row.revision}, this tab at ${expect}`));
          return;
        }
        try {
          const recs = t.objectStore('records');
          if (replace) {
            recs.delete(wsRange(id));
            row.schema = RECORD_SCHEMA;
          }
          for (const key of dels || []) recs.delete([id, key]);
          if (puts) puts.keys.forEach((key, i) => recs.put({ ws: id, key, data: puts.values[i] }));
          if (line) t.objectStore('history').add({ ws: id, line, at: Date.now() });
          row.revision += 1;
          row.updated = Date.now();
          ws.put(row);
          t.result = row.revision;
        } catch (err) {
          // put throws at once for what cannot be stored (a full disk in some
          // browsers): nothing of the transaction is kept.
          t.fail(classify(err, 'the change was not saved'));
        }
      };
    });
  }

  // replaceRecords puts a whole new set of records in place (reset).
  replaceRecords(id, records) {
    return this.tx(['workspaces', 'records'], 'readwrite', 'cannot reset the workspace', (t) => {
      const ws = t.objectStore('workspaces');
      const g = ws.get(id);
      g.onsuccess = () => {
        const row = g.result;
        if (!row) {
          t.fail(new StoreError('missing', 'the workspace no longer exists'));
          return;
        }
        const recs = t.objectStore('records');
        recs.delete(wsRange(id));
        records.keys.forEach((key, i) => recs.put({ ws: id, key, data: records.values[i] }));
        row.revision += 1;
        row.updated = Date.now();
        row.schema = RECORD_SCHEMA;
        ws.put(row);
        t.result = row;
      };
    });
  }

  addHistory(id, line) {
    return this.tx(['history'], 'readwrite', 'cannot save the history', (t) => {
      t.objectStore('history').add({ ws: id, line, at: Date.now() });
    });
  }

  // history returns the workspace's last lines, oldest first.
  history(id, limit = HISTORY_KEEP) {
    return this.tx(['history'], 'readonly', 'cannot read the history', (t) => {
      const out = [];
      t.result = out;
      const c = t.objectStore('history').index('ws').openCursor(IDBKeyRange.only(id), 'prev');
      c.onsuccess = () => {
        const cur = c.result;
        if (!cur || out.length >= limit) {
          out.reverse();
          return;
        }
        out.push(cur.value.line);
        cur.continue();
      };
    });
  }

  renameWorkspace(id, name) {
    return this.tx(['workspaces'], 'readwrite', `cannot rename the workspace to "${name}"`, (t) => {
      const ws = t.objectStore('workspaces');
      const g = ws.get(id);
      g.onsuccess = () => {
        if (!g.result) {
          t.fail(new StoreError('missing', 'the workspace no longer exists'));
          return;
        }
        const row = { ...g.result, name, updated: Date.now() };
        ws.put(row);
        t.result = row;
      };
    });
  }

  // deleteWorkspace removes a workspace with everything kept for it: its
  // records, history, and the settings named after it (its scenario, the
  // tour's progress and step snapshot), in one transaction.
  deleteWorkspace(id) {
    return this.tx(['workspaces', 'records', 'history', 'settings'], 'readwrite', 'cannot delete the workspace', (t) => {
      t.objectStore('workspaces').delete(id);
      t.objectStore('records').delete(wsRange(id));
      for (const key of WORKSPACE_SETTINGS) t.objectStore('settings').delete(`${key}:${id}`);
      const c = t.objectStore('history').index('ws').openKeyCursor(IDBKeyRange.only(id));
      const h = t.objectStore('history');
      c.onsuccess = () => {
        const cur = c.result;
        if (cur) {
          h.delete(cur.primaryKey);
          cur.continue();
        }
      };
    });
  }

  getSetting(key) {
    return this.tx(['settings'], 'readonly', 'cannot read the settings', (t) => {
      const r = t.objectStore('settings').get(key);
      r.onsuccess = () => { t.result = r.result ? r.result.value : undefined; };
    });
  }

  setSetting(key, value) {
    return this.tx(['settings'], 'readwrite', 'cannot save the settings', (t) => {
      t.objectStore('settings').put({ key, value });
    });
  }
}
