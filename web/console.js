// console.js — the terminal console of the playground and of the embeds:
// xterm.js with a line editor in front of the engine's worker.
//
// The engine is a line-oriented shell (engine/shell), so the editing is
// done here, as readline would: the line and its cursor live in this class
// and are redrawn after the prompt on every key. Whatever arrives while a
// command runs (typed ahead, or the rest of a pasted block) waits in
// `inbox` and is handled, in order, once the command has answered: pasting
// several lines runs them one after the other, each after its own prompt.
//
// The prompt is drawn and takes keys before the engine is ready (ahead,
// see acceptAhead): the line is edited as usual, and Enter sends it to wait
// for the engine, which runs it the moment start is called; what is typed
// after that waits in `inbox` as type-ahead does, so every answer comes
// after its own prompt and line. Tab and the history keys wait too when
// they need what is not there yet (the engine, the stored history). A
// quiet status line (console-loading, aria-live polite, in words) says so
// while the engine loads.
//
// The text on screen is also kept in an aria-live log (class console-log)
// for screen readers and tests: each line typed after its prompt (nothing
// for a hidden answer), each output, each notice.
//
// Options: {client, readOnly, history: {load, save}, onReply, lineMode,
// theme, onState, screenReader}. screenReader turns on xterm.js's
// screenReaderMode (its accessible buffer, read line by line). lineMode true puts a plain <input> under the terminal
// (phones, whose keyboards xterm.js does not take well); 'auto' does so on
// touch-only devices.

import { dropPrompt, transcriptCommands } from './paste.js';

// MASK stands for a hidden answer in transcripts, as in the engine's.
const MASK = '********';

const MAX_LOG = 4000;

// Colours of the terminal, one palette per page theme. Only the 16 ANSI
// colours are used in output (never 24-bit ones): xterm's DOM renderer
// writes 24-bit colours as style="" attributes, which the page's CSP
// refuses.
export const THEMES = {
  dark: {
    background: '#0f1419', foreground: '#e6e1cf', cursor: '#7fd962', cursorAccent: '#0f1419',
    selectionBackground: '#3d4f6a', selectionForeground: '#ffffff',
    black: '#1a1f26', red: '#ff6b68', green: '#7fd962', yellow: '#f5c26b', blue: '#6cb6ff',
    magenta: '#d2a6ff', cyan: '#5ccfe6', white: '#c7c7c7',
    brightBlack: '#8a919a', brightRed: '#ff8f8c', brightGreen: '#a6e88f', brightYellow: '#ffd98a',
    brightBlue: '#96ccff', brightMagenta: '#e2c2ff', brightCyan: '#95e6f5', brightWhite: '#ffffff',
    scrollbarSliderBackground: 'rgba(255,255,255,0.18)', scrollbarSliderHoverBackground: 'rgba(255,255,255,0.3)',
    scrollbarSliderActiveBackground: 'rgba(255,255,255,0.4)',
  },
  light: {
    background: '#fbfaf7', foreground: '#23272e', cursor: '#1f7a3a', cursorAccent: '#fbfaf7',
    selectionBackground: '#bcd6f5', selectionForeground: '#000000',
    black: '#23272e', red: '#c4282b', green: '#1f7a3a', yellow: '#8a5a00', blue: '#1f5fbf',
    magenta: '#8a3fb8', cyan: '#0b6e7f', white: '#6b7078',
    brightBlack: '#5d636b', brightRed: '#bf2f32', brightGreen: '#1c6f35', brightYellow: '#9c6700',
    brightBlue: '#2a6fd6', brightMagenta: '#9c4fcc', brightCyan: '#0f7d90', brightWhite: '#1a1d22',
    scrollbarSliderBackground: 'rgba(0,0,0,0.18)', scrollbarSliderHoverBackground: 'rgba(0,0,0,0.3)',
    scrollbarSliderActiveBackground: 'rgba(0,0,0,0.4)',
  },
};

const SGR = {
  reset: '\x1b[0m', prompt: '\x1b[32;1m', dim: '\x1b[90m', error: '\x1b[31m', warn: '\x1b[33m',
  info: '\x1b[36m', list: '\x1b[34m',
};

// --- xterm.js under a strict CSP ---------------------------------------------

// xterm.js puts its computed CSS (cell sizes, theme colours) into <style>
// elements, which a Content-Security-Policy without 'unsafe-inline'
// refuses, leaving the terminal unstyled and the console full of CSP
// errors. Constructed stylesheets are not inline styles, so the page's
// document hands xterm.js an inert element whose textContent goes into a
// CSSStyleSheet adopted by the document instead. Only "style" is diverted:
// under this CSP no other code of the site may create <style> elements.
function installStyleShim(doc) {
  if (doc.hsmsimStyleShim || !('adoptedStyleSheets' in doc) || typeof CSSStyleSheet !== 'function') return;
  doc.hsmsimStyleShim = true;
  const create = doc.createElement.bind(doc);
  doc.createElement = function createElement(tag, options) {
    if (String(tag).toLowerCase() !== 'style') return create(tag, options);
    const el = create('xterm-style');
    el.hidden = true;
    const sheet = new CSSStyleSheet();
    let text = '';
    let adopted = false;
    Object.defineProperty(el, 'textContent', {
      get: () => text,
      set: (v) => {
        text = String(v ?? '');
        try {
          sheet.replaceSync(text);
        } catch {
          // A rule the browser cannot parse is skipped, as in a <style>.
        }
        if (!adopted) {
          doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
          adopted = true;
        }
      },
    });
    const remove = el.remove.bind(el);
    el.remove = () => {
      remove();
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
      adopted = false;
    };
    return el;
  };
}

let xtermLoading = null;

// loadXterm fetches the terminal's code once per page, with its stylesheet.
function loadXterm() {
  if (!xtermLoading) {
    const base = new URL('./vendor/', import.meta.url);
    let css = Promise.resolve();
    if (!document.querySelector('link[data-xterm-css]')) {
      // Loaded here rather than in the page's <head>: a stylesheet there
      // holds back the page's scripts, and so the engine's start.
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = new URL('xterm.css', base).href;
      link.dataset.xtermCss = '';
      css = new Promise((resolve) => {
        link.onload = resolve;
        link.onerror = resolve;
      });
      document.head.append(link);
    }
    installStyleShim(document);
    xtermLoading = Promise.all([import('./vendor/xterm.js'), import('./vendor/addon-fit.js'), css])
      .then(([x, f]) => ({ Terminal: x.Terminal, FitAddon: f.FitAddon }));
  }
  return xtermLoading;
}

// --- text ------------------------------------------------------------------------

// printable keeps what a line may hold: no control characters (a paste's
// tabs become blanks).
function printable(s) {
  return s.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, '');
}

// safeOutput shows control characters of command output (a binary file
// cat'ed, a label holding escape codes) as ^X instead of letting them steer
// the terminal.
function safeOutput(s) {
  return s.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) ^ 64)}`)
    .replace(/[\x80-\x9f]/g, '\ufffd');
}

// FAILURE matches the status lines with which the tools report a failure,
// and only those: a return code's "HSM Error", "Error: …", a
// cloudhsm_mgmt_util "<command> failed on server …" or "<command> failed:
// …", "creating user on server 2(…) failed", "Invalid …", "Usage Error",
// the shell's "command not found". A word "failed" in running text (the
// CAUTION banner's "…not executed or failed, please") is not a status.
const FAILURE = /HSM Error|^\s*Error:|^\S+ failed(?: on |: |$)|^[a-z][a-z ]* on server \d+\([^)]*\) failed$|^Invalid|^Usage Error|^.*: command not found/;

// colourise marks the lines of a tool's answer that report a failure.
// With cols, a line wider than the terminal is broken at its last blank
// that fits rather than wherever the terminal's edge falls (a status line
// on a phone stays readable word by word); a word wider than the terminal
// is cut. Only the screen is wrapped so: the log and transcripts keep the
// tool's lines.
export function colourise(text, cols = 0) {
  return text.split('\n').map((l) => {
    const shown = cols > 0 ? wrapLine(l, cols).join('\n') : l;
    return FAILURE.test(l) ? SGR.error + shown + SGR.reset : shown;
  }).join('\n');
}

// wrapLine breaks a line into pieces of at most cols characters, at blanks.
export function wrapLine(line, cols) {
  const out = [];
  let rest = line;
  while (rest.length > cols) {
    let cut = rest.lastIndexOf(' ', cols);
    if (cut <= 0) cut = cols;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ /, '');
  }
  out.push(rest);
  return out;
}

const commonPrefix = (words) => words.reduce((p, w) => {
  let i = 0;
  while (i < p.length && i < w.length && p[i] === w[i]) i++;
  return p.slice(0, i);
});

// Key sequences xterm.js sends, and what the line editor does with them.
const KEYS = {
  '\r': 'enter', '\n': 'enter', '\x7f': 'backspace', '\b': 'backspace', '\x1b\x7f': 'killWordBack',
  '\x1b[3~': 'delete', '\x04': 'deleteOrNothing',
  '\x1b[D': 'left', '\x02': 'left', '\x1b[C': 'right', '\x06': 'right', '\x1bOD': 'left', '\x1bOC': 'right',
  '\x1b[H': 'home', '\x1bOH': 'home', '\x1b[1~': 'home', '\x01': 'home',
  '\x1b[F': 'end', '\x1bOF': 'end', '\x1b[4~': 'end', '\x05': 'end',
  '\x1b[A': 'up', '\x1bOA': 'up', '\x10': 'up', '\x1b[B': 'down', '\x1bOB': 'down', '\x0e': 'down',
  '\x1b[1;5D': 'wordLeft', '\x1bb': 'wordLeft', '\x1b[1;3D': 'wordLeft',
  '\x1b[1;5C': 'wordRight', '\x1bf': 'wordRight', '\x1b[1;3C': 'wordRight',
  '\x15': 'killLine', '\x0b': 'killEnd', '\x17': 'killWord', '\t': 'tab', '\x03': 'interrupt', '\x0c': 'clear',
};

// nextToken splits the next key or run of text off the front of data.
function nextToken(data) {
  if (data.startsWith('\r\n')) return { len: 2, key: 'enter' };
  const c = data[0];
  if (c === '\x1b') {
    const m = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z]|[\x20-\x7f])/.exec(data);
    const seq = m ? m[0] : '\x1b';
    return { len: seq.length, key: KEYS[seq] || 'ignore' };
  }
  if (c < ' ' || c === '\x7f') return { len: 1, key: KEYS[c] || 'ignore' };
  const m = /^[^\x00-\x1f\x7f]+/.exec(data);
  return { len: m[0].length, key: 'text', text: m[0] };
}

// --- the console -----------------------------------------------------------------

export class Console {
  constructor(container, opts = {}) {
    this.container = container;
    this.client = opts.client;
    this.readOnly = !!opts.readOnly;
    this.historyStore = { load: async () => [], save: async () => {}, ...(opts.history || {}) };
    this.listeners = [];
    if (opts.onReply) this.listeners.push(opts.onReply);
    this.onState = opts.onState || (() => {});
    const mode = opts.lineMode ?? 'auto';
    this.lineMode = !this.readOnly && (mode === 'auto'
      ? matchMedia('(pointer: coarse)').matches && !matchMedia('(any-pointer: fine)').matches
      : !!mode);
    this.themeName = opts.theme === 'light' ? 'light' : 'dark';
    this.screenReader = !!opts.screenReader;

    this.prompt = '$ ';
    this.secret = false;
    this.asking = false;
    this.line = '';
    this.cursor = 0;
    this.history = [];
    this.histPos = 0;
    this.draft = '';
    this.steps = [];
    this.inbox = '';
    this.running = false; // a command is with the engine
    this.holding = 0;     // a completion is being fetched
    this.ready = false;   // the engine answers
    this.ahead = false;   // the prompt takes keys before the engine is ready
    this.preface = false; // start's own lines run: what was typed waits
    this.failed = null;   // why the engine did not start
    this.whenReady = new Promise((resolve) => { this.readyNow = resolve; });
    this.historyKnown = false;
    this.historyLoaded = new Promise((resolve) => { this.historyNow = resolve; });
    this.done = 0;
    this.shown = 0;       // where the terminal's cursor is, counted from the prompt's first cell
    this.promptShown = false;
    this.pendingWrites = '';
    this.idleWaiters = [];
    this.disposers = [];

    container.classList.add('console');
    container.dataset.done = '0';
    this.screen = document.createElement('div');
    this.screen.className = 'console-screen';
    this.log = document.createElement('div');
    this.log.className = 'console-log';
    this.log.setAttribute('role', 'log');
    this.log.setAttribute('aria-live', 'polite');
    this.log.setAttribute('aria-label', 'Console output');
    // Visually hidden, read by screen readers (set here so that an embed
    // needs no stylesheet of the playground's).
    Object.assign(this.log.style, {
      position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clipPath: 'inset(50%)',
      whiteSpace: 'pre-wrap', margin: '-1px', padding: '0', border: '0',
    });
    // How to leave the terminal, read with its input; and a polite
    // region for what a key just changed.
    this.hint = document.createElement('div');
    this.hint.id = `console-hint-${Math.random().toString(36).slice(2, 8)}`;
    this.hint.className = 'console-hint';
    this.hint.textContent = 'Tab completes. Press Escape then Tab to leave the console.';
    this.status = document.createElement('div');
    this.status.className = 'console-status';
    this.status.setAttribute('role', 'status');
    for (const el of [this.hint, this.status]) {
      Object.assign(el.style, {
        position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clipPath: 'inset(50%)',
        whiteSpace: 'nowrap', margin: '-1px', padding: '0', border: '0',
      });
    }
    this.spinner = document.createElement('div');
    this.spinner.className = 'console-busy';
    this.spinner.hidden = true;
    this.spinner.setAttribute('aria-hidden', 'true');
    // Said in words (not by a colour) and politely, while the engine loads.
    this.loadingNote = document.createElement('div');
    this.loadingNote.className = 'console-loading';
    this.loadingNote.setAttribute('role', 'status');
    this.loadingNote.setAttribute('aria-live', 'polite');
    this.loadingNote.hidden = true;
    container.append(this.screen, this.log, this.hint, this.status, this.spinner, this.loadingNote);
    if (this.lineMode) this.buildLineInput();
    this.showLoading(true);
    this.setState('loading');
    this.loading = loadXterm();
    this.loading.catch(() => {});
    if (!this.readOnly && !this.lineMode) this.catchEarlyKeys();
  }

  // catchEarlyKeys keeps what is typed before the terminal exists (nothing
  // has the focus yet): the keys go to the inbox, in order, and are edited
  // once the prompt is there.
  catchEarlyKeys() {
    const doc = this.container.ownerDocument;
    // Not Tab: with nothing focused it moves the focus, as it should.
    const named = { Enter: '\r', Backspace: '\x7f' };
    const onKey = (ev) => {
      if (this.term || ev.defaultPrevented || ev.ctrlKey || ev.altKey || ev.metaKey) return;
      const at = doc.activeElement;
      if (at && at !== doc.body && at !== this.container) return;
      const data = ev.key.length === 1 ? ev.key : named[ev.key];
      if (!data) return;
      ev.preventDefault();
      this.receive(data);
    };
    doc.addEventListener('keydown', onKey);
    this.disposers.push(() => doc.removeEventListener('keydown', onKey));
    this.dropEarlyKeys = () => doc.removeEventListener('keydown', onKey);
  }

  // --- public interface (shared with the embeds) ---------------------------------

  get busy() {
    return this.running;
  }

  // open shows the terminal (before the engine is ready, so that notices
  // have somewhere to go); start calls it when needed.
  async open() {
    if (this.term) return;
    if (!this.opening) this.opening = this.openTerminal();
    await this.opening;
  }

  // acceptAhead draws the prompt and takes keys before the engine is
  // ready (start then runs what was entered meanwhile). The prompt is the
  // one a workspace always opens at (see docs/simulator-choices.md,
  // *Typing before the engine is ready*); start checks it.
  async acceptAhead(prompt = '$ ') {
    await this.open();
    if (this.ready || this.readOnly) return;
    this.setPrompt(prompt);
    this.ahead = true;
    this.container.dataset.accepts = 'true';
    this.showPrompt();
    this.pump();
    this.takeBoot();
  }

  // takeBoot takes over from the prompt boot.js drew while this module and
  // the terminal loaded: what was typed there is received as if typed
  // here, in the pieces the terminal would have sent, and the keyboard
  // comes along if it was there.
  takeBoot() {
    const boot = globalThis.hsmsimBoot;
    if (!boot || this.readOnly || this.bootTaken) return;
    this.bootTaken = true;
    const { chunks, focused } = boot.take();
    for (const data of chunks) this.receive(data);
    if (focused) this.focus();
  }

  // start is called once the engine answers: init is its first reply
  // ({prompt, secret, asking}); opts.lines run first, before anything
  // typed (an embed's tool and lines), each as if typed.
  async start(init = {}, opts = {}) {
    await this.open();
    let lines = [];
    try {
      lines = await this.historyStore.load();
    } catch {
      lines = [];
    }
    if (!this.history.length) this.setHistory(lines || []);
    else this.setHistory(this.history);
    this.setPrompt(init.prompt || '$ ', { secret: !!init.secret, asking: !!init.asking });
    const first = (opts.lines || []).filter((l) => typeof l === 'string');
    this.preface = first.length > 0;
    this.takeBoot();
    this.ready = true;
    this.container.dataset.accepts = 'true';
    this.showLoading(false);
    // A line entered ahead is waiting for the engine: its prompt stays
    // where it is, and the next one comes after its answer.
    if (!this.running) this.showPrompt();
    this.setState(this.running ? 'busy' : 'ready');
    this.readyNow(true);
    for (const line of first) {
      if (this.running) await this.current;
      this.setLine(printable(line));
      await this.submit();
    }
    this.preface = false;
    this.pump();
  }

  // fail is called when the engine cannot start: a line entered ahead is
  // not run, and says why.
  fail(message) {
    this.failed = message;
    this.showLoading(false);
    this.readyNow(false);
  }

  showLoading(on) {
    const n = this.loadingNote;
    n.hidden = !on;
    let text = '';
    if (on) text = this.readOnly ? 'Loading the engine…' : 'Loading the engine… type away: lines you enter run, in order, when it is ready.';
    n.textContent = text;
    this.container.dataset.engine = on ? 'loading' : 'ready';
  }


  // run types line at the prompt and runs it, as if typed; it waits for a
  // command already running. It resolves with the engine's reply.
  async run(line) {
    await this.idle();
    this.setLine(printable(String(line)));
    return this.submit();
  }

  // type puts text on the input line without running it.
  type(text) {
    this.setLine(printable(String(text)));
    this.focus();
  }

  transcript() {
    return this.steps.map((s) => ({ ...s }));
  }

  clear() {
    this.log.replaceChildren();
    if (!this.term) return;
    this.term.write('\x1b[H\x1b[2J\x1b[3J');
    this.shown = 0;
    if (this.promptShown) this.render();
  }

  setTheme(name) {
    this.themeName = name === 'light' ? 'light' : 'dark';
    if (this.term) this.term.options.theme = THEMES[this.themeName];
    this.container.dataset.theme = this.themeName;
    // The strip below the last row shows the viewport, which xterm.css
    // paints black whatever the theme.
    const vp = this.screen.querySelector('.xterm-viewport');
    if (vp) vp.style.backgroundColor = THEMES[this.themeName].background;
  }

  // announce tells screen readers what a key just did.
  announce(text) {
    this.status.textContent = '';
    // A new node each time, so the same words are read again.
    requestAnimationFrame(() => { this.status.textContent = text; });
  }

  // setScreenReader turns xterm.js's screen reader mode on or off.
  setScreenReader(on) {
    this.screenReader = !!on;
    if (this.term) this.term.options.screenReaderMode = this.screenReader;
    this.container.dataset.screenReader = String(this.screenReader);
  }

  dispose() {
    for (const d of this.disposers) {
      try {
        d();
      } catch {
        // Disposing goes on with the rest.
      }
    }
    this.disposers = [];
    clearInterval(this.spinTimer);
    if (this.term) this.term.dispose();
    this.term = null;
    this.screen.remove();
    this.log.remove();
    this.spinner.remove();
    this.loadingNote.remove();
    this.hint.remove();
    this.status.remove();
    if (this.lineForm) this.lineForm.remove();
  }

  // --- more for the playground ---------------------------------------------------

  onReply(fn) {
    this.listeners.push(fn);
    return () => { this.listeners = this.listeners.filter((f) => f !== fn); };
  }

  focus() {
    if (this.lineMode && this.lineInput) this.lineInput.focus();
    else if (this.term) this.term.focus();
  }

  setHistory(lines) {
    // Stored history was masked by the engine when it was typed.
    const next = (lines || []).filter((l) => typeof l === 'string' && l.trim() !== '');
    const same = next.length === this.history.length && next.every((l, i) => l === this.history[i]);
    this.history = next;
    // The same lines again (the workspace's history came ahead of the
    // engine, then with it): a recall under way keeps its place.
    if (!same || !this.historyKnown) {
      this.histPos = this.history.length;
      this.draft = '';
    }
    this.historyKnown = true;
    this.historyNow();
  }

  // setPrompt changes the prompt; when idle it is redrawn at once.
  setPrompt(prompt, { secret = false, asking = false } = {}) {
    this.prompt = printable(String(prompt ?? '$ ').split('\n').pop());
    this.secret = !!secret;
    this.asking = !!asking || this.secret;
    const d = this.container.dataset;
    d.prompt = this.prompt;
    d.secret = String(this.secret);
    d.asking = String(this.asking);
    if (this.term) {
      this.term.textarea?.setAttribute('aria-label', this.asking ? `Answer: ${this.prompt}` : `Command line, prompt ${this.prompt.trim()}`);
    }
    if (this.lineInput) {
      this.linePrompt.textContent = this.prompt;
      this.lineInput.type = this.secret ? 'password' : 'text';
    }
    if (this.promptShown && !this.running) this.render();
    this.exposeLine();
  }

  // notice prints a message of the page (not of the engine) in the console.
  notice(level, text) {
    const div = document.createElement('div');
    div.className = `notice notice-${level}`;
    if (level === 'error') div.setAttribute('role', 'alert');
    div.textContent = text;
    this.append(div);
    const colour = level === 'error' ? SGR.error : level === 'warn' ? SGR.warn : SGR.info;
    const mark = level === 'error' ? '✗ ' : level === 'warn' ? '! ' : '› ';
    const width = this.term ? this.term.cols : 80;
    this.printAbove(`${colour}${wrapWords(mark + safeOutput(text), width, '  ')}${SGR.reset}\n`);
  }

  // output prints text as if a command had written it.
  output(text) {
    if (!text) return;
    this.logOutput(text);
    this.printAbove(colourise(safeOutput(text), this.term ? this.term.cols : 0) + (text.endsWith('\n') ? '' : '\n'));
  }

  // idle resolves when no command runs and nothing typed waits.
  idle() {
    if (this.ready && !this.preface && !this.running && !this.holding && !this.inbox) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // --- terminal ----------------------------------------------------------------

  async openTerminal() {
    const { Terminal, FitAddon } = await this.loading;
    const css = getComputedStyle(this.container);
    const term = new Terminal({
      convertEol: true,
      cursorBlink: !matchMedia('(prefers-reduced-motion: reduce)').matches,
      cursorStyle: 'bar',
      fontFamily: css.getPropertyValue('--console-font').trim() || 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: Number(css.getPropertyValue('--console-font-size')) || 14,
      lineHeight: 1.25,
      scrollback: 5000,
      theme: THEMES[this.themeName],
      disableStdin: this.readOnly || this.lineMode,
      minimumContrastRatio: 1,
      allowProposedApi: false,
      rightClickSelectsWord: true,
      screenReaderMode: this.screenReader,
      // A read-only replay has nothing to type at: no cursor.
      cursorInactiveStyle: this.readOnly ? 'none' : 'outline',
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(this.screen);
    this.term = term;
    this.fit = fit;
    this.refit();
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(this.fitFrame);
      this.fitFrame = requestAnimationFrame(() => this.refit());
    });
    ro.observe(this.screen);
    this.disposers.push(() => ro.disconnect());
    term.onData((d) => this.receive(d));
    if (this.dropEarlyKeys) this.dropEarlyKeys();
    term.attachCustomKeyEventHandler((ev) => this.keyFilter(ev));
    if (term.textarea) {
      term.textarea.setAttribute('aria-label', `Command line, prompt ${this.prompt.trim()}`);
      term.textarea.setAttribute('aria-describedby', this.hint.id);
    }
    this.setTheme(this.themeName);
    // A read-only replay has nothing to type at: its cursor is hidden.
    if (this.readOnly) term.write('\x1b[?25l');
    if (this.pendingWrites) {
      term.write(this.pendingWrites);
      this.pendingWrites = '';
    }
  }

  refit() {
    if (!this.term || !this.screen.isConnected || this.screen.clientWidth === 0) return;
    try {
      this.fit.fit();
    } catch {
      // Not laid out yet: the next resize fits it.
    }
  }

  write(s) {
    if (this.term) this.term.write(s);
    else this.pendingWrites += s;
  }

  // keyFilter lets the browser handle copy and paste: Ctrl-C with a
  // selection copies (rather than interrupting), Ctrl-V pastes.
  //
  // It also lets the keyboard leave: Tab is completion in the terminal, so
  // Escape then Tab (or Shift+Tab) moves the focus on, as in VS Code's
  // terminal; any other key after Escape keeps Tab for completion.
  keyFilter(ev) {
    if (ev.type !== 'keydown') return !(ev.key === 'Tab' && this.tabLeaves);
    const mod = ev.ctrlKey || ev.altKey || ev.metaKey;
    if (ev.key === 'Escape' && !mod && !ev.shiftKey) {
      this.tabLeaves = true;
      this.announce('Tab now leaves the console, Shift+Tab goes back; any other key stays in it.');
      return false;
    }
    if (ev.key === 'Tab' && this.tabLeaves && !mod) {
      this.tabLeaves = false;
      return false;
    }
    if (!['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'].includes(ev.key)) this.tabLeaves = false;
    const ctrl = ev.ctrlKey || ev.metaKey;
    const k = ev.key.toLowerCase();
    if (ctrl && k === 'c' && (ev.shiftKey || this.term.hasSelection())) return false;
    if (ctrl && k === 'v' && !ev.altKey) return false;
    if (ctrl && ev.shiftKey && k === 'v') return false;
    return true;
  }

  // --- input -------------------------------------------------------------------

  receive(data) {
    if (this.readOnly) return;
    // A paste arrives in one piece: its tabs are blanks, not completions.
    if (data.length > 1) data = data.replace(/\t/g, ' ');
    if (data.length > 1 && /[\r\n]/.test(data)) data = this.pasted(data);
    if (this.running && data.includes('\x03')) {
      // Ctrl-C while a command runs: a command cannot stop half way in
      // the engine, but what was typed ahead is dropped.
      this.inbox = '';
      return;
    }
    this.inbox += data;
    this.pump();
  }

  pump() {
    while (this.inbox && (this.ready || this.ahead) && !this.preface && !this.running && !this.holding) {
      const t = nextToken(this.inbox);
      this.inbox = this.inbox.slice(t.len);
      const p = this.key(t);
      if (p && typeof p.then === 'function') {
        this.holding++;
        p.catch(() => {}).finally(() => {
          this.holding--;
          this.pump();
        });
      }
    }
    if (this.ready && !this.preface && !this.running && !this.holding && !this.inbox) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const fn of w) fn();
    }
  }

  key(t) {
    const line = this.line;
    const cur = this.cursor;
    const hidden = this.secret;
    switch (t.key) {
      case 'text':
        this.edit(line.slice(0, cur) + t.text + line.slice(cur), cur + t.text.length);
        return null;
      case 'enter':
        this.submit();
        return null;
      case 'backspace':
        if (cur > 0) this.edit(line.slice(0, cur - 1) + line.slice(cur), cur - 1);
        return null;
      case 'delete':
      case 'deleteOrNothing':
        if (cur < line.length) this.edit(line.slice(0, cur) + line.slice(cur + 1), cur);
        return null;
      case 'left':
        if (cur > 0 && !hidden) this.edit(line, cur - 1);
        return null;
      case 'right':
        if (cur < line.length && !hidden) this.edit(line, cur + 1);
        return null;
      case 'home':
        if (!hidden) this.edit(line, 0);
        return null;
      case 'end':
        if (!hidden) this.edit(line, line.length);
        return null;
      case 'wordLeft': {
        if (hidden) return null;
        const m = /\S+\s*$/.exec(line.slice(0, cur));
        this.edit(line, m ? m.index : 0);
        return null;
      }
      case 'wordRight': {
        if (hidden) return null;
        const m = /^\s*\S+/.exec(line.slice(cur));
        this.edit(line, m ? cur + m[0].length : line.length);
        return null;
      }
      case 'killLine':
        this.edit(line.slice(cur), 0);
        return null;
      case 'killEnd':
        this.edit(line.slice(0, cur), cur);
        return null;
      case 'killWord':
      case 'killWordBack': {
        const m = /\S*\s*$/.exec(line.slice(0, cur));
        const from = m ? m.index : 0;
        this.edit(line.slice(0, from) + line.slice(cur), from);
        return null;
      }
      case 'up':
      case 'down':
        // Before the stored history is known, the key waits for it.
        if (!this.historyKnown) return this.historyLoaded.then(() => this.recall(t.key === 'up' ? -1 : 1));
        this.recall(t.key === 'up' ? -1 : 1);
        return null;
      case 'tab':
        return this.complete();
      case 'interrupt':
        return this.interrupt();
      case 'clear':
        this.clear();
        return null;
      default:
        return null;
    }
  }

  edit(line, cursor) {
    this.line = line;
    this.cursor = Math.max(0, Math.min(cursor, line.length));
    this.render();
    this.exposeLine();
  }

  setLine(line) {
    this.histPos = this.history.length;
    this.draft = '';
    if (this.lineInput) this.lineInput.value = line;
    this.edit(line, line.length);
  }

  exposeLine() {
    const d = this.container.dataset;
    d.line = this.secret ? '' : this.line;
    d.cursor = String(this.secret ? 0 : this.cursor);
  }

  recall(dir) {
    if (this.asking) return;
    if (!this.history.length) return;
    if (this.histPos === this.history.length) this.draft = this.line;
    const pos = Math.max(0, Math.min(this.history.length, this.histPos + dir));
    if (pos === this.histPos) return;
    this.histPos = pos;
    const text = pos === this.history.length ? this.draft : this.history[pos];
    this.edit(text, text.length);
  }

  // --- drawing -----------------------------------------------------------------

  // render redraws the prompt and the line and puts the cursor in place.
  // Positions are counted in cells from the prompt's first cell; the
  // terminal wraps long lines by itself.
  render() {
    if (!this.term || !this.promptShown) return;
    const cols = Math.max(1, this.term.cols);
    const vis = this.secret ? '' : this.line;
    const at = this.secret ? 0 : this.cursor;
    let out = '';
    const row = Math.floor(this.shown / cols);
    if (row > 0) out += `\x1b[${row}A`;
    out += `\r\x1b[J${SGR.prompt}${this.prompt}${SGR.reset}${vis}`;
    const end = this.prompt.length + vis.length;
    // A line that fills its last row leaves the cursor waiting to wrap; a
    // blank and a backspace put it on the next row, where it is counted.
    if (end > 0 && end % cols === 0) out += ' \b';
    const target = this.prompt.length + at;
    const up = Math.floor(end / cols) - Math.floor(target / cols);
    if (up > 0) out += `\x1b[${up}A`;
    out += '\r';
    if (target % cols) out += `\x1b[${target % cols}C`;
    this.term.write(out);
    this.shown = target;
  }

  showPrompt() {
    this.shown = 0;
    this.promptShown = true;
    this.render();
    this.exposeLine();
  }

  // leavePrompt moves below the prompt's line, which then stays as typed.
  leavePrompt(suffix = '') {
    if (!this.promptShown) return;
    const cols = Math.max(1, this.term ? this.term.cols : 80);
    const vis = this.secret ? '' : this.line;
    const end = this.prompt.length + vis.length;
    const down = Math.floor(end / cols) - Math.floor(this.shown / cols);
    let out = '';
    if (down > 0) out += `\x1b[${down}B`;
    out += `\r${end % cols ? `\x1b[${end % cols}C` : ''}${suffix}`;
    // A line that filled its last row left the cursor on a fresh row
    // already (see render).
    if (suffix || end === 0 || end % cols !== 0) out += '\r\n';
    this.write(out);
    this.promptShown = false;
    this.shown = 0;
  }

  // printAbove writes text (ending in a newline) above the prompt when one
  // is shown, and redraws it below.
  printAbove(text) {
    if (this.promptShown && this.term) {
      const cols = Math.max(1, this.term.cols);
      const row = Math.floor(this.shown / cols);
      this.term.write(`${row > 0 ? `\x1b[${row}A` : ''}\r\x1b[J${text}`);
      this.shown = 0;
      this.render();
    } else {
      this.write(text);
    }
  }

  // --- the log for screen readers and tests ----------------------------------------

  append(node) {
    this.log.append(node);
    while (this.log.childElementCount > MAX_LOG) this.log.firstElementChild.remove();
  }

  logEcho(prompt, input) {
    const div = document.createElement('div');
    div.className = 'entry';
    const p = document.createElement('span');
    p.className = 'prompt';
    p.textContent = prompt;
    const t = document.createElement('span');
    t.className = 'typed';
    t.textContent = input;
    div.append(p, t);
    this.append(div);
  }

  logOutput(text) {
    const pre = document.createElement('pre');
    pre.className = 'output';
    pre.textContent = text.endsWith('\n') ? text.slice(0, -1) : text;
    this.append(pre);
  }

  // --- commands ------------------------------------------------------------------

  setState(state) {
    this.container.dataset.state = state;
    this.onState(state, this.done);
  }

  setRunning(on) {
    this.running = on;
    this.log.setAttribute('aria-busy', String(on));
    clearTimeout(this.spinDelay);
    clearInterval(this.spinTimer);
    if (on) {
      const t0 = performance.now();
      // Quick commands (most) never show the spinner.
      this.spinDelay = setTimeout(() => {
        const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
        let i = 0;
        this.spinner.hidden = false;
        const tick = () => {
          this.spinner.textContent = `${frames[i++ % frames.length]} running… ${((performance.now() - t0) / 1000).toFixed(1)} s`;
        };
        tick();
        this.spinTimer = setInterval(tick, 100);
      }, 250);
      this.setState('busy');
    } else {
      this.spinner.hidden = true;
      this.spinner.textContent = '';
      this.setState(this.ready ? 'ready' : 'loading');
    }
  }

  // pasted reads a paste of several lines: a transcript as the docs print
  // it (prompts, commands and their output) runs its commands only, after
  // saying which; anything else runs line by line, as typed.
  pasted(data) {
    const cmds = transcriptCommands(data);
    if (!cmds) return data;
    if (cmds.length === 0) {
      this.notice('info', 'The pasted text holds prompts but no command after them: nothing to run.');
      return '';
    }
    const n = cmds.length === 1 ? 'its command' : `its ${cmds.length} commands`;
    this.notice('info', `Pasted a transcript: running ${n}, not its output lines:\n${cmds.map((c) => `  ${c}`).join('\n')}`);
    return `\x15${cmds.join('\r')}\r`;
  }

  submit() {
    // A prompt typed before the command, as the docs print it, is not
    // part of it ("Command: genSymKey …" runs genSymKey).
    if (!this.secret) {
      const bare = dropPrompt(this.line, this.asking ? this.prompt : '');
      if (bare !== this.line) this.edit(bare, bare.length);
    }
    const line = this.line;
    const prompt = this.prompt;
    const secret = this.secret;
    const asking = this.asking;
    this.leavePrompt();
    const remember = !asking && line.trim() !== '';
    this.histPos = this.history.length;
    this.draft = '';
    this.line = '';
    this.cursor = 0;
    if (this.lineInput) this.lineInput.value = '';
    this.current = this.execute(line, prompt, secret, remember);
    return this.current;
  }

  // remember keeps the line in history as the engine masked it (passwords
  // never reach the history, in memory or stored).
  remember(masked) {
    if (!masked || this.history[this.history.length - 1] === masked) return;
    this.history.push(masked);
    this.histPos = this.history.length;
    Promise.resolve(this.historyStore.save(this.history.slice())).catch(() => {});
  }

  async execute(line, prompt, secret, remember = false) {
    this.logEcho(prompt, secret ? '' : line);
    let reply = null;
    if (!this.ready && !(await this.awaitEngine(line, prompt))) {
      this.tell({ line: secret ? MASK : line, reply });
      this.finish();
      return reply;
    }
    this.setRunning(true);
    try {
      reply = await this.client.request('exec', { line });
    } catch (err) {
      this.notice('error', err.message);
    }
    if (reply) {
      if (remember) this.remember(reply.masked);
      // A command undone because its change could not be saved is no step
      // of the session: a transcript replays what was kept.
      if (!reply.undone) this.steps.push({ prompt, input: secret ? MASK : line, output: reply.output || '' });
      if (reply.output) this.output(reply.output);
      this.setPrompt(reply.prompt, { secret: reply.secret, asking: reply.asking });
    }
    this.tell({ line: secret ? MASK : line, reply });
    this.finish();
    return reply;
  }

  // awaitEngine holds a line entered before the engine was ready until it
  // is; false when it is not to run: the engine did not start, or the
  // workspace opened at another prompt than the one it was typed at.
  async awaitEngine(line, prompt) {
    this.running = true;
    this.log.setAttribute('aria-busy', 'true');
    const ok = await this.whenReady;
    this.running = false;
    if (!ok) {
      this.notice('error', `"${line}" was not run: ${this.failed || 'the engine did not start'}.`);
      return false;
    }
    if (prompt !== this.prompt) {
      this.notice('warn', `"${line}" was not run: it was typed at "${prompt.trim()}" while the engine loaded, but the workspace opened at "${this.prompt.trim()}". Type it again if you mean it there.`);
      return false;
    }
    return true;
  }

  tell(ev) {
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (err) {
        this.notice('error', `${err.message}`);
      }
    }
  }

  finish() {
    this.setRunning(false);
    this.showPrompt();
    this.done++;
    this.container.dataset.done = String(this.done);
    this.setState(this.ready ? 'ready' : 'loading');
    queueMicrotask(() => this.pump());
  }

  // interrupt is Ctrl-C: the line is dropped; a question is refused.
  async interrupt() {
    const line = this.line;
    const prompt = this.prompt;
    const asking = this.asking;
    const secret = this.secret;
    this.leavePrompt(`${SGR.dim}^C${SGR.reset}`);
    this.logEcho(prompt, `${secret ? '' : line}^C`);
    this.line = '';
    this.cursor = 0;
    this.histPos = this.history.length;
    this.draft = '';
    if (this.lineInput) this.lineInput.value = '';
    if (!asking) {
      this.showPrompt();
      return;
    }
    this.setRunning(true);
    let reply = null;
    try {
      reply = await this.client.request('interrupt');
    } catch (err) {
      this.notice('error', err.message);
    }
    if (reply) {
      if (reply.output) this.output(reply.output);
      this.setPrompt(reply.prompt, { secret: reply.secret, asking: reply.asking });
    }
    this.tell({ line: '^C', reply });
    this.finish();
  }

  // complete is Tab: the word before the cursor is completed as far as the
  // candidates agree; when they differ they are listed.
  async complete() {
    if (this.asking) return;
    const before = this.line.slice(0, this.cursor);
    const after = this.line.slice(this.cursor);
    const r = await this.completeLine(before);
    if (!r) return;
    if (r.list) {
      this.leavePrompt();
      this.write(`${SGR.list}${columns(r.list, this.term ? this.term.cols : 80)}${SGR.reset}\n`);
      const div = document.createElement('div');
      div.className = 'completions';
      div.textContent = r.list.join('  ');
      this.append(div);
      this.showPrompt();
    }
    this.edit(r.line + after, r.line.length);
  }

  // completeLine asks the engine for the words that can end `before`
  // (before the engine is ready, once it is).
  async completeLine(before) {
    if (!this.ready && !(await this.whenReady)) return null;
    let cands;
    try {
      cands = await this.client.request('complete', { line: before });
    } catch {
      return null;
    }
    if (!Array.isArray(cands) || cands.length === 0) return null;
    const word = /(\S*)$/.exec(before)[1];
    const head = before.slice(0, before.length - word.length);
    let fill = commonPrefix(cands);
    if (cands.length === 1) fill += ' ';
    if (fill.length > word.length) return { line: head + fill };
    return { line: before, list: cands };
  }

  // --- the plain line editor for touch screens -------------------------------------

  buildLineInput() {
    const form = document.createElement('form');
    form.className = 'console-line';
    form.autocomplete = 'off';
    const id = `console-line-${Math.random().toString(36).slice(2, 8)}`;
    const label = document.createElement('label');
    label.className = 'console-line-prompt';
    label.htmlFor = id;
    label.textContent = this.prompt;
    const input = document.createElement('input');
    input.id = id;
    input.type = 'text';
    input.autocomplete = 'off';
    input.setAttribute('autocapitalize', 'off');
    input.setAttribute('autocorrect', 'off');
    input.spellcheck = false;
    input.enterKeyHint = 'send';
    const go = document.createElement('button');
    go.type = 'submit';
    go.textContent = 'Run';
    form.append(label, input, go);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = printable(input.value);
      input.value = '';
      // Through the same path as typing: drop what the line held, then the
      // text, then Enter.
      this.receive(`\x15${v}\r`);
    });
    input.addEventListener('keydown', async (ev) => {
      if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
        ev.preventDefault();
        this.line = input.value;
        this.cursor = input.value.length;
        this.recall(ev.key === 'ArrowUp' ? -1 : 1);
        input.value = this.line;
      } else if (ev.key === 'Tab' && !ev.shiftKey && input.value.trim() !== '') {
        ev.preventDefault();
        const r = await this.completeLine(input.value);
        if (!r) return;
        if (r.list) this.printAbove(`${SGR.list}${columns(r.list, this.term ? this.term.cols : 40)}${SGR.reset}\n`);
        input.value = r.line;
      } else if (ev.key === 'c' && ev.ctrlKey) {
        ev.preventDefault();
        input.value = '';
        this.receive('\x03');
      }
    });
    this.lineForm = form;
    this.lineInput = input;
    this.linePrompt = label;
    this.container.append(form);
    this.container.classList.add('console-linemode');
  }
}

// wrapWords breaks text at blanks to fit width columns (notices are
// sentences, unlike a tool's output, which is shown as the tool wrote it);
// continuation lines start with indent.
function wrapWords(text, cols, indent = '') {
  const width = Math.max(20, cols - 1);
  const out = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (next.length <= width || !line) {
        line = next;
      } else {
        out.push(line);
        line = indent + word;
      }
      while (line.length > width) {
        out.push(line.slice(0, width));
        line = indent + line.slice(width);
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

// columns lays words out in columns that fit width, as a shell lists
// completions.
function columns(words, width) {
  const w = Math.max(...words.map((x) => x.length)) + 2;
  const per = Math.max(1, Math.floor(width / w));
  const rows = [];
  for (let i = 0; i < words.length; i += per) {
    rows.push(words.slice(i, i + per).map((x, j) => (j === per - 1 || i + j === words.length - 1 ? x : x.padEnd(w))).join(''));
  }
  return rows.join('\n');
}
