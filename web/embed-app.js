// embed-app.js — the console alone, for other sites' pages: embed.html in
// an iframe (embed.js makes one from <hsm-console>). Everything comes from
// the URL's parameters:
//
//   scenario  a built-in scenario (default, shared-key, uninitialised, out-of-sync)
//   seed      N: derive all randomness from N, so every load shows the same output
//   tool      key_mgmt_util or cloudhsm_mgmt_util, started first
//   lines     lines to run on load, separated by newlines
//   replay    the lines are shown, nothing can be typed (a read-only replay)
//   screenreader  1: xterm.js's screen reader mode
//   theme     light or dark (default: the reader's preference)
//   storage   none (default): nothing is kept; NAME: kept in this browser under
//             its own namespace "embed-NAME", apart from the playground and
//             from every other name
//   origins   the origins (space- or comma-separated) whose pages may use the
//             postMessage API; default: this site's own origin
//   id        any short text, echoed in the events sent to the page
//
// The postMessage API. The page posts {hsmsim: 1, id, op, ...} to the frame
// and gets {hsmsim: 1, id, ok, result} or {hsmsim: 1, id, ok: false, error}:
//   {op: 'run', line}       runs a line as if typed: {output, prompt, mode}
//   {op: 'transcript'}      [{prompt, input, output}], hidden answers masked
//   {op: 'markdown'}        the session as Markdown in the docs' style (text)
//   {op: 'script'}          the lines typed, passwords masked (text)
// Events {hsmsim: 1, event, embed: id, ...} go to the page: 'ready' once
// the lines ran, 'reply' after each command, 'error' {message} when the
// console could not start. Messages from any origin not
// in the list are ignored without an answer, and events are only sent to
// the listed origins.

import { EngineClient } from './client.js';
import { Console } from './console.js';

const TOOLS = ['key_mgmt_util', 'cloudhsm_mgmt_util'];
const MAX_LINES = 200;
const MAX_LINE = 4096;

// readConfig checks the URL's parameters; what is wrong goes to problems
// and is left out rather than guessed at.
export function readConfig(search, selfOrigin) {
  const p = new URLSearchParams(search);
  const problems = [];
  const cfg = {
    scenario: '', seed: '', tool: '', lines: [], replay: false, theme: '', storage: 'none',
    origins: [selfOrigin], id: '', problems,
  };
  const scenario = p.get('scenario');
  if (scenario) {
    if (/^[a-z0-9][a-z0-9-]{0,40}$/.test(scenario)) cfg.scenario = scenario;
    else problems.push(`scenario "${scenario}" is not a scenario name`);
  }
  const seed = p.get('seed');
  if (seed) {
    if (/^\d{1,19}$/.test(seed)) cfg.seed = seed;
    else problems.push(`seed "${seed}" is not a non-negative integer`);
  }
  const tool = p.get('tool');
  if (tool) {
    if (TOOLS.includes(tool)) cfg.tool = tool;
    else problems.push(`tool "${tool}" is not one of ${TOOLS.join(', ')}`);
  }
  const lines = (p.get('lines') || '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  if (lines.length > MAX_LINES) problems.push(`only the first ${MAX_LINES} lines run`);
  cfg.lines = lines.slice(0, MAX_LINES).filter((l) => l.length <= MAX_LINE);
  const replay = p.get('replay');
  cfg.replay = replay !== null && replay !== 'false' && replay !== '0';
  const sr = p.get('screenreader');
  cfg.screenReader = sr !== null && sr !== 'false' && sr !== '0';
  const theme = p.get('theme');
  if (theme === 'light' || theme === 'dark') cfg.theme = theme;
  else if (theme) problems.push(`theme "${theme}" is not light or dark`);
  const storage = p.get('storage');
  if (storage && storage !== 'none') {
    if (/^[A-Za-z0-9_-]{1,40}$/.test(storage)) cfg.storage = storage;
    else problems.push(`storage "${storage}" is not none or a name of letters, digits, - and _`);
  }
  const origins = p.get('origins');
  if (origins !== null) {
    cfg.origins = [];
    for (const o of origins.split(/[\s,]+/).filter(Boolean)) {
      let norm = null;
      try {
        const u = new URL(o);
        if ((u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o.replace(/\/$/, '')) norm = u.origin;
      } catch {
        norm = null;
      }
      if (norm) cfg.origins.push(norm);
      else problems.push(`origin "${o}" is not an origin like https://docs.example.com`);
    }
  }
  const id = p.get('id');
  if (id) cfg.id = id.slice(0, 64);
  return cfg;
}

const $ = (id) => document.getElementById(id);

function notice(text, level = 'error') {
  const n = $('embed-notice');
  n.hidden = false;
  n.dataset.level = level;
  n.textContent = n.textContent ? `${n.textContent} ${text}` : text;
}

function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function main() {
  const cfg = readConfig(location.search, location.origin);
  const body = document.body;
  const theme = cfg.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  document.documentElement.dataset.theme = theme;
  if (cfg.replay) body.dataset.replay = 'true';
  for (const p of cfg.problems) notice(`Ignored: ${p}.`, 'warn');

  // The worker fetches and compiles engine.wasm itself, off this thread.
  const client = new EngineClient(new URL('./worker.js', import.meta.url));
  const initing = client.request('init', {
    ns: cfg.storage === 'none' ? 'embed' : `embed-${cfg.storage}`,
    storage: cfg.storage === 'none' ? 'none' : 'indexeddb',
    seed: cfg.seed,
    scenario: cfg.scenario,
  });
  initing.catch(() => {});

  const allowed = new Set(cfg.origins);
  const framed = window.parent !== window;
  const emit = (msg) => {
    if (!framed) return;
    for (const o of allowed) window.parent.postMessage({ hsmsim: 1, embed: cfg.id, ...msg }, o);
  };

  let replies = 0;
  let failed = null;
  let ready = null;
  const started = new Promise((resolve) => { ready = resolve; });

  // The API's runs wait for each other and for the lines run on load.
  let queue = started;
  const serial = (fn) => {
    const p = queue.then(fn);
    queue = p.catch(() => {});
    return p;
  };

  window.addEventListener('message', (ev) => {
    if (!allowed.has(ev.origin)) return;
    const m = ev.data;
    if (!m || typeof m !== 'object' || m.hsmsim !== 1 || typeof m.op !== 'string') return;
    const source = ev.source;
    const answer = (body) => {
      if (source && typeof source.postMessage === 'function') source.postMessage({ hsmsim: 1, id: m.id, embed: cfg.id, ...body }, ev.origin);
    };
    serial(async () => {
      if (failed) throw new Error(`the console did not start: ${failed.message}`);
      switch (m.op) {
        case 'run': {
          if (cfg.replay) throw new Error('this console is a read-only replay');
          if (typeof m.line !== 'string' || m.line.includes('\n') || m.line.length > MAX_LINE) {
            throw new Error(`line must be one line of text of at most ${MAX_LINE} characters`);
          }
          const r = await con.run(m.line);
          if (!r) throw new Error('the line did not run (the console shows why)');
          return { output: r.output, prompt: r.prompt, mode: r.mode };
        }
        case 'transcript':
          return con.transcript();
        case 'markdown':
        case 'script': {
          const r = await client.request(`transcript.${m.op}`, { steps: con.transcript() });
          return new TextDecoder().decode(r.data);
        }
        default:
          throw new Error(`unknown operation ${m.op}`);
      }
    }).then((result) => answer({ ok: true, result }), (err) => answer({ ok: false, error: err && err.message ? err.message : String(err) }));
  });

  let history = [];
  const con = new Console($('embed-console'), {
    client,
    readOnly: cfg.replay,
    screenReader: cfg.screenReader,
    history: { load: () => history.slice(), save: () => {} },
    onReply: (r) => {
      replies++;
      body.dataset.replies = String(replies);
      const reply = r && r.reply ? r.reply : r;
      // A change the browser could not save: the command was undone.
      if (reply && reply.saveError) con.notice('error', reply.saveError);
      if (reply && reply.mode) {
        body.dataset.mode = reply.mode;
        $('embed-mode').textContent = reply.mode === 'host' ? '' : reply.mode;
      }
      // The line as the engine masked it (a password typed in the
      // console never reaches the page).
      let line = r && typeof r.line === 'string' ? r.line : undefined;
      if (reply && reply.masked && line !== '********') line = reply.masked;
      emit({ event: 'reply', line, output: reply ? reply.output : '', prompt: reply ? reply.prompt : '' });
    },
  });
  con.setTheme(theme);
  client.on((ev) => {
    if (ev.event === 'notice' && ev.level !== 'info') notice(ev.text, ev.level);
    if (ev.event === 'history') con.setHistory(ev.history || []);
  });

  // The prompt takes keys before the engine is ready, as the playground's
  // does, unless the embed runs a tool or lines first: the prompt what is
  // typed belongs to is known only after them, so until then it waits
  // (not drawn, not lost) and is edited once they ran.
  const preface = !!cfg.tool || cfg.lines.length > 0;
  try {
    await con.open();
    if (!preface) await con.acceptAhead('$ ');
  } catch (err) {
    notice(`The console could not be loaded: ${err.message}`);
  }
  // boot.js marked hsmsim-keys when it drew its prompt, if it did.
  performance.mark(globalThis.hsmsimBoot ? 'hsmsim-terminal' : 'hsmsim-keys');

  let init;
  try {
    init = await initing;
  } catch (err) {
    body.dataset.state = 'error';
    con.fail(`the console did not start (${err.message})`);
    notice(`The console did not start: ${err.message}`);
    failed = err;
    ready();
    emit({ event: 'error', message: `the console did not start: ${err.message}` });
    return;
  }
  for (const n of init.notices || []) notice(n.text, n.level);
  history = init.history || [];

  client.request('scenarios').then((list) => {
    const s = list.find((x) => x.name === (cfg.scenario || 'default'));
    if (s) {
      $('embed-title').textContent = `hsmsim · ${s.title}`;
      $('embed-title').title = `${s.description} Open the full playground in a new tab.`;
    }
  }, () => {});

  // A stored embed keeps its workspace: its lines ran on the first visit.
  const runLines = cfg.storage === 'none' || history.length === 0;
  try {
    await con.start(init, { lines: [...(cfg.tool ? [cfg.tool] : []), ...(runLines ? cfg.lines : [])] });
  } catch (err) {
    notice(`A line did not run: ${err.message}`);
  }

  for (const [id, kind] of [['embed-md', 'markdown'], ['embed-script', 'script']]) {
    const b = $(id);
    b.disabled = false;
    b.addEventListener('click', () => serial(async () => {
      const r = await client.request(`transcript.${kind}`, { steps: con.transcript() });
      download(r.filename, r.data, kind === 'markdown' ? 'text/markdown' : 'text/plain');
    }).catch((err) => notice(err.message)));
  }

  body.dataset.state = 'ready';
  ready();
  // The prompt the console shows now, after the tool and the lines ran
  // (init's prompt is the host's "$ " from before them).
  emit({ event: 'ready', prompt: con.prompt, mode: body.dataset.mode || 'host', scenario: cfg.scenario || 'default', replay: cfg.replay });
}

main();
