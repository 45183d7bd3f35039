import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../lib/i18n.js';
import { ApiError, problemToError } from '../lib/api.js';
import {
  waitAmount, waitText, retryAfterOf, remainingSeconds, countdownAnnouncement, DEFAULT_WAIT_SECONDS,
} from '../lib/wait-time.js';

const dicts = {
  sv: JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url), 'utf8')),
  en: JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8')),
};
const sv = createTranslator(dicts, 'sv');
const en = createTranslator(dicts, 'en');

test('under a minute the wait is said in seconds, from a minute on in minutes rounded up', () => {
  assert.deepEqual(waitAmount(1), { unit: 'seconds', count: 1 });
  assert.deepEqual(waitAmount(45), { unit: 'seconds', count: 45 });
  assert.deepEqual(waitAmount(59.2), { unit: 'minutes', count: 1 });
  assert.deepEqual(waitAmount(60), { unit: 'minutes', count: 1 });
  assert.deepEqual(waitAmount(61), { unit: 'minutes', count: 2 });
  assert.deepEqual(waitAmount(120), { unit: 'minutes', count: 2 });
  assert.deepEqual(waitAmount(900), { unit: 'minutes', count: 15 });
});

test('Swedish wait texts, singular and plural', () => {
  assert.equal(waitText(sv, 1), 'Vänta 1 sekund innan du försöker igen.');
  assert.equal(waitText(sv, 45), 'Vänta 45 sekunder innan du försöker igen.');
  assert.equal(waitText(sv, 60), 'Vänta 1 minut innan du försöker igen.');
  assert.equal(waitText(sv, 90), 'Vänta 2 minuter innan du försöker igen.');
});

test('English wait texts, singular and plural', () => {
  assert.equal(waitText(en, 1), 'Wait 1 second before you try again.');
  assert.equal(waitText(en, 30), 'Wait 30 seconds before you try again.');
  assert.equal(waitText(en, 60), 'Wait 1 minute before you try again.');
  assert.equal(waitText(en, 600), 'Wait 10 minutes before you try again.');
});

test('the wait comes from the body field, then the Retry-After header, then a default', () => {
  const both = problemToError(429, { code: 'too-many-attempts', retryAfterSeconds: 120 }, '119');
  assert.equal(retryAfterOf(both), 120);
  const headerOnly = problemToError(429, { code: 'too-many-attempts' }, '30');
  assert.equal(retryAfterOf(headerOnly), 30);
  assert.equal(retryAfterOf(new ApiError({ code: 'too-many-attempts', status: 429 })), DEFAULT_WAIT_SECONDS);
  assert.equal(retryAfterOf(problemToError(429, { retryAfterSeconds: 0 })), 1, 'never less than a second');
  assert.equal(retryAfterOf(problemToError(429, {}, 'soon')), DEFAULT_WAIT_SECONDS, 'an unreadable header is ignored');
});

test('the countdown counts whole seconds and speaks only at the start and the end', () => {
  assert.equal(remainingSeconds(10_000, 0), 10);
  assert.equal(remainingSeconds(10_000, 9_001), 1);
  assert.equal(remainingSeconds(10_000, 12_000), 0);
  assert.equal(countdownAnnouncement(null, 90), 'start');
  assert.equal(countdownAnnouncement(90, 89), null);
  assert.equal(countdownAnnouncement(61, 60), null, 'not when minutes turn into fewer minutes');
  assert.equal(countdownAnnouncement(60, 59), null, 'not when minutes turn into seconds');
  assert.equal(countdownAnnouncement(1, 0), 'done');
  assert.equal(countdownAnnouncement(0, 0), null);
  assert.equal(countdownAnnouncement(null, 0), null);
});
