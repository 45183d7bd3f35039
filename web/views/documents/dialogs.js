// Modal questions of the documents views, built like dialog.js: a name (new folder, rename),
// a folder to move to, and a comment. The browser keeps focus inside a modal <dialog> and
// closes it on Escape; focus goes back to the control that opened it.
import { h, uid, replaceChildren } from '../../lib/dom.js';
import { folderTree } from '../../lib/documents.js';

function modal({ title, body, confirm, cancel, onConfirm }) {
  const opener = document.activeElement;
  const id = uid('dlg');
  return new Promise((resolve) => {
    let answer = null;
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const yes = h('button', { type: 'submit', class: 'btn btn-primary' }, confirm);
    const no = h('button', { type: 'button', class: 'btn btn-secondary' }, cancel);
    const form = h('form', { method: 'dialog', class: 'stack' }, body, error, h('div', { class: 'row dialog-buttons' }, no, yes));
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = onConfirm();
      if (value && value.error) {
        error.textContent = value.error;
        error.hidden = false;
        return;
      }
      answer = value;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener !== document.body && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    (form.querySelector('input, select, textarea') ?? no).focus();
  });
}

/** Asks for a name; resolves with the trimmed text, or null when cancelled. */
export function nameDialog(t, { title, label, value = '', confirm }) {
  const id = uid('name');
  const input = h('input', { id, type: 'text', required: true, maxlength: '255', autocomplete: 'off' });
  input.value = value;
  const body = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  setTimeout(() => input.select(), 0);
  return modal({ title, body, confirm, cancel: t('common.cancel'), onConfirm: () => {
    const text = input.value.trim();
    if (!text) return { error: t('documents.nameRequired') };
    if (/[/\\]/.test(text)) return { error: t('documents.nameSlash') };
    return text;
  } });
}

/**
 * Asks for a folder to move to (the library's top or one of `folders`); `exclude` (a folder
 * being moved) and what is under it are not offered. Resolves with `{folderId}` (null = the
 * top) or null when cancelled.
 */
export function folderDialog(t, { title, folders, current = null, exclude = null, confirm, lang }) {
  const id = uid('folder');
  const select = h('select', { id });
  replaceChildren(select,
    h('option', { value: '', selected: current === null }, t('documents.topLevel')),
    folderTree(folders, { exclude, lang }).map((f) => h('option', { value: f.id, selected: f.id === current },
      `${'\u2003'.repeat(f.depth)}${f.name}`)));
  const body = h('div', { class: 'field' }, h('label', { for: id }, t('documents.moveTo')), select);
  return modal({ title, body, confirm, cancel: t('common.cancel'), onConfirm: () => ({ folderId: select.value || null }) });
}

/** Asks for an optional comment (restoring a version); resolves with the text ('' allowed) or null. */
export function commentDialog(t, { title, label, confirm, value = '' }) {
  const id = uid('comment');
  const input = h('textarea', { id, rows: '3', maxlength: '1000' });
  input.value = value;
  const body = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  return modal({ title, body, confirm, cancel: t('common.cancel'), onConfirm: () => ({ comment: input.value.trim() }) });
}

/** The modal builder, for the link picker. */
export { modal };
