// offline.js — the page's side of the service worker (sw.js): register it,
// offer a new build when one is ready, and reset the offline copy.
//
// setupOffline(ctx) needs ctx.con (notices) and the page's #sw-update
// button and #ws-offline-reset menu item.

const $ = (id) => document.getElementById(id);

export function setupOffline(ctx) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  const sw = navigator.serviceWorker;
  const controlled = !!sw.controller;
  // Another tab (or this one) took the update: every tab reloads, so none
  // keeps running the older build's page with the newer build's files.
  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    if (!controlled || reloading) return;
    reloading = true;
    location.reload();
  });
  const offer = (reg) => {
    const b = $('sw-update');
    if (!b || !reg.waiting || !controlled) return;
    b.hidden = false;
    b.onclick = () => reg.waiting && reg.waiting.postMessage({ hsmsim: 'update' });
    ctx.con.notice('info', 'A new version of hsmsim is ready: "Update" (at the top) reloads the page with it. Your workspaces stay as they are.');
  };
  sw.register(new URL('./sw.js', import.meta.url), { scope: './' }).then((reg) => {
    document.body.dataset.offline = 'registered';
    offer(reg);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', () => {
        if (w.state === 'installed') offer(reg);
      });
    });
    sw.ready.then(() => { document.body.dataset.offline = 'ready'; });
  }, (err) => {
    document.body.dataset.offline = 'failed';
    ctx.con.notice('warn', `This page cannot be kept for offline use: ${err.message}`);
  });
  const reset = $('ws-offline-reset');
  if (reset) {
    reset.addEventListener('click', async () => {
      for (const r of await sw.getRegistrations()) await r.unregister();
      for (const k of await caches.keys()) if (k.startsWith('hsmsim-')) await caches.delete(k);
      ctx.con.notice('info', 'The offline copy of the site is deleted (your workspaces are not): the next load fetches the site again and keeps it anew.');
      document.body.dataset.offline = 'reset';
    });
  }
}
