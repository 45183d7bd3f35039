import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseList, isDay, validateArticle, formatOffset, diffModel } from '../lib/knowledge.js';

test('tags are trimmed, split on commas and lines, without duplicates by case', () => {
  assert.deepEqual(parseList(' Procapita, inloggning ,,procapita\nOutlook'), ['Procapita', 'inloggning', 'Outlook']);
  assert.deepEqual(parseList(''), []);
});

test('a review date is a real calendar day', () => {
  assert.equal(isDay('2027-02-28'), true);
  assert.equal(isDay('2027-02-29'), false);
  assert.equal(isDay('27-2-1'), false);
});

test('the article form names every problem at once and builds the request body', () => {
  const bad = validateArticle({ title: ' ', body: '', tags: 'x'.repeat(41), reviewBy: '2027-13-01' });
  assert.deepEqual(bad.errors, { title: 'kb.error.required', body: 'kb.error.required', tags: 'kb.error.tags', reviewBy: 'kb.error.date' });
  const good = validateArticle({ title: ' Logga in ', summary: '', body: '1. Öppna', tags: 'a, b', departments: 'IT', reviewBy: '' });
  assert.deepEqual(good.errors, {});
  assert.deepEqual(good.article, { title: 'Logga in', summary: '', body: '1. Öppna', tags: ['a', 'b'],
    audience: { departments: ['IT'], roles: [] }, reviewBy: null });
});

test('chapter offsets read as minutes and seconds (hours when needed)', () => {
  assert.equal(formatOffset(65000), '1:05');
  assert.equal(formatOffset(3723000), '1:02:03');
  assert.equal(formatOffset(-5), '0:00');
});

test('the diff model keeps changed fields, signs lines and folds unchanged runs', () => {
  const eq = (text) => ({ op: 'equal', text });
  const fields = [
    { field: 'title', changed: false, lines: [eq('T')] },
    { field: 'body', changed: true, lines: [eq('1'), eq('2'), eq('3'), eq('4'), { op: 'removed', text: '5' }, { op: 'added', text: '5b' }, eq('6')] },
  ];
  const model = diffModel(fields, { context: 1 });
  assert.equal(model.length, 1);
  assert.equal(model[0].field, 'body');
  assert.deepEqual(model[0].rows, [
    { kind: 'fold', count: 3 },
    { kind: 'equal', sign: ' ', text: '4' },
    { kind: 'removed', sign: '−', text: '5' },
    { kind: 'added', sign: '+', text: '5b' },
    { kind: 'equal', sign: ' ', text: '6' },
  ]);
});
