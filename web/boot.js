// boot.js — the console's first prompt, there as soon as the page is.
//
// The terminal (xterm.js) and the page's modules take a few hundred
// milliseconds to arrive and start; this classic script is parsed with
// the page itself (the build puts it inline, scripts/inline, so that it
// waits for no file), right after the console's element, and draws the
// prompt the workspace opens at ("$ ", docs/simulator-choices.md, *Typing
// before the engine is ready*) at once. What is typed there is edited
// on its line (text, Backspace, Delete, the arrows, Home and End, Enter,
// Ctrl-C, Ctrl-U and pastes) and kept, key by key, as the terminal would
// send it; the keys it cannot act on yet (Tab, Up, Down and the other
// control keys) are kept too, without showing. When the console's
// terminal is up, console.js takes it all (globalThis.hsmsimBoot.take)
// and receives it as if typed there, so the same line, the same lines
// entered and the same completions end up in the terminal; this prompt is
// then gone.
//
// It stays out of the way of what is not its: on a touch screen (where
// the console is a plain line editor) it draws nothing, nor in an embed
// whose first prompt is not `$ ` or that is a replay (data-unless names
// the query parameters that say so), and the keyboard is taken only when nothing
// else has it. Its look is set here, not in a stylesheet, so that the
// playground and the embed (each with a stylesheet of its own) share it:
// the terminal's font, size and colours (console.js THEMES), in the
// terminal's place (data-inset: the padding around the terminal).
// Performance mark hsmsim-keys: the prompt is drawn, focused and edits
// what is typed.
(function () {
  'use strict';
  var script = document.currentScript;
  var host = script && document.getElementById(script.dataset.console || 'console');
  if (!host || globalThis.hsmsimBoot) return;
  var query = new URLSearchParams(location.search);
  var touch = window.matchMedia && matchMedia('(pointer: coarse)').matches && !matchMedia('(any-pointer: fine)').matches;
  if (touch || query.get('input') === 'line') return;
  var unless = (script.dataset.unless || '').split(' ');
  for (var u = 0; u < unless.length; u++) if (unless[u] && query.has(unless[u])) return;

  // An embed's theme is its query's or the reader's (embed-app.js sets the
  // same when it runs): set now, so that the prompt has its colours.
  var root = document.documentElement;
  if (script.dataset.themeParam && !root.dataset.theme) {
    var asked = query.get(script.dataset.themeParam);
    root.dataset.theme = asked === 'light' || asked === 'dark' ? asked
      : window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  // The terminal's colours (console.js THEMES: foreground, green, cyan).
  var COLOURS = {
    dark: { fg: '#e6e1cf', prompt: '#7fd962', greeting: '#5ccfe6' },
    light: { fg: '#23272e', prompt: '#1f7a3a', greeting: '#0b6e7f' },
  };
  function colours() {
    var t = root.dataset.theme;
    if (t !== 'light' && t !== 'dark') t = window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    return COLOURS[t];
  }

  var PROMPT = '$ ';
  var chunks = []; // what the terminal would have received, in order
  var line = '';
  var cursor = 0;
  var taken = false;

  var box = document.createElement('div');
  box.className = 'boot-console';
  box.setAttribute('aria-hidden', 'true');
  var lines = document.createElement('div');
  lines.className = 'boot-lines';
  var greeting = host.dataset.greeting;
  if (greeting) {
    var g = document.createElement('div');
    g.className = 'boot-greeting';
    g.textContent = '› ' + greeting;
    Object.assign(g.style, { whiteSpace: 'normal', paddingLeft: '2ch', textIndent: '-2ch' });
    lines.appendChild(g);
  }
  var current = document.createElement('div');
  current.className = 'boot-line';
  var promptEl = document.createElement('span');
  promptEl.className = 'boot-prompt';
  promptEl.textContent = PROMPT;
  var before = document.createElement('span');
  var caret = document.createElement('span');
  caret.className = 'boot-caret';
  var after = document.createElement('span');
  current.appendChild(promptEl);
  current.appendChild(before);
  current.appendChild(caret);
  current.appendChild(after);
  var input = document.createElement('textarea');
  input.className = 'boot-input';
  input.setAttribute('aria-label', 'Command line, prompt $ (the console is loading; what you type is kept)');
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('autocapitalize', 'off');
  input.setAttribute('autocorrect', 'off');
  input.spellcheck = false;
  Object.assign(box.style, {
    position: 'absolute', inset: script.dataset.inset || '0', overflow: 'hidden', cursor: 'text',
    font: '14px/20px ' + (getComputedStyle(host).getPropertyValue('--console-font').trim() || 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace'),
    whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', zIndex: '1',
  });
  Object.assign(input.style, {
    position: 'absolute', left: '0', top: '0', width: '1px', height: '1px', opacity: '0',
    border: '0', padding: '0', resize: 'none', overflow: 'hidden',
  });
  box.appendChild(lines);
  box.appendChild(current);
  host.appendChild(box);
  host.appendChild(input);

  var focused = false;
  function paint() {
    var c = colours();
    box.style.color = c.fg;
    if (lines.firstChild && lines.firstChild.className === 'boot-greeting') lines.firstChild.style.color = c.greeting;
    var ps = box.querySelectorAll('.boot-prompt');
    for (var i = 0; i < ps.length; i++) {
      ps[i].style.color = c.prompt;
      ps[i].style.fontWeight = 'bold';
    }
    // A bar when focused, an outline when not, as the terminal's cursor.
    caret.style.boxShadow = focused ? 'inset 2px 0 0 ' + c.prompt : 'inset 0 0 0 1px ' + c.fg;
  }

  function render() {
    paint();
    before.textContent = line.slice(0, cursor);
    caret.textContent = cursor < line.length ? line[cursor] : ' ';
    after.textContent = line.slice(cursor + 1);
  }

  function enter(suffix) {
    var done = document.createElement('div');
    done.className = 'boot-line';
    var p = document.createElement('span');
    p.className = 'boot-prompt';
    p.textContent = PROMPT;
    done.appendChild(p);
    done.appendChild(document.createTextNode(line + (suffix || '')));
    lines.appendChild(done);
    line = '';
    cursor = 0;
  }

  // keep records data as the terminal would send it and edits the line
  // shown the way the console will (console.js, key).
  function keep(data, edit) {
    if (taken) return;
    chunks.push(data);
    if (edit) edit();
    render();
    box.scrollTop = box.scrollHeight;
  }

  function insert(text) {
    line = line.slice(0, cursor) + text + line.slice(cursor);
    cursor += text.length;
  }

  // The keys the console reads as the terminal sends them (xterm.js's
  // sequences), with what each does to the line here.
  var KEYS = {
    Enter: ['\r', function () { enter(''); }],
    Backspace: ['\x7f', function () { if (cursor > 0) { line = line.slice(0, cursor - 1) + line.slice(cursor); cursor--; } }],
    Delete: ['\x1b[3~', function () { line = line.slice(0, cursor) + line.slice(cursor + 1); }],
    ArrowLeft: ['\x1b[D', function () { if (cursor > 0) cursor--; }],
    ArrowRight: ['\x1b[C', function () { if (cursor < line.length) cursor++; }],
    Home: ['\x1b[H', function () { cursor = 0; }],
    End: ['\x1b[F', function () { cursor = line.length; }],
    ArrowUp: ['\x1b[A'],
    ArrowDown: ['\x1b[B'],
    Tab: ['\t'],
  };
  var CTRL = {
    c: ['\x03', function () { enter('^C'); }],
    u: ['\x15', function () { line = line.slice(cursor); cursor = 0; }],
    a: ['\x01', function () { cursor = 0; }],
    e: ['\x05', function () { cursor = line.length; }],
    k: ['\x0b', function () { line = line.slice(0, cursor); }],
    l: ['\x0c'],
    w: ['\x17'],
    d: ['\x04'],
  };
  var escaped = false; // Escape then Tab leaves the console, as in the terminal

  input.addEventListener('keydown', function (ev) {
    if (ev.isComposing) return;
    if (ev.key === 'Escape') {
      escaped = true;
      return;
    }
    if (ev.key === 'Tab' && (escaped || ev.shiftKey)) {
      escaped = false;
      return;
    }
    if (['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'].indexOf(ev.key) < 0) escaped = false;
    var k = null;
    if (ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      // Ctrl-V pastes (the input event brings it); Ctrl-C copies a selection.
      if (ev.key === 'v' || ev.key === 'V') return;
      k = CTRL[ev.key.toLowerCase()];
    } else if (!ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      k = KEYS[ev.key];
    }
    if (!k) return;
    ev.preventDefault();
    keep(k[0], k[1]);
  });

  // Printable text, typed or pasted, comes with the input event (which
  // also serves input methods); a paste is one piece, as the terminal
  // sends it, so the console reads a pasted block as a paste.
  input.addEventListener('input', function () {
    var text = input.value;
    input.value = '';
    if (!text) return;
    text = text.replace(/\r\n?|\n/g, '\r');
    keep(text, function () {
      var parts = text.split('\r');
      for (var i = 0; i < parts.length; i++) {
        if (i > 0) enter('');
        insert(parts[i].replace(/[\x00-\x1f\x7f]/g, ' '));
      }
    });
  });

  box.addEventListener('mousedown', function (ev) {
    ev.preventDefault();
    input.focus();
  });
  input.addEventListener('focus', function () { focused = true; paint(); });
  input.addEventListener('blur', function () { focused = false; paint(); });
  // The theme may change (the page's toggle) while this prompt is up.
  var observer = new MutationObserver(paint);
  observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });

  render();
  var at = document.activeElement;
  if (!at || at === document.body) input.focus({ preventScroll: true });

  globalThis.hsmsimBoot = {
    // take ends this prompt: it returns what was typed, in the pieces the
    // terminal would have received, and whether it had the keyboard.
    take: function () {
      var focused = document.activeElement === input;
      taken = true;
      observer.disconnect();
      box.remove();
      input.remove();
      var out = chunks;
      chunks = [];
      return { chunks: out, focused: focused };
    },
  };
  performance.mark('hsmsim-keys');
})();
