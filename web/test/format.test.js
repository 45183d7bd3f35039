import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, formatDateTime, formatWhen, formatRelative, formatTime, initials, absoluteUrl } from '../lib/format.js';
import { pageInfo, offsetForPage } from '../lib/pagination.js';

test('dates are shown in Swedish by default, in Swedish time', () => {
  assert.equal(formatDate('2026-11-26T17:22:22Z', 'sv'), '26 nov. 2026');
  assert.equal(formatDateTime('2026-11-26T17:22:22Z', 'sv'), '26 nov. 2026 18:22');
  assert.equal(formatDateTime('2026-11-26T17:22:22Z', 'en'), '26 Nov 2026 18:22');
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

test('one helper for when: relative when recent, else the absolute pattern', () => {
  const now = new Date('2026-12-07T09:30:00Z'); // 10:30 in Stockholm
  assert.equal(formatWhen('2026-12-07T09:29:40Z', 'sv', now), 'just nu');
  assert.equal(formatWhen('2026-12-07T09:25:00Z', 'sv', now), 'för 5 minuter sedan');
  assert.equal(formatWhen('2026-12-07T09:25:00Z', 'en', now), '5 minutes ago');
  assert.equal(formatWhen('2026-12-07T07:15:00Z', 'sv', now), 'i dag 08:15');
  assert.equal(formatWhen('2026-12-06T20:00:00Z', 'sv', now), 'i går 21:00');
  assert.equal(formatWhen('2026-12-08T08:00:00Z', 'en', now), 'tomorrow 09:00');
  assert.equal(formatWhen('2026-11-26T17:22:22Z', 'sv', now), '26 nov. 2026 18:22');
  assert.equal(formatWhen(null, 'sv', now), '');
  // Midnight in Stockholm, not in UTC, decides what "i går" is.
  assert.equal(formatWhen('2026-12-06T23:30:00Z', 'sv', now), 'i dag 00:30');
});

test('times and relative times for the lock message', () => {
  const now = new Date('2026-12-07T12:53:00Z');
  assert.equal(formatTime('2026-12-07T13:05:00Z', 'sv'), '14:05');
  assert.equal(formatRelative('2026-12-07T13:05:00Z', 'sv', now), 'om 12 minuter');
  assert.equal(formatRelative('2026-12-07T13:05:00Z', 'en', now), 'in 12 minutes');
  assert.equal(formatRelative('2026-12-07T12:54:00Z', 'sv', now), 'om 1 minut');
});
