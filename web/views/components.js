// Shared view pieces: labelled fields, alerts, pagers, person chips. DOM only, no fetching.
import { h, uid, replaceChildren } from '../lib/dom.js';
import { errorMessage } from '../lib/api.js';
import { pageInfo } from '../lib/pagination.js';
import { initials, formatDateTime, formatWhen } from '../lib/format.js';
import { renderMarkdown } from '../lib/markdown.js';

/** A labelled control. `control` is 'input' | 'textarea' | 'select'. Returns {wrap, input, error}. */
export function field(t, { label, name, type = 'text', control = 'input', value = '', required = false,
  autocomplete, options, hint, attrs = {} }) {
  const id = uid(name);
  const errorId = `${id}-err`;
  const hintId = hint ? `${id}-hint` : null;
  let input;
  if (control === 'select') {
    input = h('select', { id, name, required, ...attrs },
      (options ?? []).map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  } else if (control === 'textarea') {
    input = h('textarea', { id, name, required, rows: 4, ...attrs });
    input.value = value ?? '';
  } else {
    input = h('input', { id, name, type, required, autocomplete, ...attrs });
    input.value = value ?? '';
  }
  if (hintId) input.setAttribute('aria-describedby', hintId);
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const wrap = h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    input, error);
  return { wrap, input, error, errorId };
}

/** Shows `{field: key}` validation errors next to fields; returns true if there were any. */
export function showFieldErrors(t, fields, errors) {
  let first = null;
  for (const [name, f] of Object.entries(fields)) {
    const key = errors[name];
    if (key) {
      f.error.textContent = t(key);
      f.error.hidden = false;
      f.input.setAttribute('aria-invalid', 'true');
      f.input.setAttribute('aria-describedby', f.errorId);
      first ??= f.input;
    } else {
      f.error.hidden = true;
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
  }
  if (first) first.focus();
  return first !== null;
}

/** An alert region: role="alert" is set only when there is a message, so it is announced. */
export function alertBox() {
  const el = h('div', { class: 'alert', hidden: true });
  return {
    el,
    error(t, err) {
      el.className = 'alert alert-error';
      el.setAttribute('role', 'alert');
      const lines = (err?.errors ?? []).map((e) => h('li', {}, `${e.field}: ${e.message}`));
      replaceChildren(el, h('p', {}, typeof err === 'string' ? err : errorMessage(err, t)),
        lines.length ? h('ul', {}, lines) : null);
      el.hidden = false;
    },
    success(text) {
      el.className = 'alert alert-success';
      el.setAttribute('role', 'status');
      replaceChildren(el, h('p', {}, text));
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.removeAttribute('role');
      replaceChildren(el);
    },
  };
}

/** A block that shows an error for a failed load (used when a whole page cannot load). */
export function errorPanel(t, err) {
  return h('div', { class: 'alert alert-error', role: 'alert' }, h('p', {}, errorMessage(err, t)));
}

export function avatar(name, size = '') {
  return h('span', { class: `avatar ${size}`.trim(), 'aria-hidden': 'true' }, initials(name));
}

/** Previous / next buttons with "Visar 1–20 av 42". Calls `onPage(offset)`. */
export function pager(t, page, onPage) {
  const info = pageInfo(page);
  if (info.pages <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    h('button', { type: 'button', class: 'btn btn-secondary', disabled: !info.hasPrev,
      onclick: () => onPage(info.prevOffset) }, t('pager.prev')),
    h('span', { class: 'pager-status' }, t('pager.status', { from: info.from, to: info.to, total: info.total })),
    h('button', { type: 'button', class: 'btn btn-secondary', disabled: !info.hasNext,
      onclick: () => onPage(info.nextOffset) }, t('pager.next')));
}

/**
 * A button that disables itself while `action` runs, reporting failures to `alert`. When the
 * action redraws the button's part of the page, focus goes to the control with the same
 * `focusKey` (or the first of `focusFallback`, space-separated keys) in the new drawing.
 */
export function actionButton(t, label, action, { alert, cls = 'btn', ariaLabel, focusKey, focusFallback } = {}) {
  const btn = h('button', { type: 'button', class: cls, 'aria-label': ariaLabel,
    'data-focus-key': focusKey, 'data-focus-fallback': focusFallback });
  btn.textContent = label;
  btn.addEventListener('click', async () => {
    // Disabling a focused button drops focus to <body> (WCAG 2.4.3): give it back afterwards.
    const hadFocus = document.activeElement === btn;
    btn.disabled = true;
    alert?.clear();
    try { await action(); } catch (err) { alert?.error(t, err); } finally {
      btn.disabled = false;
      const lost = document.activeElement === document.body || !document.activeElement;
      if (hadFocus && lost && btn.isConnected) btn.focus();
      else if (hadFocus && lost && focusKey) {
        restoreFocus(document.body, { key: focusKey, fallbacks: (focusFallback ?? '').split(' ').filter(Boolean), start: null });
      }
    }
  });
  return btn;
}

export function visibilityText(t, visibility) {
  return t(`visibility.${visibility}`);
}

export function roleText(t, role) {
  return t(`role.${role}`);
}

/** Page heading that receives focus after navigation (tabindex -1: focusable by script only). */
export function pageHeading(text) {
  return h('h1', { tabindex: '-1', class: 'page-title' }, text);
}

/**
 * The focused control inside `el` as `{key, fallbacks, start, end}` (by its data-focus-key;
 * data-focus-fallback lists, space-separated, the keys to try when that control is gone or
 * hidden after a re-render), or null.
 */
export function focusWithin(el) {
  const active = document.activeElement;
  if (!active || !el.contains(active)) return null;
  const keyed = active.closest('[data-focus-key]');
  if (!keyed || !el.contains(keyed)) return null;
  const text = 'selectionStart' in keyed && typeof keyed.selectionStart === 'number';
  const fallbacks = (keyed.dataset.focusFallback ?? '').split(' ').filter(Boolean);
  return { key: keyed.dataset.focusKey, fallbacks, start: text ? keyed.selectionStart : null, end: text ? keyed.selectionEnd : null };
}

/**
 * Focuses the control with the saved data-focus-key inside `el` again (after a re-render),
 * or the first of its fallbacks that is there and shown (a reaction picked from the closed
 * picker lands on the reaction's own button): focus never falls to <body> (WCAG 2.4.3).
 */
export function restoreFocus(el, saved) {
  if (!saved) return;
  const shown = (n) => n.getClientRects().length > 0 && !n.closest('details:not([open]) > :not(summary)');
  const nodes = [...el.querySelectorAll('[data-focus-key]')];
  let target = null;
  for (const key of [saved.key, ...(saved.fallbacks ?? [])]) {
    target = nodes.find((n) => n.dataset.focusKey === key && shown(n));
    if (target) break;
  }
  if (!target) return;
  target.focus({ preventScroll: true });
  if (target.dataset.focusKey === saved.key && saved.start !== null && typeof target.setSelectionRange === 'function') {
    try { target.setSelectionRange(saved.start, saved.end); } catch { /* not a text control */ }
  }
}

/** Runs `render()` (which replaces children of `el`) keeping keyboard focus where it was. */
export function keepFocus(el, render) {
  const saved = focusWithin(el);
  render();
  restoreFocus(el, saved);
}

/** The reader's texts for document cards (set by app.js on every drawing). */
let cardTexts = null;
export function setDocumentCardTexts(t, lang) { cardTexts = { t, lang }; }

/**
 * A Markdown body, rendered by the shared safe renderer (the only innerHTML in the client).
 * Links to documents (`#/documents/<id>`) become cards; that code loads only when needed.
 */
export function markdownBlock(body) {
  const el = h('div', { class: 'md' });
  el.innerHTML = renderMarkdown(body);
  if (cardTexts && String(body ?? '').includes('#/documents/')) {
    const texts = cardTexts;
    import('./documents/cards.js').then((m) => m.enhanceDocumentLinks(el, texts)).catch(() => { /* plain links stay */ });
  }
  return el;
}

/** A machine-readable time shown in the reader's language. */
export function timeEl(iso, lang) {
  return h('time', { datetime: iso, title: formatDateTime(iso, lang) }, formatWhen(iso, lang));
}
