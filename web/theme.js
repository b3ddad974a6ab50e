// theme.js — light or dark. A classic script in <head> (inline in the
// built page, scripts/inline) that runs before the stylesheet paints, so
// a page whose reader chose a theme other than the system's never flashes
// the wrong one. It follows the system setting
// (prefers-color-scheme) until the toggle picks one, which is remembered.
// The page's modules reach it as globalThis.hsmsimTheme.
(function () {
  'use strict';
  var KEY = 'hsmsim-theme';
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var listeners = [];
  var memo = ''; // the choice when localStorage is blocked

  function stored() {
    try {
      var v = localStorage.getItem(KEY);
      return v === 'light' || v === 'dark' ? v : '';
    } catch (e) {
      return memo;
    }
  }

  function current() {
    return stored() || (media && media.matches ? 'dark' : 'light');
  }

  function apply() {
    var t = current();
    root.dataset.theme = t;
    root.dataset.themeChoice = stored() ? 'chosen' : 'system';
    for (var i = 0; i < listeners.length; i++) listeners[i](t);
  }

  function set(t) {
    try {
      if (t === 'light' || t === 'dark') localStorage.setItem(KEY, t);
      else localStorage.removeItem(KEY);
    } catch (e) {
      // Not stored (storage blocked): the choice lasts until the page closes.
      memo = t === 'light' || t === 'dark' ? t : '';
    }
    apply();
  }

  if (media && media.addEventListener) media.addEventListener('change', apply);
  window.addEventListener('storage', function (ev) { if (ev.key === KEY) apply(); });
  apply();

  globalThis.hsmsimTheme = {
    current: current,
    // toggle switches to the other theme; choosing the system's own theme
    // goes back to following the system.
    toggle: function () {
      var next = current() === 'dark' ? 'light' : 'dark';
      set(media && (next === 'dark') === media.matches ? '' : next);
      return current();
    },
    set: set,
    onChange: function (fn) { listeners.push(fn); },
  };
}());
