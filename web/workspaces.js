// workspaces.js — the Workspace menu: new, switch, rename, reset to the
// default cluster, delete, export and import a backup. Each workspace is
// a cluster of its own, kept by the worker in IndexedDB.

const $ = (id) => document.getElementById(id);

// setupMenu makes a button open and close the list it controls: Escape or
// a click elsewhere closes it, arrow keys move between its items.
export function setupMenu(button) {
  const list = $(button.getAttribute('aria-controls'));
  const items = () => Array.from(list.querySelectorAll('button:not([hidden]):not([disabled])'));
  const close = (refocus) => {
    if (list.hidden) return;
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  const open = () => {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    items()[0]?.focus();
  };
  button.addEventListener('click', () => (list.hidden ? open() : close(false)));
  list.addEventListener('click', (ev) => {
    if (ev.target.closest('button')) close(false);
  });
  list.addEventListener('keydown', (ev) => {
    const all = items();
    const i = all.indexOf(document.activeElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      close(true);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      all[(i + (ev.key === 'ArrowDown' ? 1 : -1) + all.length) % all.length]?.focus();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      all[ev.key === 'Home' ? 0 : all.length - 1]?.focus();
    } else if (ev.key === 'Tab') {
      close(false);
    }
  });
  document.addEventListener('pointerdown', (ev) => {
    if (!list.hidden && !list.contains(ev.target) && !button.contains(ev.target)) close(false);
  });
  return { close };
}

// setupWorkspaces wires the menu. ctx: {client, con, ask, download,
// current() -> workspace, opened(result, message), showWorkspaces(ws, list)}
export function setupWorkspaces(ctx) {
  const { client, con, ask } = ctx;

  const act = async (fn) => {
    try {
      await fn();
    } catch (err) {
      con.notice('error', err.message);
    }
    con.focus();
  };

  $('ws-select').addEventListener('change', (ev) => act(async () => {
    const r = await client.request('ws.switch', { id: ev.target.value });
    ctx.opened(r, `Switched to workspace "${r.workspace.name}". The login session of the previous one ended.`);
  }));

  $('ws-new').addEventListener('click', () => act(async () => {
    let scenarios = [];
    try {
      scenarios = await client.request('scenarios');
    } catch {
      scenarios = [];
    }
    const options = scenarios.map((sc) => ({ value: sc.name, text: sc.title || sc.name, note: sc.description || '' }));
    const got = await ask({
      title: 'New workspace',
      text: 'A new workspace starts from a scenario: a cluster with its users, keys and files. The one open now is kept as it is.',
      input: { label: 'Name', value: '' },
      choice: options.length ? { label: 'Start from', options, value: 'default' } : null,
      ok: 'Create',
    });
    if (got === null) return;
    const name = options.length ? got.value : got;
    const scenario = options.length ? got.choice : 'default';
    const r = await client.request('ws.create', { name, scenario });
    const title = (options.find((o) => o.value === scenario) || { text: 'the default cluster' }).text;
    ctx.opened(r, `Created workspace "${r.workspace.name}" from ${title}.`);
  }));

  $('ws-rename').addEventListener('click', () => act(async () => {
    const cur = ctx.current();
    const name = await ask({ title: 'Rename workspace', input: { label: 'New name', value: cur.name }, ok: 'Rename' });
    if (name === null) return;
    const r = await client.request('ws.rename', { id: cur.id, name });
    ctx.showWorkspaces(r.workspace, r.workspaces);
    con.notice('info', `Renamed the workspace to "${r.workspace.name}".`);
  }));

  $('ws-reset').addEventListener('click', () => act(async () => {
    const cur = ctx.current();
    const ok = await ask({
      title: `Reset "${cur.name}"?`,
      text: 'Its keys, users and files are replaced by the default cluster. Export a backup first to keep them.',
      ok: 'Reset',
      danger: true,
    });
    if (!ok) return;
    const r = await client.request('ws.reset', { id: cur.id });
    ctx.opened(r, `Workspace "${r.workspace.name}" was reset to the default cluster.`, { reset: true });
  }));

  $('ws-delete').addEventListener('click', () => act(async () => {
    const cur = ctx.current();
    const ok = await ask({
      title: `Delete "${cur.name}"?`,
      text: 'Its keys, users, files and history are deleted. This cannot be undone; export a backup first to keep a copy.',
      ok: 'Delete',
      danger: true,
    });
    if (!ok) return;
    const r = await client.request('ws.delete', { id: cur.id });
    if (r.prompt !== undefined) ctx.opened(r, `Deleted workspace "${cur.name}"; now in "${r.workspace.name}".`);
    else ctx.showWorkspaces(r.workspace, r.workspaces);
  }));

  $('ws-export').addEventListener('click', () => act(async () => {
    const r = await client.request('ws.export');
    ctx.download(r.filename, r.data, 'application/json');
    let text = `Exported to ${r.filename}.`;
    if (r.skipped && r.skipped.length) text += ` Left out because they cannot be read: ${r.skipped.join(', ')}.`;
    con.notice('info', text);
  }));

  $('ws-import').addEventListener('click', () => $('ws-import-file').click());
  $('ws-import-file').addEventListener('change', (ev) => act(async () => {
    const file = ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    const data = new Uint8Array(await file.arrayBuffer());
    const r = await client.request('ws.import', { data, filename: file.name }, [data.buffer]);
    ctx.opened(r, `Imported ${file.name} as workspace "${r.workspace.name}".`, { copied: true });
  }));

  setupMenu($('ws-menu-button'));
}
