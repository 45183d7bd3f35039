// Search (C3): the search box (header, start page, workspace) and the results page.
import { h, replaceChildren } from '../lib/dom.js';
import { formatDate } from '../lib/format.js';
import { TYPE_FILTERS, hasSearchWords, searchHash, searchQuery, snippetParts, appendResults } from '../lib/search.js';
import { searchResultUrl, formatOffset } from '../meeting/recording-state.js';
import { pageHeading, errorPanel } from './components.js';

let boxCount = 0;

/**
 * A search form; submitting it opens the results page (scoped to `workspace` if given).
 * `navigate` is the app's navigation function.
 */
export function searchBox(t, { navigate, value = '', workspace = null, label = null, cls = '' } = {}) {
  const id = `search-box-${++boxCount}`;
  const input = h('input', { id, type: 'search', name: 'q', autocomplete: 'off', placeholder: t('search.placeholder') });
  input.value = value;
  const form = h('form', { class: `search-box ${cls}`.trim(), role: 'search', 'aria-label': label ?? t('search.label') },
    h('label', { for: id, class: 'visually-hidden' }, label ?? t('search.label')),
    input,
    h('button', { type: 'submit', class: 'btn' }, t('search.submit')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!hasSearchWords(input.value)) { input.focus(); return; }
    navigate(searchHash(input.value, { workspace }));
  });
  return form;
}

function resultItem(t, lang, r) {
  const snippet = h('p', { class: 'search-snippet' },
    snippetParts(r.snippet).map((p) => (p.mark ? h('mark', {}, p.text) : p.text)));
  const kind = t.has(`search.kind.${r.kind}`) ? t(`search.kind.${r.kind}`) : r.kind;
  const at = r.kind === 'chapter' && Number.isFinite(r.offsetMs) ? t('search.at', { time: formatOffset(r.offsetMs) }) : null;
  const meta = [kind, at, r.recordingTitle, r.workspaceName, r.author?.name, formatDate(r.date, lang)].filter(Boolean).join(' · ');
  return h('li', { class: `card search-result search-${r.kind}` },
    h('h3', { class: 'search-title' }, h('a', { href: searchResultUrl(r) }, r.title || t('search.untitled'))),
    h('p', { class: 'search-meta' }, meta),
    snippet);
}

export async function renderSearch(ctx) {
  const { t, api } = ctx;
  const query = ctx.route.query;
  const q = String(query.q ?? '').trim();
  ctx.setTitle(q ? t('search.titleFor', { q }) : t('search.title'));
  const filters = h('nav', { class: 'search-filters', 'aria-label': t('search.filtersLabel') },
    h('ul', {}, TYPE_FILTERS.map(([key, type]) => h('li', {},
      h('a', {
        href: searchHash(q, { workspace: query.workspace, type }),
        'aria-current': (query.type ?? '') === type ? 'page' : false,
      }, t(`search.filter.${key}`))))));
  const list = h('ul', { class: 'search-results', 'aria-live': 'polite' });
  const more = h('p', { class: 'search-more' });
  const status = h('p', { class: 'hint', role: 'status' });
  const page = h('section', { class: 'search-page' },
    pageHeading(t('search.title')),
    searchBox(t, { navigate: ctx.navigate, value: q, workspace: query.workspace ?? null }),
    query.workspace ? h('p', { class: 'hint' }, t('search.scoped')) : null,
    filters, status, list, more);
  if (!hasSearchWords(q)) {
    status.textContent = t('search.enterWords');
    return page;
  }
  let shown = { results: [], nextCursor: null };
  async function load(cursor) {
    const answer = await api.search(searchQuery(query, cursor));
    shown = appendResults(shown.results, answer);
    replaceChildren(list, shown.results.map((r) => resultItem(t, ctx.lang, r)));
    status.textContent = shown.results.length ? '' : t('search.none');
    replaceChildren(more, shown.nextCursor
      ? h('button', {
        type: 'button', class: 'btn', onclick: async (event) => {
          event.currentTarget.disabled = true;
          try { await load(shown.nextCursor); } catch (err) { replaceChildren(more, errorPanel(t, err)); }
        },
      }, t('search.more'))
      : null);
  }
  try {
    await load(null);
  } catch (err) {
    return h('section', {}, page, errorPanel(t, err));
  }
  return page;
}
