// tour.js — the guided tours of "Managing Keys in AWS CloudHSM" beside the
// console: the walkthrough in the SDK 3 tools, and the same learning path in
// CloudHSM CLI; the learner picks one, and each keeps its own place. The
// steps, their checks, the explanations of errors and the notes on a reply
// come from the engine (engine/tour, through the worker's tour.*
// operations); this module only shows them and keeps the learner's place.
//
//   mountTour(el, host)   host = {request(op, args) -> Promise, type(line),
//                                  onReply(fn), workspace() -> id}
//
// A step is done when the cluster shows it happened, judged against the
// marks taken when the step started, so a learner's own variant of a
// command counts. Progress (done steps, the current step and its marks) is
// kept by the worker per workspace, with a checkpoint of the workspace at
// the step's start that "Reset this step" puts back.
//
// For tests and assistive technology the panel says what it is doing:
// data-checked counts the replies it has finished judging, data-active is
// true once the tour has started in this workspace, data-current names the
// current step, and each step's <li> has data-step and data-state (done,
// current, ahead). data-tour names the tour shown.

let cssLinked = false;

// TOUR_CHOICE keeps the tour the learner picked, for the next visit.
const TOUR_CHOICE = 'hsmsim.tour';

function linkCSS() {
  if (cssLinked) return;
  cssLinked = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('./tour.css', import.meta.url).href;
  document.head.append(link);
}

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export async function mountTour(el, host) {
  linkCSS();
  const tour = new Tour(el, host);
  await tour.start();
  return tour;
}

class Tour {
  constructor(el, host) {
    this.el = el;
    this.host = host;
    this.tours = [];
    this.tour = '';
    this.steps = [];
    this.notes = [];
    this.progress = { current: null, done: [], marks: null, resettable: false };
    this.workspace = null;
    this.scenario = '';
    this.explanations = [];
    this.message = null;   // {level, text}
    this.typed = new Set(); // commands of the current step run so far
    this.checked = 0;
    this.queue = Promise.resolve();
    this.open = null;       // a step shown expanded besides the current one
    // active: the learner has opened the tour (in this workspace or
    // before). Until then no command costs a look at the cluster, and no
    // checkpoint of a large workspace is taken for nothing.
    this.active = false;
    el.classList.add('tour');
    el.setAttribute('aria-label', 'Guided tour');
  }

  // serial runs fn after everything the panel is already doing: a reply
  // and a click never judge the cluster at the same time.
  serial(fn) {
    const p = this.queue.then(fn);
    this.queue = p.catch((err) => this.fail(err));
    return p;
  }

  fail(err) {
    this.message = { level: 'error', text: err && err.message ? err.message : String(err) };
    this.render();
  }

  async start() {
    this.render();
    try {
      this.tours = await this.host.request('tour.tours');
      let chosen = '';
      try { chosen = localStorage.getItem(TOUR_CHOICE) || ''; } catch { /* no storage */ }
      const t = this.tours.find((x) => x.id === chosen) || this.tours[0];
      this.tour = t.id;
      this.steps = t.steps;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
    this.host.onReply((r) => this.serial(() => this.onReply(r)));
    // The playground can switch workspaces without a command: notice it.
    this.watch = setInterval(() => {
      if (this.host.workspace() !== this.workspace) this.serial(() => this.load());
    }, 1000);
    // The panel may sit in a hidden tab: the tour starts when it is seen.
    if (typeof IntersectionObserver === 'function') {
      this.seen = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) this.serial(() => this.activate());
      });
      this.seen.observe(this.el);
    } else {
      this.serial(() => this.activate());
    }
  }

  dispose() {
    clearInterval(this.watch);
    if (this.seen) this.seen.disconnect();
  }

  // activate starts the tour in this workspace when it has not begun.
  async activate() {
    if (this.active) return;
    this.active = true;
    await this.load();
  }

  // pick shows another tour, where its own progress left off.
  async pick(id) {
    const t = this.tours.find((x) => x.id === id);
    if (!t || t.id === this.tour) return;
    this.tour = t.id;
    this.steps = t.steps;
    this.open = null;
    try { localStorage.setItem(TOUR_CHOICE, t.id); } catch { /* no storage */ }
    await this.load();
  }

  // load reads this workspace's progress, starting the first step when
  // there is none.
  async load() {
    const r = await this.host.request('tour.load', { tour: this.tour });
    this.workspace = this.host.workspace();
    this.scenario = r.scenario || '';
    this.progress = r.progress || { current: null, done: [], marks: null, resettable: false };
    this.explanations = [];
    this.notes = [];
    this.typed = new Set();
    this.message = null;
    if (r.progress) this.active = true;
    if (!this.active) {
      this.render();
      return;
    }
    const done = new Set(this.progress.done);
    if (!this.progress.current && done.size < this.steps.length) {
      const first = this.steps.find((s) => !done.has(s.id));
      await this.begin(first.id);
      return;
    }
    if (this.progress.current && !this.progress.marks) {
      await this.begin(this.progress.current);
      return;
    }
    this.render();
  }

  // begin makes a step the current one: the worker takes its marks and a
  // checkpoint of the workspace now.
  async begin(id, done = this.progress.done) {
    this.progress = await this.host.request('tour.begin', { tour: this.tour, step: id, done });
    this.typed = new Set();
    this.open = null;
    this.render();
    // A state that already holds counts (by state, not by what was typed).
    await this.judge();
  }

  async onReply(r) {
    try {
      await this.judgeReply(r);
    } finally {
      this.checked++;
      this.el.dataset.checked = String(this.checked);
    }
  }

  async judgeReply({ line, reply }) {
    if (this.host.workspace() !== this.workspace) {
      await this.load();
    }
    if (!this.active) return;
    const calls = (reply && reply.calls) || [];
    if (line !== undefined && line !== null) this.typed.add(String(line).trim());
    const ex = calls.length ? await this.host.request('tour.explain', { calls }) : [];
    if (ex.length) this.explanations = ex;
    else if (reply && reply.changed) this.explanations = [];
    this.notes = calls.length ? await this.host.request('tour.notes', { calls }) : [];
    this.message = null;
    await this.judge(calls);
  }

  // judge asks whether the current step is done now, from the cluster and
  // the calls of the reply just given, and moves on when it is.
  async judge(calls = []) {
    const cur = this.progress.current;
    if (!cur || !this.progress.marks) {
      this.render();
      return;
    }
    const status = await this.host.request('tour.status', { marks: this.progress.marks, step: cur, calls });
    const mine = status.find((s) => s.id === cur);
    if (!mine || !mine.done) {
      this.render();
      return;
    }
    const done = this.progress.done.includes(cur) ? this.progress.done : [...this.progress.done, cur];
    const at = this.steps.findIndex((s) => s.id === cur);
    const next = [...this.steps.slice(at + 1), ...this.steps.slice(0, at)].find((s) => !done.includes(s.id));
    const title = this.steps[at] ? this.steps[at].title : cur;
    if (next) {
      await this.begin(next.id, done);
      this.message = { level: 'done', text: `Done: ${title}. Next: ${next.title}.` };
    } else {
      this.progress = await this.host.request('tour.save', { tour: this.tour, current: null, done });
      this.message = { level: 'done', text: `Done: ${title}. That was the whole walkthrough.` };
    }
    this.render();
  }

  async reset() {
    const cur = this.step(this.progress.current);
    const r = await this.host.request('tour.reset', { tour: this.tour });
    this.progress = r.progress;
    this.typed = new Set();
    this.explanations = [];
    this.message = { level: 'info', text: `"${cur ? cur.title : 'This step'}" is back where it started: the keys and files it changed are as they were, and you are still ${r.mode === 'host' ? 'at the shell prompt' : `in ${r.mode}`}.` };
    this.render();
  }

  async restart() {
    this.progress = await this.host.request('tour.save', { tour: this.tour, current: null, done: [] });
    await this.begin(this.steps[0].id, []);
    this.message = { level: 'info', text: 'The tour starts again from the first step. The workspace keeps its keys; Reset on a step puts that step back.' };
    this.render();
  }

  step(id) {
    return this.steps.find((s) => s.id === id);
  }

  render() {
    const done = new Set(this.progress.done || []);
    const cur = this.progress.current;
    const count = this.steps.filter((s) => done.has(s.id)).length;
    const header = h('header', { class: 'tour-head' },
      h('h2', { class: 'tour-title', text: 'Guided tour' }),
      h('p', { class: 'tour-count', text: this.steps.length ? `${count} of ${this.steps.length} steps done` : 'Loading the tour…' }),
      h('button', { type: 'button', class: 'tour-restart', onclick: () => this.serial(() => this.restart()), disabled: !this.steps.length }, 'Start over'),
    );
    const t = this.tours.find((x) => x.id === this.tour);
    const pick = this.tours.length > 1 ? h('label', { class: 'tour-pick' }, 'Tour ',
      h('select', {
        class: 'tour-pick-select',
        onchange: (e) => { const id = e.target.value; this.serial(() => this.pick(id)); },
      }, ...this.tours.map((x) => h('option', { value: x.id, selected: x.id === this.tour }, x.title)))) : null;
    const intro = h('p', { class: 'tour-intro' },
      `${t ? t.intro : 'The walkthrough of “Managing Keys in AWS CloudHSM”.'} Click a command to put it on the console’s line, then press Enter. A step is done when the cluster shows it happened — your own variant of a command counts.`);
    const note = this.scenario && this.scenario !== 'default'
      ? h('p', { class: 'tour-note', text: `This workspace started from the “${this.scenario}” scenario; the tour follows the default cluster, so some handles and users in its commands may not exist here.` })
      : null;
    const msg = this.message ? h('p', { class: `tour-message tour-${this.message.level}`, role: 'status', text: this.message.text }) : null;

    const list = h('ol', { class: 'tour-steps' });
    for (const s of this.steps) {
      const state = done.has(s.id) && s.id !== cur ? 'done' : s.id === cur ? 'current' : 'ahead';
      const expanded = s.id === cur || s.id === this.open;
      const li = h('li', { class: `tour-step tour-${state}`, dataset: { step: s.id, state } });
      const mark = state === 'done' ? '✓' : state === 'current' ? '→' : '';
      li.append(h('button', {
        type: 'button', class: 'tour-step-title', 'aria-expanded': String(expanded),
        onclick: () => { this.open = this.open === s.id ? null : s.id; this.render(); },
      }, h('span', { class: 'tour-mark', 'aria-hidden': 'true', text: mark }), s.title,
      state === 'done' ? h('span', { class: 'visually-hidden', text: ' (done)' }) : null));
      if (expanded) li.append(this.details(s, state));
      list.append(li);
    }

    const notes = this.notes.length ? h('section', { class: 'tour-notes', 'aria-label': 'What the reply shows' },
      h('h3', { text: 'What the reply shows' }),
      h('ul', {}, ...this.notes.map((n) => h('li', { text: n })))) : null;

    const explain = this.explanations.length ? h('section', { class: 'tour-explain', 'aria-label': 'What went wrong' },
      h('h3', { text: 'What went wrong' }),
      ...this.explanations.map((e) => h('div', { class: 'tour-error', dataset: { code: e.code } },
        h('p', {}, h('code', { text: e.code }), ' ', e.meaning),
        h('p', { class: 'tour-fix' }, h('strong', { text: 'Fix: ' }), e.fix))),
      h('button', { type: 'button', class: 'tour-dismiss', onclick: () => { this.explanations = []; this.render(); } }, 'Dismiss'),
    ) : null;

    const finished = this.steps.length > 0 && count === this.steps.length && !cur
      ? h('p', { class: 'tour-finished', text: 'You have done every step of the walkthrough. Start over, or keep experimenting in the console.' })
      : null;

    this.el.dataset.active = String(this.active);
    this.el.dataset.tour = this.tour;
    this.el.dataset.current = cur || '';
    const focused = this.el.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused ? focused.dataset.focusKey : null;
    this.el.replaceChildren(header, ...[pick].filter(Boolean), intro, ...[note, msg, explain, notes, finished].filter(Boolean), list);
    if (focusKey) {
      const again = this.el.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      if (again) again.focus();
    }
  }

  details(s, state) {
    const box = h('div', { class: 'tour-body' });
    box.append(h('p', { class: 'tour-why', text: s.why }));
    if (s.notice) box.append(h('p', { class: 'tour-notice' }, h('strong', { text: 'Notice: ' }), s.notice));
    if (s.tool) box.append(h('p', { class: 'tour-tool' }, 'Runs in ', h('code', { text: s.tool })));
    const cmds = h('ol', { class: 'tour-commands', 'aria-label': `Commands of “${s.title}”` });
    s.commands.forEach((c, i) => {
      const ran = state === 'current' && this.typed.has(c);
      cmds.append(h('li', { dataset: { ran: String(ran) } },
        h('button', {
          type: 'button', class: 'tour-cmd', title: 'Put this command on the console line; press Enter to run it',
          dataset: { cmd: c, focusKey: `${s.id}/${i}` },
          onclick: () => this.host.type(c),
        }, h('code', { text: c }))));
    });
    box.append(cmds);
    const actions = h('div', { class: 'tour-actions' });
    if (state === 'current') {
      actions.append(h('button', {
        type: 'button', class: 'tour-reset', disabled: !this.progress.resettable,
        title: 'Put the workspace back as it was when this step started',
        onclick: () => this.serial(() => this.reset()),
      }, 'Reset this step'));
    } else {
      actions.append(h('button', {
        type: 'button', class: 'tour-goto',
        onclick: () => this.serial(() => this.begin(s.id)),
      }, state === 'done' ? 'Do this step again' : 'Go to this step'));
    }
    box.append(actions);
    return box;
  }
}
