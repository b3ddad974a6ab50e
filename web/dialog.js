// dialog.js — the page's questions in a modal <dialog> (one design, focus
// kept inside, Escape cancels) instead of the browser's prompt() and
// confirm(). Every string is set as text.
//
// ask({title, text, input: {label, value}, ok, cancel, danger, link})
// resolves with the input's value (or true without input) on OK, and null
// on Cancel or Escape.

let dlg = null;

function build() {
  dlg = document.createElement('dialog');
  dlg.id = 'ask';
  dlg.className = 'ask';
  dlg.setAttribute('aria-labelledby', 'ask-title');
  dlg.setAttribute('aria-describedby', 'ask-text');
  const form = document.createElement('form');
  form.method = 'dialog';
  const h = document.createElement('h2');
  h.id = 'ask-title';
  const p = document.createElement('p');
  p.id = 'ask-text';
  const field = document.createElement('label');
  field.className = 'ask-field';
  const fieldLabel = document.createElement('span');
  const input = document.createElement('input');
  input.id = 'ask-input';
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  field.append(fieldLabel, input);
  const row = document.createElement('div');
  row.className = 'ask-buttons';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.id = 'ask-cancel';
  const ok = document.createElement('button');
  ok.type = 'submit';
  ok.id = 'ask-ok';
  ok.value = 'ok';
  row.append(cancel, ok);
  form.append(h, p, field, row);
  dlg.append(form);
  document.body.append(dlg);
  cancel.addEventListener('click', () => dlg.close('cancel'));
  dlg.parts = { h, p, field, fieldLabel, input, ok, cancel, form };
}

export function ask({ title, text = '', input = null, ok = 'OK', cancel = 'Cancel', danger = false, readOnly = false } = {}) {
  if (!dlg) build();
  const d = dlg.parts;
  if (dlg.open) dlg.close('cancel');
  d.h.textContent = title;
  d.p.textContent = text;
  d.p.hidden = !text;
  d.field.hidden = !input;
  d.input.value = input ? String(input.value ?? '') : '';
  d.input.readOnly = !!readOnly;
  d.fieldLabel.textContent = input ? input.label : '';
  d.ok.textContent = ok;
  d.ok.classList.toggle('danger', !!danger);
  d.cancel.textContent = cancel;
  d.cancel.hidden = cancel === null;
  dlg.returnValue = '';
  const back = document.activeElement;
  dlg.showModal();
  if (input) {
    d.input.focus();
    d.input.select();
  } else {
    (danger ? d.cancel : d.ok).focus();
  }
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => {
      if (back && back.isConnected && typeof back.focus === 'function') back.focus();
      if (dlg.returnValue !== 'ok') resolve(null);
      else resolve(input ? d.input.value : true);
    }, { once: true });
  });
}
