/**
 * Modal dialogs on <dialog>: the browser gives focus trapping, Escape to
 * close and the inert page behind. Each dialog is built for one use and
 * removed when it closes; the promise says what the person chose.
 */
import { h } from './dom.js';
import { t } from './i18n.js';

let counter = 0;

/** A modal with a title, a body and buttons in a form; resolves with the dialog's returnValue ('' on Escape). */
export function modal({ title, body, buttons, role, onSubmit, className }) {
  const titleId = `dialog-title-${++counter}`;
  const form = h('form', { class: 'dialog-form', method: 'dialog' }, h('h2', { id: titleId }, title), body, h('div', { class: 'dialog-buttons' }, buttons));
  const dialog = h('dialog', { 'aria-labelledby': titleId, role: role ?? 'dialog', class: className ?? '' }, form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = event.submitter?.value ?? 'ok';
    if (value !== 'ok' || !onSubmit) return dialog.close(value);
    // onSubmit may refuse (returns false) to keep the dialog open, for example with an error shown inside.
    Promise.resolve(onSubmit()).then(
      (keep) => keep === false || dialog.close(value),
      () => undefined,
    );
  });
  document.body.append(dialog);
  const closed = new Promise((resolve) => dialog.addEventListener('close', () => (dialog.remove(), resolve(dialog.returnValue)), { once: true }));
  dialog.showModal();
  return { dialog, closed };
}

export function button(label, value, kind = '') {
  return h('button', { type: value === 'cancel' ? 'button' : 'submit', value, class: kind, onclick: value === 'cancel' ? closeParent : undefined }, label);
}

function closeParent(event) {
  event.currentTarget.closest('dialog')?.close('cancel');
}

/** Yes or no, for what cannot be undone. */
export async function confirmDialog(text, okLabel) {
  const { closed } = modal({
    title: okLabel,
    body: h('p', {}, text),
    buttons: [button(t('cancel'), 'cancel'), button(okLabel, 'ok', 'danger')],
    role: 'alertdialog',
  });
  return (await closed) === 'ok';
}

/** One line of text; null when cancelled. */
export async function promptDialog(title, label, value = '', okLabel = t('ok')) {
  const input = h('input', { type: 'text', name: 'value', value, required: true, autocomplete: 'off', spellcheck: 'false' });
  const { closed } = modal({
    title,
    body: h('label', { class: 'field' }, h('span', {}, label), input),
    buttons: [button(t('cancel'), 'cancel'), button(okLabel, 'ok', 'primary')],
  });
  input.select();
  return (await closed) === 'ok' ? input.value.trim() : null;
}

/** Information only, with a Close button. */
export function infoDialog(title, body, className) {
  return modal({ title, body, buttons: [button(t('close'), 'close')], className }).closed;
}

/** Copies text to the clipboard; falls back to selecting it in `field` for a manual copy. */
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    return false;
  }
}
