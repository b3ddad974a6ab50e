// share.js — the Share button and share links.
//
// Sharing stores the workspace (its state document and its history, with
// passwords masked) through the site's API, POST /api/share, and gives the
// link /?share=ID. Where no API answers (a static host, a server without a
// share store, no network), the workspace travels in the link itself:
// #share=z.DATA (deflate-raw, when the browser has CompressionStream) or
// #share=j.DATA (plain JSON), base64url. Opening a link asks first, then
// loads the workspace as a NEW workspace: the current one is never
// replaced. See server/doc.go for the API.


const FRAGMENT = 'share=';

function b64url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function through(stream, bytes) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

// encodeFragment packs a share document into the text after #share=.
export async function encodeFragment(doc) {
  const json = new TextEncoder().encode(JSON.stringify(doc));
  if (typeof CompressionStream === 'function') {
    try {
      return `z.${b64url(await through(new CompressionStream('deflate-raw'), json))}`;
    } catch {
      // Fall through to plain JSON.
    }
  }
  return `j.${b64url(json)}`;
}

export async function decodeFragment(text) {
  const dot = text.indexOf('.');
  const kind = text.slice(0, dot);
  if (kind !== 'z' && kind !== 'j') throw new Error('the link is not one hsmsim made');
  if (kind === 'z' && typeof DecompressionStream !== 'function') throw new Error('this browser cannot unpack the link (no DecompressionStream)');
  // A link cut short or changed in transit fails in base64, in the
  // decompressor (whose stream error reads "Failed to fetch") or in JSON:
  // all of them are one damaged link to the user.
  try {
    let bytes = unb64url(text.slice(dot + 1));
    if (kind === 'z') bytes = await through(new DecompressionStream('deflate-raw'), bytes);
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Error('the link is damaged (cut short or changed when it was copied); ask for it again');
  }
}

// current reads the open workspace as {name, state, history} from a
// backup made by the worker; its history was masked by the engine as it was
// typed (and the API masks what it stores again).
async function current(client) {
  const r = await client.request('ws.export');
  const backup = JSON.parse(new TextDecoder().decode(r.data));
  return { name: backup.workspace || 'shared', state: backup.state, history: backup.history || [] };
}

// post stores the document through the API: the id, or null when no API
// answers (so the caller falls back to the fragment). An answer that says
// the workspace itself is wrong is thrown.
async function post(doc) {
  let res;
  try {
    res = await fetch(new URL('./api/share', location.href), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: doc.state, history: doc.history }),
    });
  } catch {
    return null;
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    return null;
  }
  if (res.status === 201 && body && typeof body.id === 'string') return body.id;
  if ((res.status === 400 || res.status === 422) && body && body.error) throw new Error(`the workspace could not be shared: ${body.error}`);
  return null;
}

function baseURL() {
  const u = new URL(location.href);
  u.search = '';
  u.hash = '';
  return u;
}

// share makes a link to the open workspace and shows it. ctx: {client,
// con, ask}
export async function share(ctx) {
  const doc = await current(ctx.client);
  const id = await post(doc);
  const link = baseURL();
  let how;
  if (id) {
    link.searchParams.set('share', id);
    how = 'The link opens a copy of this workspace as it is now (keys, users, files and the lines typed, with passwords hidden). Anyone with the link can open it.';
  } else {
    link.hash = FRAGMENT + await encodeFragment({ format: 'hsmsim-share', version: 1, name: doc.name, state: doc.state, history: doc.history });
    how = 'No share server answered, so the workspace is inside the link itself (it stays in the browser: nothing was uploaded). Anyone with the link can open it.';
  }
  const url = link.href;
  document.body.dataset.shareLink = url;
  ctx.con.notice('info', `Share link: ${url}`);
  const copy = await ctx.ask({ title: 'Share this workspace', text: how, input: { label: 'Link', value: url }, readOnly: true, ok: 'Copy link', cancel: 'Close' });
  if (copy !== null) {
    try {
      await navigator.clipboard.writeText(url);
      ctx.con.notice('info', 'The link was copied.');
    } catch {
      ctx.con.notice('warn', 'The browser did not allow copying: select the link above and copy it.');
    }
  }
  return url;
}

// linked reads a share link from the address: {id} or {fragment}, or null.
export function linked() {
  const params = new URLSearchParams(location.search);
  const id = params.get('share');
  if (id) return { id };
  if (location.hash.startsWith(`#${FRAGMENT}`)) return { fragment: location.hash.slice(FRAGMENT.length + 1) };
  return null;
}

function forget() {
  const u = new URL(location.href);
  u.searchParams.delete('share');
  if (u.hash.startsWith(`#${FRAGMENT}`)) u.hash = '';
  history.replaceState(null, '', u.href);
}

// openLinked opens the share named in the address, asking first. ctx:
// {client, con, ask, opened(result, message), current() -> workspace}
export async function openLinked(ctx, link) {
  let doc;
  try {
    if (link.id) {
      let res;
      try {
        res = await fetch(new URL(`./api/share/${encodeURIComponent(link.id)}`, location.href));
      } catch {
        throw new Error('no share server answered (the network is down, or this site keeps no shares)');
      }
      if (res.status === 404) throw new Error(`the share link "${link.id}" is unknown: it was mistyped, or it was made on another server`);
      let body;
      try {
        body = await res.json();
      } catch {
        throw new Error(`no share server answered here (HTTP ${res.status})`);
      }
      if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
      doc = body;
    } else {
      doc = await decodeFragment(link.fragment);
    }
    if (!doc || typeof doc.state !== 'object' || doc.state === null) throw new Error('the link holds no workspace');
  } catch (err) {
    ctx.con.notice('error', `The shared workspace cannot be opened: ${err.message}.`);
    forget();
    return false;
  }
  const history = Array.isArray(doc.history) ? doc.history.filter((l) => typeof l === 'string') : [];
  const cur = ctx.current();
  const ok = await ctx.ask({
    title: 'Open a shared workspace?',
    text: `The link holds a workspace${doc.name ? ` ("${doc.name}")` : ''} with ${history.length} line${history.length === 1 ? '' : 's'} of history. It opens as a new workspace; "${cur.name}" stays as it is and is still in the Workspace list.`,
    ok: 'Open it',
    cancel: 'Not now',
  });
  forget();
  if (!ok) {
    ctx.con.notice('info', 'The shared workspace was not opened.');
    return false;
  }
  try {
    const backup = { format: 'hsmsim-backup', version: 1, workspace: `shared ${doc.name || ''}`.trim(), history, state: doc.state };
    const data = new TextEncoder().encode(JSON.stringify(backup));
    const r = await ctx.client.request('ws.import', { data, filename: 'shared.json' }, [data.buffer]);
    ctx.opened(r, `Opened the shared workspace as "${r.workspace.name}".${history.length ? ' Its history came along: press ↑ to recall it.' : ''}`);
    return true;
  } catch (err) {
    ctx.con.notice('error', `The shared workspace cannot be opened: ${err.message}.`);
    return false;
  }
}
