// worker.js — the hsmsim engine's home: a dedicated module Worker that runs
// the Go engine (engine.wasm) and owns the IndexedDB storage, so the page's
// main thread never waits for a key generation or a 3,300-key load.
//
// Page -> worker: {id, op, args}. Worker -> page: {id, ok: true, result}
// or {id, ok: false, error: {message, kind}}, and events {event, ...}.
// Messages are queued and handled one at a time, in order: Go never yields
// to JavaScript in the middle of a computation, and a command must not
// start before the previous one's change is committed.
//
// Operations (result in brackets):
//   init {ns, seed, storage, scenario}
//                              [{workspace, workspaces, prompt, mode, history, notices, memoryOnly}]
//                              storage 'none': one workspace in memory, nothing stored (embeds);
//                              scenario: what a new workspace (or the memory one) starts from
//   exec {line}                [reply: output, prompt, mode, asking, secret, changed, exit,
//                               touched, calls (each HSM call: {api, rc, nodes, handles, value}),
//                               engineMs, saved, saveError, revision,
//                               masked: the line as history keeps it,
//                               undone: the store refused the change, so the
//                               command was rolled back; output, calls and
//                               touched are empty and saveError says why]
//   interrupt                  [reply]  Ctrl-C: drops a pending question
//   complete {line}            [string[]]
//   summary                    [{mode, keys, users, nodes, files}]
//   files.list                 [[{name, size}]]
//   files.read {name}          [Uint8Array]
//   files.write {name, data}   [{files}]  data: Uint8Array (upload)
//   files.remove {name}        [{files}]
//   ws.list                    [workspaces]
//   ws.create {name, scenario} [{workspace, workspaces, prompt, mode, history}]  scenario: a built-in one
//   ws.switch {id}             [same]
//   ws.rename {id, name}       [workspaces]
//   ws.delete {id}             [same as switch when the open one was deleted, else workspaces]
//   ws.reset {id}              [same as switch]  back to the default cluster
//   ws.export                  [{filename, data: Uint8Array, skipped}]
//   ws.import {data, filename} [same as switch]
//   memory                     [{wasmBytes, heapAlloc, heapSys, sys}]
//   engine.exit {code}         ends the Go program; the worker restarts it
//   scenarios                  [[{name, title, description}]]  the built-in scenarios
//   tour.tours                 [[{id, title, intro, tool, steps}]]  every tour, the SDK 3 one first
//   tour.steps {tour?}         [[{id, title, why, commands, tool, notice}]]  a tour's steps (the first)
//   tour.mark                  [marks]  the state a step starts from
//   tour.status {marks, step, calls?}  [[{id, done}]]  every step of the first tour (or the one
//                              named) judged against marks and the calls of the reply just given
//   tour.explain {calls}       [[{code, meaning, fix}]]  the return codes of a reply's calls
//   tour.notes {calls}         [[string]]  what a reply's calls show (key references as handles)
//   tour.load {tour?}          [{workspace, scenario, progress: {current, done, marks, resettable} | null}]
//   tour.begin {tour?, step, done}  [progress]  step starts now: its marks and a checkpoint to reset to
//   tour.save {tour?, current, done}  [progress]  (a new current step drops the old one's marks)
//   tour.reset {tour?}         [{prompt, mode, progress}]  the workspace back to the current
//                              step's start, keeping the tool and login; emits 'changed'
//   transcript.markdown {steps} [{filename, data: Uint8Array}]  steps: [{prompt, input, output}];
//                              the docs' style with seed and scenario, for hsmsim run --check
//   transcript.script {steps}  [{filename, data: Uint8Array}]  the lines typed, passwords masked
// Events:
//   {event: 'notice', level: 'info'|'warn'|'error', text}
//   {event: 'workspaces', workspace, workspaces}   the list or the open one changed
//   {event: 'changed', by: 'other-tab'}            another tab changed this workspace
//   {event: 'changed', by: 'tour-reset', workspace} a tour step put the workspace back
//   {event: 'restarted', prompt, mode}             the engine was restarted
//   {event: 'history', history}                    during init, as soon as the
//                              workspace is read (before the engine is ready):
//                              the lines init's reply will hold, for the Up key
//
// Two tabs on one workspace: every command runs under a Web Lock named for
// the workspace; inside it the stored revision is compared with this tab's,
// and a newer one is loaded (keeping this tab's login and session keys)
// before the command runs. After a commit a BroadcastChannel message lets
// the other tabs refresh. A commit the store refuses (a full disk) rolls
// the command back under the same lock, before anything else runs: the
// engine returns to the stored state and the user is told the command did
// not happen, without its output, so a handle it gave out is never shown
// and another tab may use it (see rollBack).
//
// Ending the page ends the worker and the login session with it: session
// keys and logins are never stored, as quitting the real tool drops them.

import './wasm_exec.js';
import { openStore, packRecords, RECORD_SCHEMA, StoreError } from './store.js';

const st = {
  ns: 'site',
  seed: '',
  scenario: '',      // init's scenario: the memory workspace's and a first workspace's
  tourMem: {},       // each tour's progress when nothing is stored
  store: null,       // Store, or null when running without storage
  memoryOnly: false,
  eng: null,         // {api, instance, exited, alive, expected}
  module: null,      // the compiled engine, kept for restarts
  ws: null,          // {id, name, revision, broken: null | {kind, message}, gone}
  channel: null,
  pendingAnswer: false, // the next line answers a question: not kept in history
  locks: typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null,
};

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

function notice(level, text) {
  post({ event: 'notice', level, text });
}

// --- the Go engine --------------------------------------------------------

class EngineStopped extends Error {
  constructor(code) {
    super(`the engine stopped (exit code ${code}) while working on this; the change was not saved`);
    this.kind = 'stopped';
  }
}

// timings are the worker's milestones (ms since the worker started), for
// the benchmarks' breakdown of a load.
const timings = { started: performance.now() };

// engine.wasm is fetched and compiled here, from the moment this module
// runs, before init arrives: compiling where the stream is consumed, in
// this worker, costs the page's main thread nothing (a compile started by
// the page, WebAssembly.compileStreaming there, kept its main thread busy
// reading the stream; BENCHMARKS.md has both figures). A server that does
// not send application/wasm gets the plain compile of the bytes.
const engineURL = new URL('./engine.wasm', import.meta.url);
const compiling = WebAssembly.compileStreaming(fetch(engineURL))
  .catch(async () => WebAssembly.compile(await (await fetch(engineURL)).arrayBuffer()));
compiling.catch(() => {});
let firstEngine = null;

function engineStarted() {
  if (!firstEngine) {
    firstEngine = compiling.then((m) => {
      st.module = m;
      timings.compiled = performance.now();
      return startEngine();
    });
    firstEngine.catch(() => {});
  }
  return firstEngine;
}

async function startEngine() {
  const go = new Go();
  let exitCode = 0;
  go.exit = (code) => { exitCode = code; };
  if (!st.module) st.module = await compiling;
  const instance = await WebAssembly.instantiate(st.module, go.importObject);
  const eng = { api: null, instance, alive: true, expected: false };
  timings.instantiated = timings.instantiated || performance.now();
  eng.exited = go.run(instance).then(() => exitCode);
  timings.engine = timings.engine || performance.now();
  eng.api = globalThis.hsmsimEngine;
  if (!eng.api) throw new Error('the engine did not start');
  eng.exited.then((code) => {
    eng.alive = false;
    if (st.eng === eng) enqueue(() => restart(eng, code));
  });
  st.eng = eng;
  return eng;
}

// call runs one engine function and waits for its Promise, or for the
// program's end if it exits meanwhile.
async function call(name, ...args) {
  const eng = st.eng;
  if (!eng || !eng.alive) throw new EngineStopped('?');
  let p;
  try {
    p = eng.api[name](...args);
  } catch (err) {
    // A trap inside the Go program leaves it unusable.
    eng.alive = false;
    enqueue(() => restart(eng, 'trap'));
    throw new Error(`the engine failed: ${err.message}`);
  }
  return Promise.race([p, eng.exited.then((code) => { throw new EngineStopped(code); })]).catch((err) => {
    // A key record is decoded at the key's first use (engine/internal/hsm
    // lazy.go): one found damaged then marks the workspace damaged, as
    // opening it would have.
    if (FIRST_USE.has(name) && markBroken(err)) {
      const text = describeBroken(st.ws);
      // A command's answer is the error itself; anything else (the
      // panels' summary) is told in the console.
      if (name !== 'exec' && name !== 'interrupt') notice('error', text);
      throw Object.assign(new Error(text), { kind: err.kind });
    }
    throw err;
  });
}

// FIRST_USE are the engine calls that may decode a key record first.
const FIRST_USE = new Set(['exec', 'interrupt', 'summary', 'complete', 'completions', 'tourMark', 'tourStatus', 'tourStatusAfter', 'checkpoint', 'exportBackup', 'records']);

async function restart(old, code) {
  if (st.eng !== old) return;
  st.eng = null;
  const why = old.expected ? `The engine was stopped on request (exit code ${code}).` : `The engine stopped unexpectedly (exit code ${code}).`;
  try {
    await startEngine();
    if (st.ws && !st.ws.gone) {
      await openWorkspace(st.ws.id);
    } else if (st.memoryOnly) {
      await openMemory();
    }
    const where = st.memoryOnly ? 'a new in-memory workspace (storage is unavailable)' : `the saved workspace "${st.ws.name}" (revision ${st.ws.revision})`;
    notice('warn', `${why} It was restarted from ${where}: every acknowledged command is kept; the login session ended and session keys are gone.`);
    post({ event: 'restarted', prompt: '$ ', mode: 'host' });
  } catch (err) {
    notice('error', `${why} Restarting it failed: ${err.message}. Reload the page.`);
  }
}

// --- queue ----------------------------------------------------------------

let queue = Promise.resolve();

function enqueue(fn) {
  const p = queue.then(fn);
  queue = p.catch(() => {});
  return p;
}

self.onmessage = (ev) => {
  const msg = ev.data || {};
  enqueue(() => handle(msg));
};

async function handle(msg) {
  const op = OPS[msg.op];
  if (!op) {
    post({ id: msg.id, ok: false, error: { message: `unknown operation ${msg.op}`, kind: 'invalid' } });
    return;
  }
  try {
    const result = await op(msg.args || {});
    const transfer = result && result.data instanceof Uint8Array ? [result.data.buffer] : [];
    post({ id: msg.id, ok: true, result }, transfer);
  } catch (err) {
    post({ id: msg.id, ok: false, error: { message: err.message || String(err), kind: err.kind || 'failed' } });
  }
}

// --- workspaces -----------------------------------------------------------

function withLock(fn) {
  if (!st.locks || !st.ws) return fn();
  return st.locks.request(`hsmsim:${st.ns}:${st.ws.id}`, fn);
}

function broadcast(msg) {
  if (st.channel) st.channel.postMessage({ ...msg, ns: st.ns });
}

// wayOut is what a user can do about a workspace that does not open.
function wayOut(kind) {
  if (kind === 'too-new') {
    return 'Nothing was changed. Open it with the newer hsmsim that wrote it, or use "New" to start another workspace (this one stays as it is).';
  }
  return 'Nothing was deleted. Use "Export" to save what can still be read as a backup, then "Import" it or start over with "New" or "Reset"; or switch to another workspace.';
}

function describeBroken(ws) {
  const b = ws.broken;
  const head = b.kind === 'too-new'
    ? `Workspace "${ws.name}" was written by a newer version of hsmsim and cannot be opened: ${b.message}.`
    : `Workspace "${ws.name}" cannot be opened: ${b.message}.`;
  return `${head} ${wayOut(b.kind)}`;
}

// openWorkspace loads a stored workspace into the engine. A workspace that
// cannot be read stays as it is and is marked broken: commands are refused
// with the way out, nothing is written.
async function openWorkspace(id, readAlready) {
  const snap = readAlready || await st.store.readWorkspace(id);
  if (!snap.row) throw new StoreError('missing', 'that workspace no longer exists');
  const row = snap.row;
  st.ws = { id, name: row.name, revision: row.revision, broken: null, gone: false };
  st.pendingAnswer = false;
  let info = { prompt: '$ ', mode: 'host' };
  if (row.schema > RECORD_SCHEMA) {
    st.ws.broken = { kind: 'too-new', message: `its storage schema is ${row.schema}, this version reads up to ${RECORD_SCHEMA}` };
  } else {
    try {
      info = JSON.parse(await call('open', stored(snap), st.seed));
    } catch (err) {
      if (err.kind !== 'damaged' && err.kind !== 'too-new') throw err;
      st.ws.broken = { kind: err.kind, message: err.message };
    }
  }
  if (info.rewrite) {
    // Stored before records had checksums: rewritten whole now, or (if
    // that fails) by the next command's save.
    st.ws.rewrite = true;
    await withLock(() => rewrite('')).catch(() => {});
  }
  delete info.rewrite;
  await st.store.setSetting('current', id).catch(() => {});
  if (st.ws.broken) notice('error', describeBroken(st.ws));
  const history = snap.history || await st.store.history(id).catch(() => []);
  return { ...info, history };
}

// stored is a workspace's records as the engine reads them, packed into
// one buffer (packRecords), with the record schema they were stored in (1
// when the row predates schemas).
function stored(snap) {
  return { packed: packRecords(snap.keys, snap.values), schema: (snap.row && snap.row.schema) || 1 };
}

// rewrite stores the open workspace's records whole, at this code's record
// schema, with a history line; the revision must not have moved. Called
// with the workspace's lock held.
async function rewrite(line) {
  const recs = await call('records');
  const rev = await st.store.commit(st.ws.id, st.ws.revision, recs, [], line, true);
  st.ws.revision = rev;
  st.ws.rewrite = false;
  broadcast({ type: 'changed', ws: st.ws.id, revision: rev });
  return rev;
}

// fetchDefaults reads the default workspace's records that the site build
// wrote (defaults.json): on a first visit that saves having the engine
// build them while its code runs for the first time. null when missing.
async function fetchDefaults() {
  try {
    const r = await fetch(new URL('./defaults.json', import.meta.url));
    if (!r.ok) return null;
    const j = await r.json();
    if (!j || j.format !== 'hsmsim-records' || j.schema !== RECORD_SCHEMA || typeof j.records !== 'object') return null;
    const keys = Object.keys(j.records).sort();
    const values = keys.map((k) => Uint8Array.from(atob(j.records[k]), (c) => c.charCodeAt(0)));
    return { keys, values };
  } catch {
    return null;
  }
}

// openMemory opens a workspace that is not stored: the scenario's, or the
// default one, from the prebuilt defaults.json when it was fetched (as a
// first visit does; prebuilt is fetchDefaults' promise) rather than built
// by the engine.
async function openMemory(prebuilt = null) {
  const scen = st.scenario && st.scenario !== 'default' ? st.scenario : '';
  const recs = scen ? await call('scenarioRecords', scen) : (prebuilt && await prebuilt) || await call('defaults');
  const info = JSON.parse(await call('open', recs, st.seed));
  st.ws = null;
  return { ...info, history: [] };
}

function wsInfo() {
  if (!st.ws) return { id: '', name: 'temporary (not saved)', revision: 0, broken: null };
  return { id: st.ws.id, name: st.ws.name, revision: st.ws.revision, broken: st.ws.broken };
}

async function listAll() {
  return st.store ? st.store.listWorkspaces() : [];
}

async function opened(info) {
  return { ...info, workspace: wsInfo(), workspaces: await listAll() };
}

function requireStore() {
  if (!st.store) throw Object.assign(new Error('storage is unavailable in this browser, so there is only this temporary workspace; Export keeps it'), { kind: 'unavailable' });
}

function cleanName(name) {
  const n = String(name || '').trim();
  if (!n || n.length > 64) throw Object.assign(new Error('a workspace name has 1 to 64 characters'), { kind: 'invalid' });
  return n;
}

async function uniqueName(base) {
  const names = new Set((await listAll()).map((w) => w.name));
  let name = base.slice(0, 56);
  for (let i = 2; names.has(name); i++) name = `${base.slice(0, 56)} (${i})`;
  return name;
}

// sync loads the stored state when another tab committed since this tab
// last did. Called with the workspace's lock held.
async function sync() {
  if (!st.store || !st.ws) return;
  const row = await st.store.getWorkspace(st.ws.id);
  if (!row) {
    st.ws.gone = true;
    throw Object.assign(new Error(`workspace "${st.ws.name}" was deleted in another tab; pick another workspace`), { kind: 'missing' });
  }
  st.ws.name = row.name;
  if (row.revision === st.ws.revision || st.ws.broken) return;
  // Only now the records: reading 3,300 of them for every command would
  // cost more than the command.
  const snap = await st.store.readWorkspace(st.ws.id);
  if (!snap.row) throw Object.assign(new Error(`workspace "${st.ws.name}" was deleted in another tab; pick another workspace`), { kind: 'missing' });
  let info;
  try {
    info = JSON.parse(await call('reload', stored(snap)));
  } catch (err) {
    if (markBroken(err)) throw Object.assign(new Error(describeBroken(st.ws)), { kind: err.kind });
    throw err;
  }
  st.ws.revision = snap.row.revision;
  st.ws.rewrite = !!info.rewrite;
}

// markBroken marks the open workspace damaged (or too new) when err says
// that its stored records cannot be read, as opening it would: only this
// workspace, commands refused with the way out, nothing written, Export
// salvages what can be read. It reports whether it did; the caller tells
// the user (describeBroken).
function markBroken(err) {
  if (!st.ws || !err || (err.kind !== 'damaged' && err.kind !== 'too-new')) return false;
  st.ws.broken = { kind: err.kind, message: err.message };
  st.pendingAnswer = false;
  post({ event: 'changed', by: 'damaged', workspace: wsInfo() });
  return true;
}

// commit stores a change the engine reported, then tells the other tabs.
// It answers {saved} or, when the store refused the change, {failure}
// (the StoreError): the caller then rolls the command back.
async function commit(res, line) {
  if (!st.store || !st.ws) {
    // Nowhere to save (storage unavailable): the change lives in this tab,
    // and the next delta starts from here rather than growing forever.
    await call('saved');
    return { saved: false };
  }
  try {
    if (st.ws.rewrite) {
      // The stored records are of an older schema: the whole workspace,
      // this change included, replaces them.
      await rewrite(line);
    } else {
      const rev = await st.store.commit(st.ws.id, st.ws.revision, res.puts, res.dels, line);
      st.ws.revision = rev;
      broadcast({ type: 'changed', ws: st.ws.id, revision: rev });
    }
  } catch (err) {
    return { saved: false, failure: err };
  }
  // Stored: from here on nothing takes the change back. (An engine that
  // stopped meanwhile restarts from the store, which holds the change.)
  await call('saved').catch(() => {});
  return { saved: true };
}

// rollBack takes back a command whose change the store refused, before
// anything else runs (the caller still holds the workspace's lock): the
// engine is put back to what the store holds, so no later command builds
// on the change and no handle it gave out is shown or used. Another tab
// may give that handle to its own key: no one was shown it. Returns the
// message the user is given instead of the command's answer.
async function rollBack(err, what) {
  if (err.kind === 'missing') {
    st.ws.gone = true;
    return `${err.message}. ${what} did not happen. Pick another workspace to go on.`;
  }
  try {
    const snap = await st.store.readWorkspace(st.ws.id);
    if (!snap.row) {
      st.ws.gone = true;
      return `${err.message}. ${what} did not happen: the workspace was deleted in another tab. Pick another workspace to go on.`;
    }
    const info = JSON.parse(await call('rollback', stored(snap)));
    st.ws.revision = snap.row.revision;
    st.ws.rewrite = !!info.rewrite;
  } catch (e) {
    if (markBroken(e)) return `${err.message}. ${what} did not happen. ${describeBroken(st.ws)}`;
    // The engine may still hold the change: the next command loads the
    // saved workspace before it runs.
    st.ws.revision = -1;
    return `${err.message}. ${what} did not happen, and reading the saved workspace back failed too (${e.message}): the next command loads it before it runs.`;
  }
  let text = `${err.message}. ${what} did not happen: this tab is back to the workspace as last saved (revision ${st.ws.revision}), and nothing it printed is shown, as none of it was kept.`;
  if (err.kind === 'quota') {
    text += ' Way out: free space (delete workspaces you no longer need, or other sites\' data), then run it again; "Export" saves the workspace as it is. Nothing stored was deleted.';
  } else {
    text += ' Way out: run it again; "Export" saves the workspace as it is.';
  }
  return text;
}

// undone is the answer of a command that was rolled back: its own output,
// calls and handles are not shown, none of it was kept.
function undone(reply, text) {
  return { ...reply, output: '', calls: [], touched: [], changed: true, undone: true, saved: false, saveError: text };
}

function refuseIfBroken() {
  if (st.ws && st.ws.broken) {
    throw Object.assign(new Error(describeBroken(st.ws)), { kind: st.ws.broken.kind });
  }
  if (st.ws && st.ws.gone) {
    throw Object.assign(new Error(`workspace "${st.ws.name}" was deleted in another tab; pick another workspace`), { kind: 'missing' });
  }
}

async function runLine(line, interrupt) {
  refuseIfBroken();
  return withLock(async () => {
    await sync();
    const answering = st.pendingAnswer;
    const res = interrupt ? await call('interrupt') : await call('exec', line);
    const reply = JSON.parse(res.reply);
    st.pendingAnswer = !!reply.asking;
    // History is kept with passwords masked, as the engine masked the line.
    const keep = !interrupt && !answering && line.trim() !== '' ? (reply.masked || '') : '';
    let saved = { saved: false };
    if (res.puts) {
      saved = await commit(res, keep);
      if (saved.failure) {
        const text = await rollBack(saved.failure, 'The command');
        let r = undone(reply, text);
        if (reply.asking && !st.ws.broken) {
          // A question the undone command asked is dropped with it.
          const q = JSON.parse((await call('interrupt')).reply);
          r = { ...r, prompt: q.prompt, mode: q.mode, asking: false, secret: false };
        }
        st.pendingAnswer = false;
        return { ...r, revision: st.ws ? st.ws.revision : 0 };
      }
    } else if (keep && st.store && st.ws) {
      st.store.addHistory(st.ws.id, keep).catch(() => {});
    }
    return { ...reply, ...saved, revision: st.ws ? st.ws.revision : 0 };
  });
}

// mutate runs an engine call that returns {puts, dels} and commits it.
async function mutate(fn) {
  refuseIfBroken();
  return withLock(async () => {
    await sync();
    const d = await fn();
    if (d.puts) {
      const s = await commit(d, '');
      if (s.failure) {
        const text = await rollBack(s.failure, 'The change');
        throw Object.assign(new Error(text), { kind: s.failure.kind || 'failed' });
      }
    }
    return { files: JSON.parse(await call('listFiles')) };
  });
}

// --- operations -----------------------------------------------------------

const OPS = {
  async init(args) {
    st.ns = String(args.ns || 'site');
    st.seed = args.seed ? String(args.seed) : '';
    st.scenario = args.scenario ? String(args.scenario) : '';
    const engine = engineStarted();
    const prebuilt = fetchDefaults();
    if (args.storage === 'none') {
      // An embed without storage: nothing is read or written, and no other
      // page can see or change its workspace.
      post({ event: 'history', history: [] });
      await engine;
      st.memoryOnly = true;
      return { ...(await opened(await openMemory(prebuilt))), notices: [], memoryOnly: true };
    }
    const notices = [];
    // The storage is opened and the workspace read while the engine is
    // still being fetched and compiled.
    const store = await openStore(st.ns, {
      onVersionChange: () => notice('warn', 'A newer version of hsmsim was opened in another tab; reload this page to keep working with saved workspaces.'),
    }).catch((err) => err);
    timings.store = performance.now();
    if (store instanceof Error) {
      post({ event: 'history', history: [] });
      await engine;
      st.memoryOnly = true;
      const way = store.kind === 'newer-db'
        ? 'Open the page with the newer hsmsim to reach them.'
        : 'This happens in some private windows or when site data is blocked.';
      notices.push({ level: 'error', text: `${store.message}. ${way} Working in a temporary workspace that is NOT saved: use "Export" to keep it. Nothing stored was changed.` });
      return { ...(await opened(await openMemory(prebuilt))), notices, memoryOnly: true };
    }
    st.store = store;
    if (typeof BroadcastChannel !== 'undefined') {
      st.channel = new BroadcastChannel(`hsmsim:${st.ns}`);
      st.channel.onmessage = (ev) => enqueue(() => onBroadcast(ev.data || {}));
    }
    if (!st.locks) {
      notices.push({ level: 'warn', text: 'This browser has no Web Locks: do not use one workspace in two tabs at once.' });
    }
    let list = await store.listWorkspaces();
    let snap = null;
    let pick = null;
    if (list.length > 0) {
      const last = await store.getSetting('current').catch(() => undefined);
      pick = list.find((w) => w.id === last) || list[0];
      snap = await store.readWorkspace(pick.id);
      snap.history = await store.history(pick.id).catch(() => []);
      timings.read = performance.now();
    }
    post({ event: 'history', history: snap ? snap.history : [] });
    await engine;
    if (!pick) {
      const scen = st.scenario && st.scenario !== 'default' ? st.scenario : '';
      const recs = scen ? await call('scenarioRecords', scen) : (await prebuilt) || await call('defaults');
      timings.defaults = performance.now();
      const row = await store.createWorkspace(scen || 'default', recs, [], 'relaxed');
      await store.setSetting(`scenario:${row.id}`, scen || 'default').catch(() => {});
      list = [row];
      pick = row;
      // Just written: open it from what was written, without reading back.
      snap = { row, keys: recs.keys, values: recs.values };
      timings.read = performance.now();
    }
    const info = await openWorkspace(pick.id, snap);
    timings.open = performance.now();
    return { ...(await opened(info)), notices, memoryOnly: false, timings: { ...timings, origin: performance.timeOrigin } };
  },

  exec(args) {
    return runLine(String(args.line ?? ''), false);
  },

  interrupt() {
    return runLine('', true);
  },

  async complete(args) {
    if (st.ws && (st.ws.broken || st.ws.gone)) return [];
    return JSON.parse(await call('complete', String(args.line ?? '')));
  },

  async summary() {
    refuseIfBroken();
    return JSON.parse(await call('summary'));
  },

  async 'files.list'() {
    if (st.ws && st.ws.broken) return [];
    return JSON.parse(await call('listFiles'));
  },

  async 'files.read'(args) {
    refuseIfBroken();
    return { name: args.name, data: await call('readFile', String(args.name)) };
  },

  'files.write'(args) {
    if (!(args.data instanceof Uint8Array)) throw Object.assign(new Error('files.write needs data as a Uint8Array'), { kind: 'invalid' });
    return mutate(() => call('writeFile', String(args.name), args.data));
  },

  'files.remove'(args) {
    return mutate(() => call('removeFile', String(args.name)));
  },

  'ws.list'() {
    return listAll();
  },

  async 'ws.create'(args) {
    requireStore();
    const name = cleanName(args.name);
    const scen = args.scenario ? String(args.scenario) : 'default';
    const row = await st.store.createWorkspace(name, scen === 'default' ? await call('defaults') : await call('scenarioRecords', scen));
    await st.store.setSetting(`scenario:${row.id}`, scen).catch(() => {});
    broadcast({ type: 'list' });
    return opened(await openWorkspace(row.id));
  },

  async 'ws.switch'(args) {
    requireStore();
    return opened(await openWorkspace(String(args.id)));
  },

  async 'ws.rename'(args) {
    requireStore();
    const name = cleanName(args.name);
    const row = await st.store.renameWorkspace(String(args.id), name);
    if (st.ws && st.ws.id === row.id) st.ws.name = row.name;
    broadcast({ type: 'list' });
    return { workspace: wsInfo(), workspaces: await listAll() };
  },

  async 'ws.delete'(args) {
    requireStore();
    const id = String(args.id);
    const del = () => st.store.deleteWorkspace(id);
    if (st.locks) await st.locks.request(`hsmsim:${st.ns}:${id}`, del); else await del();
    broadcast({ type: 'deleted', ws: id });
    if (st.ws && st.ws.id === id) {
      let list = await listAll();
      if (list.length === 0) {
        await st.store.createWorkspace('default', await call('defaults'));
        list = await listAll();
      }
      return opened(await openWorkspace(list[0].id));
    }
    return { workspace: wsInfo(), workspaces: await listAll() };
  },

  async 'ws.reset'(args) {
    requireStore();
    const id = String(args.id || (st.ws && st.ws.id));
    const recs = await call('defaults');
    const reset = () => st.store.replaceRecords(id, recs);
    const row = st.locks ? await st.locks.request(`hsmsim:${st.ns}:${id}`, reset) : await reset();
    await st.store.setSetting(`scenario:${id}`, 'default').catch(() => {});
    broadcast({ type: 'changed', ws: id, revision: row.revision });
    return opened(await openWorkspace(id));
  },

  async 'ws.export'() {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    if (!st.ws) {
      const data = await call('exportBackup', 'temporary', '[]');
      return { filename: `hsmsim-temporary-${stamp}.json`, data, skipped: [] };
    }
    const safe = st.ws.name.replace(/[^A-Za-z0-9._-]+/g, '_');
    const history = JSON.stringify(await st.store.history(st.ws.id).catch(() => []));
    if (st.ws.broken) {
      if (st.ws.broken.kind === 'too-new') {
        throw Object.assign(new Error(`workspace "${st.ws.name}" was written by a newer hsmsim; only that version can export it. ${wayOut('too-new')}`), { kind: 'too-new' });
      }
      const snap = await st.store.readWorkspace(st.ws.id);
      const r = await call('salvage', st.ws.name, history, stored(snap));
      return { filename: `hsmsim-${safe}-salvaged-${stamp}.json`, data: r.backup, skipped: r.skipped };
    }
    const data = await call('exportBackup', st.ws.name, history);
    return { filename: `hsmsim-${safe}-${stamp}.json`, data, skipped: [] };
  },

  async 'ws.import'(args) {
    requireStore();
    if (!(args.data instanceof Uint8Array)) throw Object.assign(new Error('ws.import needs the file as a Uint8Array'), { kind: 'invalid' });
    const r = await call('importBackup', args.data);
    const base = r.name || String(args.filename || 'imported').replace(/\.json$/i, '') || 'imported';
    const name = await uniqueName(base);
    const row = await st.store.createWorkspace(name, r.records, JSON.parse(r.history));
    broadcast({ type: 'list' });
    return opened(await openWorkspace(row.id));
  },

  async memory() {
    const m = JSON.parse(await call('memory'));
    const mem = st.eng && st.eng.instance.exports.mem;
    return { ...m, wasmBytes: mem ? mem.buffer.byteLength : 0 };
  },

  async 'engine.exit'(args) {
    const eng = st.eng;
    if (!eng) return null;
    eng.expected = true;
    await call('exit', Number(args.code) || 0).catch(() => {});
    return null;
  },
};

// --- learning: scenarios, the tour, transcripts (wasm/browser/learn.go) ----

// wsScenario is the scenario the open workspace started from, '' when not
// known (a workspace made before scenarios were recorded).
async function wsScenario() {
  if (!st.store || !st.ws) return st.scenario;
  return (await st.store.getSetting(`scenario:${st.ws.id}`).catch(() => '')) || '';
}

// Each tour's progress is kept per workspace beside it in the settings:
// {current, done, marks, checkpoint}; the checkpoint (the workspace when
// the current step started) stays in the worker. The first tour ('sdk3')
// keeps the key it always had; another tour's key ends in its id.
function tourId(args) {
  const id = args && typeof args.tour === 'string' ? args.tour : '';
  if (id !== '' && !/^[a-z0-9-]{1,40}$/.test(id)) throw Object.assign(new Error(`no tour "${id}"`), { kind: 'invalid' });
  return id === 'sdk3' ? '' : id;
}

function tourKey(tour) {
  return `tour:${st.ws ? st.ws.id : ''}${tour ? `:${tour}` : ''}`;
}

async function tourGet(tour) {
  if (st.store && st.ws) return (await st.store.getSetting(tourKey(tour))) || null;
  return st.tourMem[tour] || null;
}

async function tourPut(tour, p) {
  if (st.store && st.ws) await st.store.setSetting(tourKey(tour), p);
  else st.tourMem[tour] = p;
}

function tourView(p) {
  if (!p) return null;
  return { current: p.current || null, done: p.done || [], marks: p.marks || null, resettable: p.checkpoint instanceof Uint8Array };
}

function stepList(v) {
  if (!Array.isArray(v)) return [];
  return v.filter((x) => typeof x === 'string').slice(0, 100);
}

async function transcriptFile(kind, steps) {
  if (!Array.isArray(steps)) throw Object.assign(new Error(`transcript.${kind} needs steps: [{prompt, input, output}]`), { kind: 'invalid' });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const json = JSON.stringify(steps);
  if (kind === 'markdown') {
    return { filename: `hsmsim-session-${stamp}.md`, data: await call('transcriptMarkdown', json, st.seed, await wsScenario()) };
  }
  return { filename: `hsmsim-session-${stamp}.txt`, data: await call('transcriptScript', json) };
}

Object.assign(OPS, {
  async scenarios() {
    return JSON.parse(await call('scenarios'));
  },

  async 'tour.tours'() {
    return JSON.parse(await call('tourTours'));
  },

  async 'tour.steps'(args) {
    const tour = tourId(args);
    if (!tour) return JSON.parse(await call('tourSteps'));
    const t = JSON.parse(await call('tourTours')).find((x) => x.id === tour);
    if (!t) throw Object.assign(new Error(`no tour "${tour}"`), { kind: 'invalid' });
    return t.steps;
  },

  async 'tour.mark'() {
    refuseIfBroken();
    return JSON.parse(await call('tourMark'));
  },

  async 'tour.status'(args) {
    if (st.ws && (st.ws.broken || st.ws.gone)) return [];
    const calls = Array.isArray(args.calls) ? JSON.stringify(args.calls) : '';
    return JSON.parse(await call('tourStatus', JSON.stringify(args.marks || {}), args.step ? String(args.step) : '', calls));
  },

  async 'tour.notes'(args) {
    return JSON.parse(await call('tourNotes', JSON.stringify(Array.isArray(args.calls) ? args.calls : [])));
  },

  async 'tour.explain'(args) {
    return JSON.parse(await call('tourExplain', JSON.stringify(Array.isArray(args.calls) ? args.calls : [])));
  },

  async 'tour.load'(args) {
    const tour = tourId(args);
    return { workspace: wsInfo(), scenario: await wsScenario(), progress: tourView(await tourGet(tour).catch(() => null)) };
  },

  async 'tour.begin'(args) {
    refuseIfBroken();
    const tour = tourId(args);
    return withLock(async () => {
      await sync();
      const marks = JSON.parse(await call('tourMark'));
      const checkpoint = await call('checkpoint');
      const old = (await tourGet(tour)) || {};
      const p = { current: String(args.step || ''), done: args.done ? stepList(args.done) : stepList(old.done), marks, checkpoint };
      await tourPut(tour, p);
      return tourView(p);
    });
  },

  async 'tour.save'(args) {
    const tour = tourId(args);
    const old = (await tourGet(tour)) || {};
    const p = { ...old, done: stepList(args.done) };
    const current = args.current ? String(args.current) : null;
    if (current !== (old.current || null)) {
      p.marks = null;
      p.checkpoint = null;
    }
    p.current = current;
    await tourPut(tour, p);
    return tourView(p);
  },

  async 'tour.reset'(args) {
    refuseIfBroken();
    const p = await tourGet(tourId(args));
    if (!p || !(p.checkpoint instanceof Uint8Array)) {
      throw Object.assign(new Error('this step has no saved starting state; start the step again to take one'), { kind: 'invalid' });
    }
    return withLock(async () => {
      await sync();
      const r = await call('restore', p.checkpoint);
      if (st.store && st.ws) {
        let row;
        try {
          row = await st.store.replaceRecords(st.ws.id, r.records);
        } catch (err) {
          // Not saved: the engine goes back to what the store holds.
          st.ws.revision = -1;
          await sync().catch(() => {});
          throw Object.assign(new Error(`${err.message}. The step was not reset: the workspace is as last saved.`), { kind: err.kind || 'failed' });
        }
        st.ws.revision = row.revision;
        broadcast({ type: 'changed', ws: st.ws.id, revision: row.revision });
      }
      post({ event: 'changed', by: 'tour-reset', workspace: wsInfo() });
      return { prompt: r.prompt, mode: r.mode, progress: tourView(p) };
    });
  },

  'transcript.markdown'(args) {
    return transcriptFile('markdown', args.steps);
  },

  'transcript.script'(args) {
    return transcriptFile('script', args.steps);
  },
});

// onBroadcast handles another tab's news; it runs in the queue, between
// this tab's commands.
async function onBroadcast(m) {
  if (m.ns !== st.ns || !st.store) return;
  if (m.type === 'changed' && st.ws && m.ws === st.ws.id && m.revision > st.ws.revision && !st.ws.broken) {
    try {
      await withLock(sync);
      post({ event: 'changed', by: 'other-tab', workspace: wsInfo() });
    } catch (err) {
      notice(st.ws.broken ? 'error' : 'warn', err.message);
    }
    return;
  }
  if (m.type === 'deleted' && st.ws && m.ws === st.ws.id) {
    st.ws.gone = true;
    notice('warn', `Workspace "${st.ws.name}" was deleted in another tab. Pick another workspace to go on.`);
  }
  if (st.ws && !st.ws.gone) {
    const row = await st.store.getWorkspace(st.ws.id).catch(() => null);
    if (row) st.ws.name = row.name;
  }
  post({ event: 'workspaces', workspace: wsInfo(), workspaces: await listAll() });
}
