// @mention support for the post editor: find the "@query" being typed at the caret, match
// it against the workspace's members and insert `@[Name](person:<id>)`. Pure, no DOM.

const MAX_QUERY = 40;

/**
 * The mention being typed at `caret`: `{start, query}` where `start` is the index of the
 * `@`, or null. The `@` must start the text or follow whitespace or an opening bracket, and
 * the query may hold letters, digits, spaces (names), hyphens and apostrophes.
 */
export function mentionQuery(text, caret) {
  const before = String(text ?? '').slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  const prev = at > 0 ? before[at - 1] : '';
  if (prev && !/[\s(]/u.test(prev)) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || !/^[\p{L}\p{M}\p{N}' -]*$/u.test(query) || /^\s/u.test(query) || /\s{2}/u.test(query)) return null;
  return { start: at, query };
}

const fold = (s) => String(s ?? '').toLocaleLowerCase('sv').normalize('NFC');

/**
 * Members whose name matches `query` (case-insensitive): names starting with it first, then
 * names with a word starting with it, then names containing it; at most `limit`.
 */
export function matchMembers(members, query, { limit = 8, excludeId } = {}) {
  const q = fold(query).trim();
  const scored = [];
  for (const m of members ?? []) {
    if (!m?.id || m.id === excludeId) continue;
    const name = fold(m.name);
    let score = -1;
    if (name.startsWith(q)) score = 0;
    else if (name.split(/\s+/).some((w) => w.startsWith(q))) score = 1;
    else if (q && name.includes(q)) score = 2;
    if (score >= 0) scored.push([score, m]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name, 'sv'));
  return scored.slice(0, limit).map(([, m]) => m);
}

/** A name made safe as link text in the Markdown subset (brackets and markup escaped). */
export function escapeMentionName(name) {
  return String(name ?? '').replace(/[\\[\]*_`~]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** The Markdown for a mention of `person` ({id, name}). */
export function mentionMarkdown(person) {
  return `@[${escapeMentionName(person.name)}](person:${person.id})`;
}

/** Replaces `text[start, caret)` (the "@query") with the mention plus a space. */
export function insertMention(text, start, caret, person) {
  const insert = `${mentionMarkdown(person)} `;
  const value = String(text).slice(0, start) + insert + String(text).slice(caret);
  return { text: value, caret: start + insert.length };
}
