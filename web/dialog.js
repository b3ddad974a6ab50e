// dialog.js — the page's questions in a modal <dialog> (one design, focus
// kept inside, Escape cancels) instead of the browser's prompt() and
// confirm(). Every string is set as text.
//
// ask({title, text, input: {label, value}, choice: {label, options:
// [{value, text}], value}, ok, cancel, danger}) resolves on OK with the
// input's value, or {value, choice} when both are asked, or the choice
// alone, or true; and with null on Cancel or Escape.

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
  const choiceField = document.createElement('label');
  choiceField.className = 'ask-field';
  const choiceLabel = document.createElement('span');
  const select = document.createElement('select');
  select.id = 'ask-choice';
  const choiceNote = document.createElement('small');
  choiceNote.id = 'ask-choice-note';
  choiceField.append(choiceLabel, select, choiceNote);
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
  form.append(h, p, field, choiceField, row);
  dlg.append(form);
  document.body.append(dlg);
  cancel.addEventListener('click', () => dlg.close('cancel'));
  dlg.parts = { h, p, field, fieldLabel, input, ok, cancel, form, choiceField, choiceLabel, select, choiceNote };
}

export function ask({ title, text = '', input = null, choice = null, ok = 'OK', cancel = 'Cancel', danger = false, readOnly = false } = {}) {
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
  d.choiceField.hidden = !choice;
  d.select.replaceChildren();
  d.choiceNote.textContent = '';
  if (choice) {
    d.choiceLabel.textContent = choice.label;
    for (const o of choice.options) {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.text;
      d.select.append(opt);
    }
    d.select.value = choice.value ?? (choice.options[0] ? choice.options[0].value : '');
    const note = () => {
      const o = choice.options.find((x) => x.value === d.select.value);
      d.choiceNote.textContent = (o && o.note) || '';
    };
    d.select.onchange = note;
    note();
  }
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
      else if (input && choice) resolve({ value: d.input.value, choice: d.select.value });
      else if (choice) resolve(d.select.value);
      else resolve(input ? d.input.value : true);
    }, { once: true });
  });
}
