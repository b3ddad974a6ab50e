// term.js — the console: an output log and one input line with the current
// prompt, history (Up/Down), completion (Tab), Ctrl-C and Ctrl-L. Lines
// typed while a command runs wait their turn and are echoed when they run,
// after the prompt that was current then, as a terminal shows them.

const MAX_ENTRIES = 4000;

export class Terminal {
  // els: {log, form, input, prompt}; actions: {run(line), interrupt(), complete(line)}
  constructor(els, actions) {
    this.els = els;
    this.actions = actions;
    this.prompt = '$ ';
    this.secret = false;
    this.asking = false;
    this.history = [];
    this.histPos = 0;
    this.draft = '';
    this.waiting = [];
    this.busy = false;
    this.ready = false;
    this.done = 0;
    els.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    els.input.addEventListener('keydown', (ev) => this.key(ev));
    els.log.addEventListener('mouseup', () => {
      if (!String(window.getSelection())) els.input.focus();
    });
  }

  setReady(ready) {
    this.ready = ready;
    this.els.input.disabled = !ready;
    document.body.dataset.state = ready ? (this.busy ? 'busy' : 'ready') : 'loading';
    if (ready) this.els.input.focus();
  }

  setPrompt(prompt, { secret = false, asking = false } = {}) {
    this.prompt = prompt;
    this.secret = secret;
    this.asking = asking;
    this.els.prompt.textContent = prompt;
    this.els.input.type = secret ? 'password' : 'text';
    this.els.input.setAttribute('aria-label', asking ? `Answer: ${prompt}` : `Command line, prompt ${prompt.trim()}`);
  }

  setHistory(lines) {
    this.history = lines.slice();
    this.histPos = this.history.length;
  }

  append(node) {
    const log = this.els.log;
    const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(node);
    while (log.childElementCount > MAX_ENTRIES) log.firstElementChild.remove();
    if (stick) log.scrollTop = log.scrollHeight;
  }

  // echo shows a line as typed after its prompt (nothing for a secret).
  echo(prompt, line, secret) {
    const div = document.createElement('div');
    div.className = 'entry';
    const p = document.createElement('span');
    p.className = 'prompt';
    p.textContent = prompt;
    const t = document.createElement('span');
    t.className = 'typed';
    t.textContent = secret ? '' : line;
    div.append(p, t);
    this.append(div);
  }

  output(text) {
    if (!text) return;
    const pre = document.createElement('pre');
    pre.className = 'output';
    pre.textContent = text.endsWith('\n') ? text.slice(0, -1) : text;
    this.append(pre);
  }

  notice(level, text) {
    const div = document.createElement('div');
    div.className = `notice notice-${level}`;
    div.setAttribute('role', level === 'error' ? 'alert' : 'status');
    div.textContent = text;
    this.append(div);
    const log = this.els.log;
    log.scrollTop = log.scrollHeight;
  }

  clear() {
    this.els.log.replaceChildren();
  }

  submit() {
    if (!this.ready) return;
    const line = this.els.input.value;
    this.els.input.value = '';
    if (!this.secret && !this.asking && line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
    }
    this.histPos = this.history.length;
    this.draft = '';
    this.waiting.push(line);
    this.pump();
  }

  async pump() {
    if (this.busy) return;
    while (this.waiting.length) {
      const line = this.waiting.shift();
      this.busy = true;
      document.body.dataset.state = 'busy';
      this.echo(this.prompt, line, this.secret);
      try {
        await this.actions.run(line);
      } catch (err) {
        this.notice('error', err.message);
      }
      this.done++;
      document.body.dataset.done = String(this.done);
    }
    this.busy = false;
    if (this.ready) document.body.dataset.state = 'ready';
  }

  async key(ev) {
    const input = this.els.input;
    if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
      if (this.secret || this.asking) return;
      ev.preventDefault();
      if (this.histPos === this.history.length) this.draft = input.value;
      this.histPos = Math.max(0, Math.min(this.history.length, this.histPos + (ev.key === 'ArrowUp' ? -1 : 1)));
      input.value = this.histPos === this.history.length ? this.draft : this.history[this.histPos];
      input.setSelectionRange(input.value.length, input.value.length);
    } else if (ev.key === 'Tab' && !ev.shiftKey && !ev.altKey && !ev.ctrlKey) {
      ev.preventDefault();
      if (this.secret || this.asking || !this.ready) return;
      await this.complete();
    } else if (ev.ctrlKey && (ev.key === 'c' || ev.key === 'C') && input.selectionStart === input.selectionEnd) {
      ev.preventDefault();
      this.waiting.length = 0;
      this.echo(this.prompt, input.value + '^C', this.secret);
      input.value = '';
      if (this.asking) await this.actions.interrupt();
    } else if (ev.ctrlKey && (ev.key === 'l' || ev.key === 'L')) {
      ev.preventDefault();
      this.clear();
    }
  }

  async complete() {
    const input = this.els.input;
    const line = input.value.slice(0, input.selectionStart);
    const rest = input.value.slice(input.selectionStart);
    let cands;
    try {
      cands = await this.actions.complete(line);
    } catch {
      return;
    }
    if (!cands || cands.length === 0) return;
    const m = /(\S*)$/.exec(line);
    const word = m ? m[1] : '';
    const head = line.slice(0, line.length - word.length);
    let fill = cands[0];
    for (const c of cands) {
      let i = 0;
      while (i < fill.length && i < c.length && fill[i] === c[i]) i++;
      fill = fill.slice(0, i);
    }
    if (cands.length === 1) fill += ' ';
    if (fill.length > word.length || cands.length === 1) {
      input.value = head + fill + rest;
      const pos = (head + fill).length;
      input.setSelectionRange(pos, pos);
    } else {
      this.echo(this.prompt, input.value, false);
      this.output(cands.join('  '));
    }
  }
}
