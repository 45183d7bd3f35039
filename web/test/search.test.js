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
