// Search (C3): the search box (header, start page, workspace) and the results page.
import { h, replaceChildren } from '../lib/dom.js';
import {
  TYPE_FILTERS, hasSearchWords, searchHash, searchQuery, snippetParts, appendResults, groupResults, resultDate, isScoped,
  documentVersionNote,
} from '../lib/search.js';
import { searchResultUrl, formatOffset } from '../meeting/recording-state.js';
import { pageHeading, errorPanel, timeEl } from './components.js';

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
  const date = resultDate(r);
  const meta = [kind, at, r.recordingTitle, r.workspaceName, r.author?.name].filter(Boolean).join(' · ');
  const version = documentVersionNote(r);
  return h('li', { class: `card search-result search-${r.kind}` },
    h('h3', { class: 'search-title' }, h('a', { href: searchResultUrl(r) }, r.title || t('search.untitled'))),
    h('p', { class: 'search-meta' }, meta, date ? [' · ', timeEl(date, lang)] : null,
      version ? [' ', h('span', { class: `badge${version.archived ? ' badge-draft search-archived' : ''}` },
        version.archived ? t('search.archivedVersion', { version: version.version }) : t('search.currentVersion', { version: version.version }))] : null),
    snippet);
}

/** The shown results under one heading per kind (Samarbetsytor, Diskussioner, …). */
function groupedResults(t, lang, results) {
  return groupResults(results).map(({ group, results: list }, i) => {
    const id = `search-group-${i}`;
    const heading = t.has(`search.filter.${group}`) ? t(`search.filter.${group}`) : t('search.otherKinds');
    return h('section', { class: 'search-group', 'aria-labelledby': id },
      h('h2', { id, class: 'search-group-title' }, heading, ' ', h('span', { class: 'search-group-count' }, `(${list.length})`)),
      h('ul', { class: 'search-results' }, list.map((r) => resultItem(t, lang, r))));
  });
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
  const list = h('div', { class: 'search-groups' });
  const more = h('p', { class: 'search-more' });
  const status = h('p', { class: 'hint', role: 'status' });
  const everywhere = h('p', { class: 'search-everywhere', hidden: true },
    h('a', { class: 'btn btn-secondary', href: searchHash(q) }, t('search.everywhere')));
  const page = h('section', { class: 'search-page' },
    pageHeading(t('search.title')),
    searchBox(t, { navigate: ctx.navigate, value: q, workspace: query.workspace ?? null }),
    query.workspace ? h('p', { class: 'hint' }, t('search.scoped')) : null,
    filters, status, everywhere, list, more);
  if (!hasSearchWords(q)) {
    status.textContent = t('search.enterWords');
    return page;
  }
  let shown = { results: [], nextCursor: null };
  async function load(cursor) {
    const answer = await api.search(searchQuery(query, cursor));
    shown = appendResults(shown.results, answer);
    replaceChildren(list, groupedResults(t, ctx.lang, shown.results));
    status.textContent = shown.results.length ? '' : t(isScoped(query) ? 'search.noneHere' : 'search.none');
    // Nothing in one workspace or one kind: offer the whole of Communis.
    everywhere.hidden = shown.results.length > 0 || !isScoped(query);
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
