// embed.js — <hsm-console>: a live hsmsim console in any page.
//
//   <script type="module" src="https://SITE/embed.js"></script>
//   <hsm-console scenario="shared-key" seed="7" tool="key_mgmt_util" height="320"
//                theme="dark" storage="none">
//     <script type="text/plain">
//       loginHSM -u CU -s example_user -p password
//       findKey
//     </script>
//   </hsm-console>
//
// or, from a page's own module code (the element is defined on import):
//
//   import { HsmConsole } from 'https://SITE/embed.js';
//
// The site serves this file, and its types (embed.d.ts), with
// Access-Control-Allow-Origin: * so pages of any origin may load it as a
// module (server/headers.go). It loads nothing else itself: each element
// renders an iframe of embed.html, the one page of the site other sites may
// frame.
//
// Attributes: scenario, seed, tool, lines (newline-separated; or a
// <script type="text/plain"> child), replay (read-only replay of the lines),
// height (px, or a CSS length), theme (light, dark), storage (none, the
// default, or a name: kept in this browser under that name only), origins
// (the pages allowed to use the API; default: this page's origin), title,
// screen-reader (present: xterm.js's screen reader mode).
// The element renders an iframe of embed.html with the same settings as URL
// parameters (see embed-app.js), so each console runs in its own frame and
// worker: consoles on one page never share a cluster, and none touches
// the playground's workspaces.
//
// Methods: run(line) -> Promise<{output, prompt, mode}>, transcript() ->
// Promise<[{prompt, input, output}]>, markdown() and script() -> Promise<text>;
// the property ready is a Promise settled when the lines have run (rejected
// when the console cannot start). Events: 'hsm-ready', 'hsm-reply' and
// 'hsm-error' (detail: the embed's message, typed below and in embed.d.ts).
// Only messages from this element's own frame and the embed's origin are
// read.

/**
 * @typedef {object} HsmRunResult
 * @property {string} output  what the command printed
 * @property {string} prompt  the prompt after it ("$ ", "Command: ", "aws-cloudhsm>")
 * @property {string} mode    "host", "key_mgmt_util" or "cloudhsm_mgmt_util"
 */
/**
 * @typedef {object} HsmStep
 * @property {string} prompt  the prompt the line was typed at
 * @property {string} input   the line ("********" for a hidden answer)
 * @property {string} output  what it printed
 */
/**
 * @typedef {object} HsmReadyDetail  detail of 'hsm-ready'
 * @property {1} hsmsim
 * @property {'ready'} event
 * @property {string} embed     the element's id
 * @property {string} prompt    the prompt the console shows once its lines ran
 * @property {string} mode      the tool running then ("host" at the $ prompt)
 * @property {string} scenario
 * @property {boolean} replay
 */
/**
 * @typedef {object} HsmReplyDetail  detail of 'hsm-reply', after every command
 * @property {1} hsmsim
 * @property {'reply'} event
 * @property {string} embed
 * @property {string} [line]    the line run ("********" for a hidden answer)
 * @property {string} output
 * @property {string} prompt    the prompt after it
 */
/**
 * @typedef {object} HsmErrorDetail  detail of 'hsm-error', the console did not start
 * @property {1} hsmsim
 * @property {'error'} event
 * @property {string} embed
 * @property {string} message
 */

const EMBED = new URL('./embed.html', import.meta.url);
const ATTRS = ['scenario', 'seed', 'tool', 'lines', 'replay', 'height', 'theme', 'storage', 'origins', 'title', 'screen-reader'];
const TIMEOUT_MS = 120000;
let counter = 0;

// dedent reads a <script type="text/plain"> child: one command a line,
// indentation and blank lines dropped.
function dedent(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
}

function cssLength(v) {
  if (!v) return '320px';
  if (/^\d+(\.\d+)?$/.test(v)) return `${v}px`;
  if (/^\d+(\.\d+)?(px|em|rem|vh|%)$/.test(v)) return v;
  return '320px';
}

export class HsmConsole extends HTMLElement {
  static get observedAttributes() {
    return ATTRS;
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.frame = null;
    this.pending = new Map();
    this.nextId = 1;
    this.embedId = `hsm-console-${++counter}`;
    this.onMessage = this.onMessage.bind(this);
    this.resetReady();
  }

  resetReady() {
    this.ready = new Promise((resolve, reject) => { this.readyResolve = resolve; this.readyReject = reject; });
    this.ready.catch(() => {});
  }

  connectedCallback() {
    window.addEventListener('message', this.onMessage);
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => this.build(), { once: true });
    } else {
      this.build();
    }
  }

  disconnectedCallback() {
    window.removeEventListener('message', this.onMessage);
    this.failPending(new Error('the console was removed from the page'));
    this.shadowRoot.replaceChildren();
    this.frame = null;
  }

  attributeChangedCallback() {
    if (this.frame) this.build();
  }

  // src is embed.html with this element's settings.
  src() {
    const u = new URL(EMBED);
    for (const a of ['scenario', 'seed', 'tool', 'theme', 'storage']) {
      const v = this.getAttribute(a);
      if (v) u.searchParams.set(a, v);
    }
    let lines = this.getAttribute('lines');
    if (lines === null) {
      const child = this.querySelector('script[type="text/plain"]');
      if (child) lines = dedent(child.textContent);
    }
    if (lines) u.searchParams.set('lines', lines);
    if (this.hasAttribute('replay') && this.getAttribute('replay') !== 'false') u.searchParams.set('replay', '1');
    if (this.hasAttribute('screen-reader') && this.getAttribute('screen-reader') !== 'false') u.searchParams.set('screenreader', '1');
    u.searchParams.set('origins', this.getAttribute('origins') || location.origin);
    u.searchParams.set('id', this.id || this.embedId);
    return u;
  }

  build() {
    if (!this.isConnected) return;
    this.failPending(new Error('the console was reloaded'));
    this.resetReady();
    this.style.display = 'block';
    const f = document.createElement('iframe');
    f.src = this.src().href;
    f.title = this.getAttribute('title') || 'hsmsim console';
    f.setAttribute('allow', 'clipboard-write');
    f.style.display = 'block';
    f.style.width = '100%';
    f.style.height = cssLength(this.getAttribute('height'));
    f.style.border = '0';
    this.frame = f;
    this.shadowRoot.replaceChildren(f);
  }

  failPending(err) {
    for (const [, p] of this.pending) p.reject(err);
    this.pending.clear();
  }

  onMessage(ev) {
    if (!this.frame || ev.source !== this.frame.contentWindow || ev.origin !== EMBED.origin) return;
    const m = ev.data;
    if (!m || typeof m !== 'object' || m.hsmsim !== 1) return;
    if (m.event) {
      if (m.event === 'ready') this.readyResolve(m);
      if (m.event === 'error') this.readyReject(new Error(String(m.message)));
      this.dispatchEvent(new CustomEvent(`hsm-${m.event}`, { detail: m }));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  async request(op, args = {}) {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the console did not answer ${op} (is this page's origin in its origins?)`));
      }, TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.frame.contentWindow.postMessage({ hsmsim: 1, id, op, ...args }, EMBED.origin);
    });
  }

  /**
   * Types line at the console's prompt and runs it, after what is running.
   * @param {string} line
   * @returns {Promise<HsmRunResult>}
   */
  run(line) {
    return this.request('run', { line: String(line) });
  }

  /** @returns {Promise<HsmStep[]>} every line run and its output, hidden answers masked */
  transcript() {
    return this.request('transcript');
  }

  /** @returns {Promise<string>} the session as Markdown in the docs' style */
  markdown() {
    return this.request('markdown');
  }

  /** @returns {Promise<string>} the lines typed, one a line, passwords masked */
  script() {
    return this.request('script');
  }
}

/**
 * defineHsmConsole defines the element under another name too (the module
 * defines <hsm-console> itself when it loads, unless the name is taken).
 * @param {string} [name]
 * @returns {typeof HsmConsole}
 */
export function defineHsmConsole(name = 'hsm-console') {
  const have = customElements.get(name);
  if (have) return have;
  // A class may be defined once per name: another name gets a subclass.
  const cls = name === 'hsm-console' ? HsmConsole : class extends HsmConsole {};
  customElements.define(name, cls);
  return cls;
}

defineHsmConsole();
