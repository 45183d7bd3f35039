// A labelled Markdown textarea with @mention suggestions: typing "@" lists the workspace's
// members; arrow keys move, Enter or Tab picks, Escape closes. The pick is written as
// `@[Name](person:<id>)`. Matching and insertion are in lib/mention.js.
import { h, uid, replaceChildren } from '../lib/dom.js';
import { mentionQuery, matchMembers, insertMention } from '../lib/mention.js';
import { field } from './components.js';
import { plural } from '../lib/i18n.js';

/**
 * Returns `{wrap, input, error, errorId, close()}` like `field()`. `getMembers()` resolves
 * to `[{id, name}]` (loaded once, when first needed); `excludeId` is left out (yourself).
 */
export function markdownEditor(t, { label, name, required = false, getMembers, excludeId, rows = 4, value = '' }) {
  const f = field(t, { label, name, control: 'textarea', required, value, hint: t('editor.hint'), attrs: { rows } });
  const input = f.input;
  const listId = uid('mentions');
  const list = h('ul', { class: 'mention-list', id: listId, role: 'listbox', 'aria-label': t('editor.mentionList'), hidden: true });
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  // ARIA 1.2 combobox: the text field owns a listbox popup (aria-expanded is valid only on a
  // combobox); the highlighted option is the field's aria-activedescendant.
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', listId);
  input.setAttribute('aria-expanded', 'false');
  input.parentNode.insertBefore(list, f.error);
  f.wrap.append(status);
  f.wrap.classList.add('editor');

  let options = [];
  let active = 0;
  let query = null;
  let lookup = 0;

  function close() {
    options = [];
    query = null;
    list.hidden = true;
    replaceChildren(list);
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function paint() {
    replaceChildren(list, options.map((m, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', class: 'mention-option', 'aria-selected': i === active ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); pick(i); },
    }, m.name)));
    list.hidden = options.length === 0;
    input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
    if (options.length) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  }

  function pick(i) {
    const person = options[i];
    if (!person || !query) return;
    const r = insertMention(input.value, query.start, input.selectionStart, person);
    input.value = r.text;
    input.setSelectionRange(r.caret, r.caret);
    close();
    status.textContent = t('editor.mentionInserted', { name: person.name });
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
  }

  async function update() {
    const q = mentionQuery(input.value, input.selectionStart);
    if (!q || !getMembers) { if (query) close(); return; }
    const mine = ++lookup;
    let members;
    try { members = await getMembers(); } catch { members = []; }
    if (mine !== lookup) return;
    query = q;
    options = matchMembers(members, q.query, { excludeId });
    active = 0;
    paint();
    status.textContent = options.length ? plural(t, 'editor.suggestions', options.length) : '';
  }

  input.addEventListener('input', () => { update(); });
  input.addEventListener('click', () => { update(); });
  input.addEventListener('blur', () => setTimeout(close, 150));
  input.addEventListener('keydown', (e) => {
    if (list.hidden || !options.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
      paint();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  return { ...f, close };
}
