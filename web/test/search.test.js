import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasSearchWords, searchHash, searchQuery, snippetParts, appendResults } from '../lib/search.js';
import { parseHash } from '../lib/router.js';

test('a text needs a letter or digit to be searched', () => {
  assert.equal(hasSearchWords('högskola'), true);
  assert.equal(hasSearchWords('  "" ( * '), false);
  assert.equal(hasSearchWords(''), false);
  assert.equal(hasSearchWords('42'), true);
});

test('the results page hash carries the words and an optional workspace and type', () => {
  assert.equal(searchHash(' skolskjuts '), '#/search?q=skolskjuts');
  const hash = searchHash('får jag', { workspace: 'w1', type: 'blog' });
  const route = parseHash(hash);
  assert.equal(route.name, 'search');
  assert.deepEqual(route.query, { q: 'får jag', workspace: 'w1', type: 'blog' });
  assert.equal(parseHash(searchHash('x', { type: 'secret' })).query.type, undefined);
});

test('the API query keeps known types, the workspace and the cursor', () => {
  assert.deepEqual(searchQuery({ q: ' möte ', type: 'discussion', workspace: 'w1' }, 'r.1.2.20.1'),
    { q: 'möte', type: 'discussion', workspace: 'w1', cursor: 'r.1.2.20.1' });
  assert.deepEqual(searchQuery({ q: 'möte', type: 'nonsense' }), { q: 'möte' });
});

test('snippet segments become text parts, matches marked; markup stays text', () => {
  assert.deepEqual(snippetParts([
    { text: 'Ansökan till ', match: false },
    { text: 'högskolan', match: true },
    { text: '<img src=x onerror=alert(1)>', match: false },
    { text: '', match: true },
    { text: 5, match: true },
    null,
  ]), [
    { text: 'Ansökan till ', mark: false },
    { text: 'högskolan', mark: true },
    { text: '<img src=x onerror=alert(1)>', mark: false },
  ]);
  assert.deepEqual(snippetParts(undefined), []);
});

test('"Visa fler" appends the next page without repeating results', () => {
  const first = appendResults([], { results: [{ kind: 'post', id: 'a' }, { kind: 'thread', id: 'a' }], nextCursor: 'n.5' });
  assert.equal(first.nextCursor, 'n.5');
  const second = appendResults(first.results, { results: [{ kind: 'post', id: 'a' }, { kind: 'blog', id: 'b' }] });
  assert.deepEqual(second.results.map((r) => `${r.kind}:${r.id}`), ['post:a', 'thread:a', 'blog:b']);
  assert.equal(second.nextCursor, null);
});

test('recordings are a type filter (the server answers recordings and their chapters)', () => {
  assert.deepEqual(searchQuery({ q: 'procapita', type: 'recording' }), { q: 'procapita', type: 'recording' });
  assert.equal(parseHash(searchHash('x', { type: 'recording' })).query.type, 'recording');
});

test('results are grouped by kind, in the order of each group\'s best hit', async () => {
  const { groupResults, resultGroup } = await import('../lib/search.js');
  const results = [
    { kind: 'workspace', id: 'w' }, { kind: 'thread', id: 't' }, { kind: 'person', id: 'p' },
    { kind: 'post', id: 'x' }, { kind: 'chapter', id: 'c' }, { kind: 'recording', id: 'r' },
  ];
  assert.deepEqual(groupResults(results).map((g) => [g.group, g.results.map((r) => r.id)]),
    [['workspace', ['w']], ['discussion', ['t', 'x']], ['person', ['p']], ['recording', ['c', 'r']]]);
  assert.equal(resultGroup('chapter'), 'recording');
  assert.deepEqual(groupResults(undefined), []);
});

test('a date is shown only when the server gave one and the kind has one', async () => {
  const { resultDate } = await import('../lib/search.js');
  assert.equal(resultDate({ kind: 'blog', date: '2026-12-01T10:00:00Z' }), '2026-12-01T10:00:00Z');
  assert.equal(resultDate({ kind: 'blog' }), null);
  assert.equal(resultDate({ kind: 'person', date: '2026-12-01T10:00:00Z' }), null);
  assert.equal(resultDate({ kind: 'workspace', date: '2026-12-01T10:00:00Z' }), null);
  assert.equal(resultDate({ kind: 'thread', date: 'nonsense' }), null);
});

test('a search narrowed to a workspace or a kind is scoped; workspaces are a kind to filter by', async () => {
  const { isScoped, TYPE_FILTERS } = await import('../lib/search.js');
  assert.equal(isScoped({ q: 'x' }), false);
  assert.equal(isScoped({ q: 'x', workspace: 'w1' }), true);
  assert.equal(isScoped({ q: 'x', type: 'blog' }), true);
  assert.equal(isScoped({ q: 'x', type: 'bogus' }), false);
  assert.ok(TYPE_FILTERS.some(([key, type]) => key === 'workspace' && type === 'workspace'));
  assert.deepEqual(searchQuery({ q: 'skolgränserna', type: 'workspace' }), { q: 'skolgränserna', type: 'workspace' });
});

test('documents are a kind of their own; an archived version says which', async () => {
  const { TYPE_FILTERS, groupResults, documentVersionNote, searchQuery } = await import('../lib/search.js');
  assert.ok(TYPE_FILTERS.some(([k, v]) => k === 'document' && v === 'document'));
  assert.deepEqual(searchQuery({ q: 'budget', type: 'document' }), { q: 'budget', type: 'document' });
  const groups = groupResults([{ kind: 'document', id: 'd1' }, { kind: 'post', id: 'p' }, { kind: 'document', id: 'd2' }]);
  assert.deepEqual(groups.map((g) => [g.group, g.results.length]), [['document', 2], ['discussion', 1]]);
  assert.deepEqual(documentVersionNote({ kind: 'document', documentVersion: 2, archived: true }), { archived: true, version: 2 });
  assert.deepEqual(documentVersionNote({ kind: 'document', documentVersion: 3, archived: false }), { archived: false, version: 3 });
  assert.equal(documentVersionNote({ kind: 'post' }), null);
});
