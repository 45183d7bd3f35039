// Search (C3): pure helpers for the search box and the results page. No DOM.
import { buildHash } from './router.js';

/** The type filters of the results page: [filter key, API `type` value ('' = all)]. */
export const TYPE_FILTERS = [
  ['all', ''],
  ['workspace', 'workspace'], // the workspaces the searcher may see, ranked above the posts about them
  ['discussion', 'discussion'],
  ['blog', 'blog'],
  ['person', 'person'],
  ['article', 'article'],
  ['document', 'document'], // documents: the title and the current version's text (older versions when asked)
  ['recording', 'recording'], // the server answers recordings and their chapters
  ['news', 'news'], // news items the searcher is in the audience of
];

const TYPE_VALUES = new Set(TYPE_FILTERS.map(([, v]) => v).filter(Boolean));

/** Whether a typed text is worth sending (the server answers 422 when no word is left). */
export function hasSearchWords(text) {
  return /[\p{L}\p{N}]/u.test(String(text ?? ''));
}

/** The hash of the results page for `q`, optionally scoped to a workspace and a type. */
export function searchHash(q, { workspace, type } = {}) {
  return buildHash('search', {}, { q: String(q ?? '').trim(), workspace, type: TYPE_VALUES.has(type) ? type : undefined });
}

/**
 * The API query for the results page's route query and an optional cursor. Unknown types
 * are dropped; empty values are left out.
 */
export function searchQuery(routeQuery = {}, cursor = null) {
  const query = { q: String(routeQuery.q ?? '').trim() };
  if (TYPE_VALUES.has(routeQuery.type)) query.type = routeQuery.type;
  if (routeQuery.workspace) query.workspace = routeQuery.workspace;
  if (cursor) query.cursor = cursor;
  return query;
}

/**
 * A snippet's segments as the parts to render: `{text, mark}` where `mark` parts go in a
 * `<mark>` element. Text is always text (set with textContent), never markup; parts that
 * are not strings or are empty are dropped.
 */
export function snippetParts(segments) {
  if (!Array.isArray(segments)) return [];
  return segments
    .filter((s) => s && typeof s.text === 'string' && s.text !== '')
    .map((s) => ({ text: s.text, mark: s.match === true }));
}

/** Appends a page to what is shown, skipping results already there (a new post may shift pages). */
export function appendResults(shown, page) {
  const seen = new Set(shown.map((r) => `${r.kind}:${r.id}`));
  const added = (page?.results ?? []).filter((r) => !seen.has(`${r.kind}:${r.id}`));
  return { results: [...shown, ...added], nextCursor: page?.nextCursor ?? null };
}

/** The heading group of a result kind (a thread and its posts are both "discussion"). */
export function resultGroup(kind) {
  if (kind === 'thread' || kind === 'post' || kind === 'discussion') return 'discussion';
  if (kind === 'chapter') return 'recording';
  return kind || 'other';
}

/**
 * Results grouped under a heading per kind, `[{group, results}]`: groups in the order of
 * their best-ranked result (the server ranks workspaces first), results in server order.
 */
export function groupResults(results) {
  const groups = new Map();
  for (const r of results ?? []) {
    const g = resultGroup(r?.kind);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(r);
  }
  return [...groups].map(([group, list]) => ({ group, results: list }));
}

/**
 * A document hit's version note: `{archived: true, version}` for an older version's text
 * (its url opens that version), `{archived: false, version}` for the current one, else null.
 */
export function documentVersionNote(r) {
  if (r?.kind !== 'document' || !Number.isInteger(r.documentVersion)) return null;
  return { archived: r.archived === true, version: r.documentVersion };
}

/** Kinds that have no meaningful date (a person, a workspace): never shown with one. */
const UNDATED = new Set(['person', 'workspace']);

/** The date to show for a result, or null: only when the server gave one and the kind has one. */
export function resultDate(r) {
  if (!r || UNDATED.has(r.kind) || typeof r.date !== 'string' || !r.date) return null;
  return Number.isNaN(Date.parse(r.date)) ? null : r.date;
}

/** Whether the search was narrowed (to a workspace or a kind), so "search everywhere" helps. */
export function isScoped(routeQuery = {}) {
  return Boolean(routeQuery.workspace) || TYPE_VALUES.has(routeQuery.type);
}
