// app.js — the playground page: the console on the engine's worker, the
// cluster's panels beside it, the workspace menu, Share, transcripts, the
// theme and the welcome. The engine and the storage live in the worker
// (worker.js); this module only talks to it.
//
// The engine (fetched, compiled, its workspace read) takes longest, so it
// starts before anything else: this module imports only the worker's
// client, starts the worker (which fetches and compiles engine.wasm
// itself, off this thread) and `init`, and only then loads
// the console and the rest. The console's prompt takes keys as soon as
// the terminal is drawn, before the engine is ready (console.js,
// acceptAhead); lines entered meanwhile run when it is. What is not needed
// for the first prompt (the panels, sharing, the tour) is loaded after the
// engine is ready.
//
// Performance marks for the benchmarks: hsmsim-keys (the prompt takes
// keys: boot.js's, parsed with the page), hsmsim-script (this module
// runs), hsmsim-terminal (the terminal has the prompt and what was typed
// at boot.js's), hsmsim-ready (the engine answers;
// its detail holds the worker's milestones on this page's clock).

import { EngineClient } from './client.js';

performance.mark('hsmsim-script');

const $ = (id) => document.getElementById(id);
const body = document.body;
const params = new URLSearchParams(location.search);
const client = new EngineClient(new URL('./worker.js', import.meta.url));
// The worker's API, for the browser's devtools and the tests (see worker.js).
window.hsmsim = { request: (op, args) => client.request(op, args) };
const initing = client.request('init', { ns: 'site', seed: params.get('seed') || '' });
initing.catch(() => {});
// The worker's events that come before the page is ready wait for it;
// the workspace's history comes ahead of the engine, for the console's
// Up key.
const early = [];
let onEvent = (ev) => early.push(ev);
let aheadHistory = null;
let takeHistory = (h) => { aheadHistory = h; };
client.on((ev) => {
  if (ev.event === 'history') takeHistory(ev.history || []);
  else onEvent(ev);
});

const [{ Console }, { ask }, { setupMenu, setupWorkspaces }] = await Promise.all([
  import('./console.js'), import('./dialog.js'), import('./workspaces.js'),
]);

const theme = globalThis.hsmsimTheme || { current: () => 'dark', toggle: () => 'dark', onChange: () => {} };
let current = { id: '', name: '', revision: 0, broken: null };
let memoryOnly = false;
let panels = null;
let initHistory = [];

// Screen reader mode (xterm.js's screenReaderMode) is a choice kept in
// this browser, or ?screenreader=1 in the address.
const SCREEN_READER = 'hsmsim-screen-reader';
let screenReader = params.get('screenreader') === '1';
try {
  screenReader = screenReader || localStorage.getItem(SCREEN_READER) === '1';
} catch {
  // No storage: the address alone decides.
}

const con = new Console($('console'), {
  client,
  screenReader,
  theme: theme.current(),
  lineMode: params.get('input') === 'line' ? true : 'auto',
  history: { load: async () => initHistory },
  // Mirrored on <body> for the tests and the benchmarks.
  onState: (state, done) => {
    body.dataset.state = state;
    body.dataset.done = String(done);
  },
  onReply: afterReply,
});
window.hsmsim.console = con;
con.log.id = 'log';
takeHistory = (h) => con.setHistory(h);
if (aheadHistory) con.setHistory(aheadHistory);

// The journal of each workspace (journal.js): every step, kept across
// reloads, for transcripts of the workspace's whole history.
const pageSeed = params.get('seed') || '';
const journaling = import('./journal.js').then(async (m) => ({ m, j: await m.Journal.open('site') }), () => ({ m: null, j: null }));

function journal(fn) {
  journaling.then(({ j }) => (j ? fn(j) : null)).catch(() => {});
}

function afterReply({ reply }) {
  if (!reply) return;
  const step = con.steps[con.steps.length - 1];
  const ws = current.id;
  if (step && ws && !reply.undone) journal((j) => j.append(ws, step, reply.prompt));
  if (reply.saveError) con.notice('error', reply.saveError);
  if (reply.exit) con.notice('info', 'The simulated host stays on in the browser: reload the page to start a new session, or go on typing.');
  body.dataset.mode = reply.mode;
  if (reply.revision) current.revision = reply.revision;
  showStatus();
  if (panels) panels.refresh(reply.touched || []);
}

function showStatus() {
  let text = `${current.name} · revision ${current.revision}`;
  if (memoryOnly) text = 'temporary workspace, not saved';
  if (current.broken) text = `workspace "${current.name}" cannot be opened`;
  $('status').textContent = text;
  $('status').title = memoryOnly ? 'Storage is unavailable: use Export backup to keep this workspace.' : `Workspace "${current.name}", revision ${current.revision}: every change is saved in this browser.`;
}

// --- workspaces -------------------------------------------------------------

function showWorkspaces(workspace, workspaces) {
  if (workspace) current = workspace;
  const sel = $('ws-select');
  sel.replaceChildren();
  const list = workspaces && workspaces.length ? workspaces : [current];
  for (const w of list) {
    const o = document.createElement('option');
    o.value = w.id;
    o.textContent = w.name;
    o.selected = w.id === current.id;
    sel.append(o);
  }
  sel.disabled = memoryOnly;
  showStatus();
}

// opened takes a workspace the worker just opened (how: {reset} when it
// was reset, {copied} when it came from a file or a link).
function opened(r, message, how = {}) {
  showWorkspaces(r.workspace, r.workspaces);
  const ws = current.id;
  if (ws && how.reset) journal((j) => j.restart(ws, { fresh: true, seed: pageSeed }));
  else if (ws) journal((j) => j.begin(ws, { typed: how.copied || (r.history || []).length > 0, seed: pageSeed }));
  con.setPrompt(r.prompt || '$ ');
  body.dataset.mode = r.mode || 'host';
  con.setHistory(r.history || []);
  if (message) con.notice('info', message);
  if (panels) panels.refresh([]);
}

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

const ctx = { client, con, ask, download, opened, showWorkspaces, current: () => current };
setupWorkspaces(ctx);

// --- share and transcripts ---------------------------------------------------

$('share').addEventListener('click', async () => {
  const btn = $('share');
  btn.disabled = true;
  try {
    const m = await import('./share.js');
    await m.share(ctx);
  } catch (err) {
    con.notice('error', `Sharing failed: ${err.message}`);
  } finally {
    btn.disabled = false;
  }
});

// transcriptSteps are the workspace's whole journal, or this page's steps
// when there is none; with the verdict on replaying it.
async function transcriptSteps() {
  const { m, j } = await journaling;
  const ws = current.id;
  if (!m || !j || !ws) return { steps: con.transcript(), verdict: { ok: false, why: 'this browser keeps no journal of the workspace (IndexedDB is unavailable), so the transcript holds this page\'s session only' }, annotate: m ? m.annotate : (x) => x };
  const steps = await j.steps(ws);
  return { steps: steps.slice(), verdict: m.replayable(await j.meta(ws), steps), annotate: m.annotate };
}

async function downloadTranscript(kind) {
  try {
    const t = await transcriptSteps();
    const r = await client.request(`transcript.${kind}`, { steps: t.steps });
    let data = r.data;
    if (kind === 'markdown') data = t.annotate(new TextDecoder().decode(r.data), t.verdict);
    download(r.filename, data, kind === 'markdown' ? 'text/markdown' : 'text/plain');
    if (!t.verdict.ok) con.notice('info', `This transcript does not replay byte for byte: ${t.verdict.why}. Transcript → "New seeded workspace" starts one that does.`);
  } catch (err) {
    if (/unknown operation/.test(err.message)) {
      con.notice('warn', `Transcripts cannot be written by this build of the engine yet (it has no transcript.${kind} operation).`);
    } else {
      con.notice('error', `The transcript could not be written: ${err.message}`);
    }
  }
  con.focus();
}
$('tx-markdown').addEventListener('click', () => downloadTranscript('markdown'));
$('tx-script').addEventListener('click', () => downloadTranscript('script'));
// A fresh workspace with a seed: its transcript replays byte for byte. The
// seed is the page's (?seed=N), so the page reloads with it.
$('tx-seeded').addEventListener('click', async () => {
  const got = await ask({
    title: 'New seeded workspace',
    text: 'A new workspace from the default cluster, opened with a seed: keys, handles and random output are the same on every replay, so its transcript replays byte for byte (hsmsim run --check). The page reloads with ?seed= in its address.',
    input: { label: 'Seed (a non-negative integer)', value: pageSeed || '1' },
    ok: 'Create and reload',
  });
  if (got === null) return;
  const seed = String(got).trim();
  if (!/^\d{1,19}$/.test(seed)) {
    con.notice('error', `"${seed}" is not a seed: use a non-negative integer such as 1.`);
    return;
  }
  try {
    const r = await client.request('ws.create', { name: `seed ${seed}`, scenario: 'default' });
    const { j } = await journaling;
    if (j) await j.restart(r.workspace.id, { fresh: true, seed });
    const u = new URL(location.href);
    u.searchParams.set('seed', seed);
    location.assign(u.href);
  } catch (err) {
    con.notice('error', `The workspace could not be created: ${err.message}`);
  }
});
setupMenu($('tx-menu-button'));

// --- theme, welcome, panels on small screens --------------------------------

function showTheme(t) {
  const dark = t === 'dark';
  const b = $('theme-toggle');
  b.setAttribute('aria-pressed', String(dark));
  con.setTheme(t);
}
theme.onChange(showTheme);
showTheme(theme.current());
$('theme-toggle').addEventListener('click', () => showTheme(theme.toggle()));

const WELCOMED = 'hsmsim-welcomed';
function showWelcome(open) {
  $('welcome').hidden = !open;
  $('welcome-toggle').setAttribute('aria-expanded', String(open));
  if (!open) {
    try {
      localStorage.setItem(WELCOMED, '1');
    } catch {
      // Shown again next time: no harm.
    }
  }
}
let welcomed = false;
try {
  welcomed = localStorage.getItem(WELCOMED) === '1';
} catch {
  welcomed = false;
}
showWelcome(!welcomed && !params.has('share') && !location.hash.startsWith('#share='));
$('welcome-toggle').addEventListener('click', () => showWelcome($('welcome').hidden));
$('welcome-close').addEventListener('click', () => {
  showWelcome(false);
  con.focus();
});
for (const b of document.querySelectorAll('#welcome .try')) {
  b.addEventListener('click', () => con.type(b.dataset.line));
}

// The skip link puts the keyboard in the console itself (xterm's input is
// inside the section); before the terminal is there, on the section.
document.querySelector('.skip').addEventListener('click', (ev) => {
  ev.preventDefault();
  if (con.term || con.lineInput) {
    con.focus();
  } else {
    $('console').tabIndex = -1;
    $('console').focus();
  }
});

const srBox = $('screen-reader');
srBox.checked = screenReader;
con.setScreenReader(screenReader);
srBox.addEventListener('change', () => {
  con.setScreenReader(srBox.checked);
  try {
    if (srBox.checked) localStorage.setItem(SCREEN_READER, '1');
    else localStorage.removeItem(SCREEN_READER);
  } catch {
    // Kept for this page only.
  }
});

// On a phone the panels fold away under their tabs (panels.js opens them).
body.dataset.side = 'closed';

// --- events and start -------------------------------------------------------

onEvent = (ev) => {
  if (ev.event === 'notice') con.notice(ev.level, ev.text);
  else if (ev.event === 'workspaces') showWorkspaces(ev.workspace, ev.workspaces);
  else if (ev.event === 'changed') {
    if (ev.workspace) current = ev.workspace;
    showStatus();
    if (panels) panels.refresh();
  } else if (ev.event === 'restarted') {
    con.setPrompt(ev.prompt);
    body.dataset.mode = ev.mode;
    if (panels) panels.refresh([]);
  }
};

async function persistNotice() {
  // persist() is only offered to windows, so the page asks, not the worker.
  if (!navigator.storage || !navigator.storage.persist) return;
  let granted = false;
  try {
    granted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    granted = false;
  }
  body.dataset.persisted = String(granted);
  // Said once in this browser (not at every visit), as information: most
  // browsers keep best-effort storage well.
  let told = false;
  try {
    told = localStorage.getItem('hsmsim-persist-told') === '1';
    if (!granted && !memoryOnly && !told) localStorage.setItem('hsmsim-persist-told', '1');
  } catch {
    // No storage to remember it in: not said at all rather than at every visit.
    told = true;
  }
  if (!granted && !memoryOnly && !told) {
    con.notice('info', 'Workspaces are kept in this browser, which may clear them if it runs short of space. Export backup (Workspace menu) keeps a copy.');
  }
}

// host is what the guided tour (tour.js) may use of the page.
const host = {
  request: (op, args) => client.request(op, args),
  type: (line) => con.type(line),
  onReply: (fn) => con.onReply(fn),
  workspace: () => current.id,
};

async function mountTour() {
  try {
    const m = await import('./tour.js');
    await m.mountTour($('tour-panel'), host);
    $('tab-tour').hidden = false;
  } catch {
    // No tour in this build: its tab stays hidden.
  }
}

// untouched: the keyboard is nowhere in particular, or already in the
// console (the console then takes it without taking it from elsewhere).
const untouched = () => {
  const at = document.activeElement;
  return !at || at === body || $('console').contains(at);
};

async function start() {
  try {
    await con.open();
  } catch (err) {
    body.dataset.state = 'failed';
    $('console').textContent = `The console could not be loaded: ${err.message}. Reload the page.`;
    return;
  }
  // The greeting is the page's (index.html), which boot.js showed first.
  con.notice('info', $('console').dataset.greeting);
  // Every workspace opens at the host shell's prompt (a tool session does
  // not outlive the page), so it is drawn now and takes keys at once.
  await con.acceptAhead('$ ');
  if (untouched()) con.focus();
  performance.mark('hsmsim-terminal');
  let r;
  try {
    r = await initing;
  } catch (err) {
    con.fail(`the engine did not start (${err.message})`);
    con.notice('error', `The engine did not start: ${err.message}`);
    return;
  }
  memoryOnly = r.memoryOnly;
  initHistory = r.history || [];
  for (const n of r.notices || []) con.notice(n.level, n.text);
  for (const ev of early.splice(0)) onEvent(ev);
  opened(r);
  await con.start(r);
  if (untouched()) con.focus();
  // The worker's milestones, moved to this page's clock, for the benchmarks.
  const detail = {};
  if (r.timings) {
    detail.worker = r.timings.origin - performance.timeOrigin;
    for (const [k, v] of Object.entries(r.timings)) if (k !== 'origin') detail[k] = r.timings.origin - performance.timeOrigin + v;
  }
  performance.mark('hsmsim-ready', { detail });

  // After the first prompt: the panels, the tour, a shared workspace.
  const { Panels } = await import('./panels.js');
  panels = new Panels(ctx);
  await panels.refresh([]);
  mountTour();
  import('./offline.js').then((m) => m.setupOffline(ctx), () => {});
  const share = await import('./share.js');
  const link = share.linked();
  if (link) await share.openLinked(ctx, link);
  persistNotice();
}

start();
