// panels.js — the cluster beside the console: keys, users, HSMs and files,
// redrawn from the engine's state summary after every command (worker op
// `summary`). Every string from the workspace (labels, names, file names
// and contents) is set as text, never parsed as HTML.

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 300;
const PREVIEW_BYTES = 4096;

function el(tag, { cls, text, attrs } = {}, children = []) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) if (c) e.append(c);
  return e;
}

function button(text, label, onClick, cls) {
  const b = el('button', { text, cls, attrs: { type: 'button', 'aria-label': label } });
  b.addEventListener('click', onClick);
  return b;
}

const TYPE_NAMES = { GENERIC_SECRET: 'Generic', DES3: '3DES', EC: 'EC', RSA: 'RSA', AES: 'AES', DSA: 'DSA', EC_EDWARDS: 'Ed25519', ML_DSA: 'ML-DSA' };

export function humanSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// looksLikeText says whether bytes are UTF-8 text worth showing as is (a
// PEM file, a note) rather than as a hex dump.
function looksLikeText(bytes) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return /[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text) ? null : text;
}

function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export class Panels {
  // ctx: {client, con, ask, download, onFilesChanged}
  constructor(ctx) {
    this.ctx = ctx;
    this.summary = null;
    this.touched = new Set();
    this.filter = '';
    this.previews = new Map(); // file name -> open
    this.refreshing = null;
    this.again = false;
    this.tabs = Array.from(document.querySelectorAll('#side [role="tab"]'));
    for (const t of this.tabs) {
      t.addEventListener('click', () => this.select(t, true));
      t.addEventListener('keydown', (ev) => this.tabKey(ev, t));
    }
    $('keys-filter').addEventListener('input', (ev) => {
      this.filter = ev.target.value.trim().toLowerCase();
      this.drawKeys();
    });
    $('file-upload').addEventListener('click', () => $('file-input').click());
    $('file-input').addEventListener('change', (ev) => {
      const list = Array.from(ev.target.files);
      ev.target.value = '';
      this.upload(list);
    });
    this.setupDrop();
  }

  // --- tabs ----------------------------------------------------------------------

  visibleTabs() {
    return this.tabs.filter((t) => !t.hidden);
  }

  select(tab, fromUser) {
    const narrow = matchMedia('(max-width: 760px)').matches;
    const already = tab.getAttribute('aria-selected') === 'true';
    for (const t of this.tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    // On a phone the panels fold away: the tab that is open closes them.
    if (narrow && fromUser) document.body.dataset.side = already && document.body.dataset.side === 'open' ? 'closed' : 'open';
    for (const t of this.tabs) {
      if (narrow) t.setAttribute('aria-expanded', String(t === tab && document.body.dataset.side === 'open'));
      else t.removeAttribute('aria-expanded');
    }
  }

  show(name) {
    const t = $(`tab-${name}`);
    if (t) this.select(t, false);
  }

  tabKey(ev, tab) {
    const tabs = this.visibleTabs();
    const i = tabs.indexOf(tab);
    let next = null;
    if (ev.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    else if (ev.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (ev.key === 'Home') next = tabs[0];
    else if (ev.key === 'End') next = tabs[tabs.length - 1];
    if (!next) return;
    ev.preventDefault();
    next.focus();
    this.select(next, false);
  }

  // --- data ----------------------------------------------------------------------

  // refresh fetches the summary and redraws; touched handles are
  // highlighted until the next command. Calls made while one is on its way
  // are folded into one more.
  refresh(touched) {
    if (touched !== undefined) this.touched = new Set((touched || []).map(Number));
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        let s;
        try {
          s = await this.ctx.client.request('summary');
        } catch (err) {
          s = { mode: '', keys: [], users: [], nodes: [], files: [], error: err.message };
        }
        this.summary = s;
        this.draw();
      } while (this.again);
      this.refreshing = null;
    })();
    return this.refreshing;
  }

  draw() {
    this.drawKeys();
    this.drawUsers();
    this.drawNodes();
    this.drawFiles();
  }

  // userName is how a key's owner or sharer is shown: the name and, with
  // withId, the id the tools use.
  userName(id, withId = true) {
    const u = (this.summary.users || []).find((x) => x.id === id);
    if (!u) return `user ${id}`;
    return withId ? `${u.name} (${id})` : u.name;
  }

  drawKeys() {
    const s = this.summary;
    if (!s) return;
    const body = $('keys-body');
    const keys = s.keys || [];
    $('keys-count').textContent = String(keys.length);
    const nodes = (s.nodes || []).length;
    const rows = [];
    let matched = 0;
    let firstTouched = null;
    for (const k of keys) {
      const type = `${TYPE_NAMES[k.keyType] || k.keyType} ${k.class} ${k.bits}`;
      const owner = this.userName(k.owner);
      const shared = (k.shared || []).map((id) => this.userName(id));
      if (this.filter) {
        const hay = [k.handle, k.reference || '', k.label, k.id || '', type, k.bits, owner, shared.join(' '), k.token ? 'token' : 'session'].join(' ').toLowerCase();
        if (!hay.includes(this.filter)) continue;
      }
      matched++;
      if (rows.length >= MAX_ROWS) continue;
      const tr = el('tr', { attrs: { 'data-handle': k.handle } });
      if (this.touched.has(k.handle)) {
        tr.classList.add('touched');
        firstTouched = firstTouched || tr;
      }
      const label = el('td', { cls: 'label' });
      if (k.label) label.append(el('span', { text: k.label }));
      else label.append(el('span', { cls: 'muted', text: '(no label)' }));
      if (k.id) label.append(el('span', { cls: 'sub', text: `id ${k.id}` }));
      const kind = el('td', { cls: 'nowrap' }, [
        el('span', { text: `${TYPE_NAMES[k.keyType] || k.keyType}${k.bits ? ` ${k.bits}` : ''}` }),
        el('span', { cls: 'sub', text: k.class }),
      ]);
      const attrs = el('td', { cls: 'nowrap' }, [
        el('span', { cls: `badge ${k.token ? 'badge-token' : 'badge-session'}`, text: k.token ? 'token' : 'session' }),
        el('span', { cls: `sub${k.extractable ? '' : ' strong'}`, text: k.extractable ? 'extractable' : 'not extractable' }),
      ]);
      if (k.nodes && nodes && k.nodes.length < nodes) {
        attrs.append(el('span', { cls: 'sub warn', text: `only on HSM ${k.nodes.join(', ')}` }));
      }
      const ownerCell = el('td', { cls: 'owner' }, [el('span', { cls: 'nowrap', text: owner })]);
      if (shared.length) ownerCell.append(el('span', { cls: 'sub', text: `shared with ${shared.join(', ')}` }));
      tr.append(
        el('td', { cls: 'num' }, [
          el('span', { text: k.handle }),
          el('span', { cls: 'sub', text: k.reference || '', attrs: { title: 'the key reference CloudHSM CLI shows' } }),
        ]),
        label,
        kind,
        ownerCell,
        attrs,
      );
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    let note = '';
    if (s.error) note = s.error;
    else if (keys.length === 0) note = 'No keys on the HSMs.';
    else if (matched === 0) note = 'No key matches the filter.';
    else if (matched > rows.length) note = `Showing ${rows.length} of ${matched} keys; filter to find the others.`;
    else note = 'Session keys last until the login session ends; a reload ends it.';
    $('keys-note').textContent = note;
    if (firstTouched && !$('keys-panel').hidden) firstTouched.scrollIntoView({ block: 'nearest' });
  }

  drawUsers() {
    const users = this.summary.users || [];
    $('users-count').textContent = String(users.length);
    $('users-body').replaceChildren(...users.map((u) => el('tr', { cls: u.loggedIn ? 'current' : '' }, [
      el('td', { cls: 'num', text: u.id }),
      el('td', { text: u.type }),
      el('td', { text: u.name }),
      el('td', {}, [u.loggedIn ? el('span', { cls: 'badge badge-on', text: 'logged in' }) : el('span', { cls: 'muted', text: 'no' })]),
      el('td', { cls: `num${u.failedLogins ? ' warn' : ''}`, text: u.failedLogins }),
    ])));
  }

  drawNodes() {
    const nodes = this.summary.nodes || [];
    const bad = nodes.some((n) => !n.up || !n.inSync);
    const count = $('hsms-count');
    count.textContent = String(nodes.length);
    count.classList.toggle('alert', bad);
    $('nodes-list').replaceChildren(...nodes.map((n) => el('li', { cls: `node${n.up ? '' : ' down'}${n.inSync ? '' : ' unsync'}` }, [
      el('div', { cls: 'node-head' }, [
        el('span', { cls: 'node-name', text: `HSM ${n.id}` }),
        el('span', { cls: 'node-addr', text: n.addr }),
      ]),
      el('div', { cls: 'node-state' }, [
        el('span', { cls: `badge ${n.up ? 'badge-on' : 'badge-off'}`, text: n.up ? 'up' : 'down' }),
        el('span', { cls: `badge ${n.inSync ? 'badge-on' : 'badge-warn'}`, text: n.inSync ? 'in sync' : 'out of sync' }),
        el('span', { cls: 'sub', text: `${n.keys} token key${n.keys === 1 ? '' : 's'} · ${n.users} user${n.users === 1 ? '' : 's'}` }),
      ]),
    ])));
  }

  drawFiles() {
    // The summary lists files and folders by path from the root, sorted, so
    // a folder comes just before what it holds; depth indents the tree.
    const files = this.summary.files || [];
    $('files-count').textContent = String(files.filter((f) => !f.dir).length);
    const names = new Set(files.map((f) => f.name));
    for (const n of this.previews.keys()) if (!names.has(n)) this.previews.delete(n);
    $('file-list').replaceChildren(...files.map((f) => (f.dir ? this.folderItem(f) : this.fileItem(f))));
    if (files.length === 0) $('file-list').append(el('li', { cls: 'muted empty', text: 'No files. Tools write here (-out), and read from here (-f).' }));
  }

  // indent places an entry under its folder.
  indent(li, name) {
    const depth = name.split('/').length - 1;
    if (depth > 0) li.style.paddingInlineStart = `${depth * 1.25}rem`;
  }

  folderItem(f) {
    const base = f.name.split('/').pop();
    const li = el('li', { cls: 'folder', attrs: { 'data-name': f.name, 'data-dir': 'true' } });
    this.indent(li, f.name);
    li.append(
      el('span', { cls: 'file-name', text: `${base}/`, attrs: { title: `/${f.name}` } }),
      el('span', { cls: 'file-size', text: 'folder' }),
      el('span', { cls: 'file-actions' }, [
        button('Download', `Download folder ${f.name} as a zip archive`, () => this.guard(async () => {
          const r = await this.ctx.client.request('files.read', { name: f.name });
          this.ctx.download(`${base}.zip`, r.data, 'application/zip');
        })),
        button('Delete', `Delete folder ${f.name}`, () => this.guard(async () => {
          const ok = await this.ctx.ask({ title: `Delete ${f.name}/?`, text: 'The folder and everything in it are removed from this workspace.', ok: 'Delete', danger: true });
          if (!ok) return;
          await this.ctx.client.request('files.remove', { name: f.name });
          await this.refresh();
        }, true), 'danger-text'),
      ]),
    );
    return li;
  }

  fileItem(f) {
    const base = f.name.split('/').pop();
    const li = el('li', { attrs: { 'data-name': f.name } });
    this.indent(li, f.name);
    const pre = el('pre', { cls: 'preview' });
    pre.hidden = true;
    const peek = button('Preview', `Preview ${f.name}`, () => this.togglePreview(f.name, peek, pre));
    peek.setAttribute('aria-expanded', 'false');
    li.append(
      el('span', { cls: 'file-name', text: base, attrs: { title: `/${f.name}` } }),
      el('span', { cls: 'file-size', text: humanSize(f.size) }),
      el('span', { cls: 'file-actions' }, [
        peek,
        button('Download', `Download ${f.name}`, () => this.guard(async () => {
          const r = await this.ctx.client.request('files.read', { name: f.name });
          this.ctx.download(base, r.data);
        })),
        button('Delete', `Delete ${f.name}`, () => this.guard(async () => {
          const ok = await this.ctx.ask({ title: `Delete ${f.name}?`, text: 'The file is removed from this workspace.', ok: 'Delete', danger: true });
          if (!ok) return;
          await this.ctx.client.request('files.remove', { name: f.name });
          await this.refresh();
        }, true), 'danger-text'),
      ]),
      pre,
    );
    if (this.previews.get(f.name)) this.togglePreview(f.name, peek, pre, true);
    return li;
  }

  async togglePreview(name, btn, pre, keepOpen) {
    const open = keepOpen || pre.hidden;
    this.previews.set(name, open);
    btn.setAttribute('aria-expanded', String(open));
    pre.hidden = !open;
    if (!open) return;
    try {
      const r = await this.ctx.client.request('files.read', { name });
      const bytes = r.data instanceof Uint8Array ? r.data : new Uint8Array(r.data);
      const head = bytes.subarray(0, PREVIEW_BYTES);
      const text = looksLikeText(head);
      let shown = text !== null ? text : hexDump(head.subarray(0, 512));
      const limit = text !== null ? PREVIEW_BYTES : 512;
      if (bytes.length > limit) shown += `\n… ${humanSize(bytes.length)} in all`;
      pre.classList.toggle('hex', text === null);
      pre.textContent = shown;
    } catch (err) {
      pre.textContent = err.message;
    }
  }

  async guard(fn, refocus) {
    try {
      await fn();
    } catch (err) {
      this.ctx.con.notice('error', err.message);
    }
    if (refocus) this.ctx.con.focus();
  }

  async upload(files) {
    for (const file of files) {
      await this.guard(async () => {
        const data = new Uint8Array(await file.arrayBuffer());
        const size = data.length; // the buffer moves to the worker
        // A file of a dropped or chosen folder keeps its path in the folder.
        const name = file.webkitRelativePath || file.name;
        await this.ctx.client.request('files.write', { name, data }, [data.buffer]);
        this.ctx.con.notice('info', `Uploaded ${name} (${size} bytes).`);
      });
    }
    await this.refresh();
    this.show('files');
  }

  setupDrop() {
    const drop = $('drop');
    let depth = 0;
    const hasFiles = (ev) => Array.from(ev.dataTransfer?.types || []).includes('Files');
    window.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth++;
      drop.hidden = false;
    });
    window.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    });
    window.addEventListener('dragleave', (ev) => {
      if (!hasFiles(ev)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) drop.hidden = true;
    });
    window.addEventListener('drop', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth = 0;
      drop.hidden = true;
      this.upload(Array.from(ev.dataTransfer.files));
    });
  }
}
