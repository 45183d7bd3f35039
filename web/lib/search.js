// Search (C3): pure helpers for the search box and the results page. No DOM.
import { buildHash } from './router.js';

/** The type filters of the results page: [filter key, API `type` value ('' = all)]. */
export const TYPE_FILTERS = [
  ['all', ''],
  ['discussion', 'discussion'],
  ['blog', 'blog'],
  ['person', 'person'],
  ['article', 'article'],
  ['recording', 'recording'], // the server answers recordings and their chapters
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
