import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, formatDateTime, initials, absoluteUrl } from '../lib/format.js';
import { pageInfo, offsetForPage } from '../lib/pagination.js';

test('dates are shown in Swedish by default, in Swedish time', () => {
  assert.equal(formatDate('2026-11-26T17:22:22Z', 'sv'), '26 nov. 2026');
  assert.equal(formatDateTime('2026-11-26T17:22:22Z', 'sv'), '2026-11-26 18:22');
  // Past midnight in Stockholm is already the next day.
  assert.equal(formatDate('2026-06-30T22:30:00Z', 'sv'), '1 juli 2026');
});

test('English dates and bad input', () => {
  assert.equal(formatDate('2026-11-26T17:22:22Z', 'en'), '26 Nov 2026');
  assert.equal(formatDate(null), '');
  assert.equal(formatDate('not a date'), '');
});

test('initials for avatars', () => {
  assert.equal(initials('Anna Lindqvist'), 'AL');
  assert.equal(initials('Åsa'), 'Å');
  assert.equal(initials('Lena Maria Berg'), 'LB');
  assert.equal(initials(''), '?');
});

test('invite links from the server become absolute', () => {
  assert.equal(absoluteUrl('/#/invitation/abc', 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080/#/invitation/abc');
  assert.equal(absoluteUrl('https://communis.example/#/invitation/abc', 'http://127.0.0.1:8080'), 'https://communis.example/#/invitation/abc');
});

test('page maths: first, middle and last page', () => {
  assert.deepEqual(
    pick(pageInfo({ total: 42, limit: 20, offset: 0 })),
    { page: 1, pages: 3, from: 1, to: 20, hasPrev: false, hasNext: true, nextOffset: 20, prevOffset: 0 });
  assert.deepEqual(
    pick(pageInfo({ total: 42, limit: 20, offset: 20 })),
    { page: 2, pages: 3, from: 21, to: 40, hasPrev: true, hasNext: true, nextOffset: 40, prevOffset: 0 });
  assert.deepEqual(
    pick(pageInfo({ total: 42, limit: 20, offset: 40 })),
    { page: 3, pages: 3, from: 41, to: 42, hasPrev: true, hasNext: false, nextOffset: 60, prevOffset: 20 });
});

test('an empty result is one page showing 0–0', () => {
  const info = pageInfo({ total: 0, limit: 20, offset: 0 });
  assert.equal(info.pages, 1);
  assert.equal(info.from, 0);
  assert.equal(info.to, 0);
  assert.equal(info.hasNext, false);
});

test('offsets for page numbers', () => {
  assert.equal(offsetForPage(1, 20), 0);
  assert.equal(offsetForPage(3, 20), 40);
  assert.equal(offsetForPage(0, 20), 0);
});

function pick(i) {
  const { page, pages, from, to, hasPrev, hasNext, nextOffset, prevOffset } = i;
  return { page, pages, from, to, hasPrev, hasNext, nextOffset, prevOffset };
}
