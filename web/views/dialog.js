// A confirmation asked in the page, not with window.confirm: a modal <dialog> (the browser
// keeps focus inside it and closes it on Escape), labelled by its heading and described by
// its text; focus goes back to the control that opened it.
import { h, uid } from '../lib/dom.js';

/**
 * Asks `{title, text, confirm, cancel}`; resolves true when the person confirms, false when
 * they cancel or press Escape. `danger` styles the confirming button as destructive.
 */
export function confirmDialog({ title, text, confirm, cancel, danger = false }) {
  const opener = document.activeElement;
  const id = uid('dlg');
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, confirm);
    const no = h('button', { type: 'button', class: 'btn btn-secondary' }, cancel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-h`, 'aria-describedby': text ? `${id}-d` : null },
      h('h2', { id: `${id}-h` }, title),
      text ? h('p', { id: `${id}-d` }, text) : null,
      h('div', { class: 'row dialog-buttons' }, no, yes));
    yes.addEventListener('click', () => { answer = true; dialog.close(); });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener !== document.body && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus(); // the safe choice first: Enter on a reflex does not leave the workspace
  });
}

/** A yes/no question in a dialog (in place of window.confirm): resolves true for yes. */
export function ask(t, question, { confirm, danger = true } = {}) {
  return confirmDialog({ title: question, text: '', confirm: confirm ?? t('common.confirm'), cancel: t('common.cancel'), danger });
}
