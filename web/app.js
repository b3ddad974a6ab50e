// app.js — the playground page: a console on the engine's worker, the
// workspace controls and the files of the workspace. The engine and the
// storage live in the worker (worker.js); this module only talks to it.

import { EngineClient } from './client.js';
import { Terminal } from './term.js';

// Compiling the engine starts first, here, while the worker loads; the
// compile runs off the main thread and the module goes to the worker.
const engineURL = new URL('./engine.wasm', import.meta.url);
const compiling = WebAssembly.compileStreaming(fetch(engineURL));

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const client = new EngineClient(new URL('./worker.js', import.meta.url));
compiling.then((module) => client.send('module', { module }), () => client.send('module', { module: null }));
// The worker's API, for the browser's devtools and the tests (see worker.js).
window.hsmsim = { request: (op, args) => client.request(op, args) };
let current = { id: '', name: '', revision: 0, broken: null };
let memoryOnly = false;

const term = new Terminal(
  { log: $('log'), form: $('line-form'), input: $('line'), prompt: $('prompt') },
  {
    run: runLine,
    interrupt: async () => showReply(await client.request('interrupt')),
    complete: (line) => client.request('complete', { line }),
  },
);

async function runLine(line) {
  let reply;
  try {
    reply = await client.request('exec', { line });
  } catch (err) {
    term.notice('error', err.message);
    return;
  }
  showReply(reply);
}

function showReply(r) {
  term.output(r.output);
  if (r.saveError) term.notice('error', r.saveError);
  if (r.exit) term.notice('info', 'The simulated host stays on in the browser: reload the page to start a new session, or go on typing.');
  term.setPrompt(r.prompt, { secret: r.secret, asking: r.asking });
  document.body.dataset.mode = r.mode;
  if (r.revision) current.revision = r.revision;
  if (r.changed) refreshFiles();
  showStatus();
}

function showStatus() {
  const where = memoryOnly ? 'temporary workspace, not saved' : `workspace "${current.name}" · revision ${current.revision}`;
  $('status').textContent = current.broken ? `workspace "${current.name}" cannot be opened` : where;
}

// --- workspaces -------------------------------------------------------------

function showWorkspaces(workspace, workspaces) {
  if (workspace) current = workspace;
  const sel = $('ws-select');
  sel.replaceChildren();
  for (const w of workspaces || []) {
    const o = document.createElement('option');
    o.value = w.id;
    o.textContent = w.name;
    o.selected = w.id === current.id;
    sel.append(o);
  }
  sel.disabled = memoryOnly;
  showStatus();
}

// opened takes a workspace the worker just opened.
function opened(r, message) {
  showWorkspaces(r.workspace, r.workspaces);
  term.setPrompt(r.prompt || '$ ');
  document.body.dataset.mode = r.mode || 'host';
  term.setHistory(r.history || []);
  if (message) term.notice('info', message);
  refreshFiles();
}

async function wsAction(fn) {
  try {
    await fn();
  } catch (err) {
    term.notice('error', err.message);
  }
  term.els.input.focus();
}

$('ws-select').addEventListener('change', (ev) => wsAction(async () => {
  const r = await client.request('ws.switch', { id: ev.target.value });
  opened(r, `Switched to workspace "${r.workspace.name}". The login session of the previous one ended.`);
}));

$('ws-new').addEventListener('click', () => wsAction(async () => {
  const name = prompt('Name of the new workspace (it starts with the default cluster):', '');
  if (name === null) return;
  const r = await client.request('ws.create', { name });
  opened(r, `Created workspace "${r.workspace.name}" with the default cluster.`);
}));

$('ws-rename').addEventListener('click', () => wsAction(async () => {
  const name = prompt(`New name for workspace "${current.name}":`, current.name);
  if (name === null) return;
  const r = await client.request('ws.rename', { id: current.id, name });
  showWorkspaces(r.workspace, r.workspaces);
  term.notice('info', `Renamed the workspace to "${r.workspace.name}".`);
}));

$('ws-reset').addEventListener('click', () => wsAction(async () => {
  if (!confirm(`Reset workspace "${current.name}" to the default cluster? Its keys, users and files are replaced. Export it first to keep them.`)) return;
  const r = await client.request('ws.reset', { id: current.id });
  opened(r, `Workspace "${r.workspace.name}" was reset to the default cluster.`);
}));

$('ws-delete').addEventListener('click', () => wsAction(async () => {
  if (!confirm(`Delete workspace "${current.name}" with its keys, users, files and history? This cannot be undone; Export it first to keep a copy.`)) return;
  const gone = current.name;
  const r = await client.request('ws.delete', { id: current.id });
  if (r.prompt !== undefined) opened(r, `Deleted workspace "${gone}"; now in "${r.workspace.name}".`);
  else showWorkspaces(r.workspace, r.workspaces);
}));

$('ws-export').addEventListener('click', () => wsAction(async () => {
  const r = await client.request('ws.export');
  download(r.filename, r.data, 'application/json');
  let text = `Exported to ${r.filename}.`;
  if (r.skipped && r.skipped.length) text += ` Left out because they cannot be read: ${r.skipped.join(', ')}.`;
  term.notice('info', text);
}));

$('ws-import').addEventListener('click', () => $('ws-import-file').click());
$('ws-import-file').addEventListener('change', (ev) => wsAction(async () => {
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!file) return;
  const data = new Uint8Array(await file.arrayBuffer());
  const r = await client.request('ws.import', { data, filename: file.name }, [data.buffer]);
  opened(r, `Imported ${file.name} as workspace "${r.workspace.name}".`);
}));

// --- files ----------------------------------------------------------------

function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type: type || 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function refreshFiles(files) {
  if (!files) {
    try {
      files = await client.request('files.list');
    } catch {
      files = [];
    }
  }
  const ul = $('file-list');
  ul.replaceChildren();
  for (const f of files) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'file-name';
    name.textContent = f.name;
    const size = document.createElement('span');
    size.className = 'file-size';
    size.textContent = `${f.size} B`;
    const get = document.createElement('button');
    get.type = 'button';
    get.textContent = 'Download';
    get.setAttribute('aria-label', `Download ${f.name}`);
    get.addEventListener('click', () => wsAction(async () => {
      const r = await client.request('files.read', { name: f.name });
      download(f.name, r.data);
    }));
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', `Delete ${f.name}`);
    del.addEventListener('click', () => wsAction(async () => {
      if (!confirm(`Delete the file ${f.name}?`)) return;
      const r = await client.request('files.remove', { name: f.name });
      refreshFiles(r.files);
    }));
    li.append(name, size, get, del);
    ul.append(li);
  }
}

$('file-upload').addEventListener('click', () => $('file-input').click());
$('file-input').addEventListener('change', (ev) => wsAction(async () => {
  const list = Array.from(ev.target.files);
  ev.target.value = '';
  for (const file of list) {
    const data = new Uint8Array(await file.arrayBuffer());
    const size = data.length; // the buffer moves to the worker
    const r = await client.request('files.write', { name: file.name, data }, [data.buffer]);
    refreshFiles(r.files);
    term.notice('info', `Uploaded ${file.name} (${size} bytes).`);
  }
}));

// --- events and start -------------------------------------------------------

client.on((ev) => {
  if (ev.event === 'notice') term.notice(ev.level, ev.text);
  else if (ev.event === 'workspaces') showWorkspaces(ev.workspace, ev.workspaces);
  else if (ev.event === 'changed') {
    if (ev.workspace) current = ev.workspace;
    showStatus();
    refreshFiles();
  } else if (ev.event === 'restarted') {
    term.setPrompt(ev.prompt);
    document.body.dataset.mode = ev.mode;
    refreshFiles();
  }
});

async function persistNotice() {
  // persist() is only offered to windows, so the page asks, not the worker.
  if (!navigator.storage || !navigator.storage.persist) return;
  let granted = false;
  try {
    granted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    granted = false;
  }
  document.body.dataset.persisted = String(granted);
  // Said once per tab, not at every reload.
  if (!granted && !memoryOnly && !sessionStorage.getItem('hsmsim-persist-told')) {
    sessionStorage.setItem('hsmsim-persist-told', '1');
    term.notice('warn', 'This browser keeps workspaces on a best-effort basis (not granted persistent storage, or a private window): it may clear them under storage pressure or when the window closes. Use "Export" to keep a backup.');
  }
}

async function start() {
  term.setReady(false);
  term.notice('info', 'Loading the engine…');
  const loading = term.els.log.lastElementChild;
  let r;
  try {
    r = await client.request('init', { ns: 'site', seed: params.get('seed') || '', module: 'page' });
  } catch (err) {
    term.notice('error', `The engine did not start: ${err.message}`);
    return;
  }
  memoryOnly = r.memoryOnly;
  loading.remove();
  term.notice('info', 'hsmsim — a simulated AWS CloudHSM cluster. Type help, or start key_mgmt_util or cloudhsm_mgmt_util. Users: example_user and alice (CU), admin (CO), password "password".');
  for (const n of r.notices || []) term.notice(n.level, n.text);
  opened(r);
  term.setReady(true);
  // The worker's milestones, moved to this page's clock, for the benchmarks.
  const detail = {};
  if (r.timings) {
    detail.worker = r.timings.origin - performance.timeOrigin;
    for (const [k, v] of Object.entries(r.timings)) if (k !== 'origin') detail[k] = r.timings.origin - performance.timeOrigin + v;
  }
  performance.mark('hsmsim-ready', { detail });
  persistNotice();
}

start();
