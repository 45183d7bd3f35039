// Words and forms of the interface: one term per thing, no jargon, plural forms from
// Intl.PluralRules. Fails when a text slips back to a mixed term.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator, plural, pluralCategory } from '../lib/i18n.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const sv = JSON.parse(readFileSync(join(webDir, 'i18n/sv.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(webDir, 'i18n/en.json'), 'utf8'));

const offending = (dict, pattern) => Object.entries(dict).filter(([, text]) => pattern.test(text)).map(([key, text]) => `${key}: ${text}`);

test('Swedish says "samarbetsyta", never a bare "arbetsyta"', () => {
  assert.deepEqual(offending(sv, /(?<!samm?)(?<!sam)arbetsyt/i), []);
  assert.deepEqual(offending(sv, /(?<![a-zåäö])arbetsyt/i), []);
});

test('English says "workspace", never "work space" or "collaboration space"', () => {
  assert.deepEqual(offending(en, /work space|workarea|collaboration (space|area)/i), []);
});

test('no feed jargon: plain words for the link a news reader subscribes to', () => {
  assert.deepEqual(offending(sv, /flödesnyckel|flödesläsare|atom-flöde/i), []);
  assert.deepEqual(offending(en, /feed key|feed token/i), []);
});

test('a counted text has its plural forms (no "{count}" text that reads wrong for 1)', () => {
  // Texts where the count never is 1, or the word has one form in both languages.
  const allowed = new Set(['discussion.reactionLabel', 'typing.many', 'rules.gainsTitle', 'rules.lossesTitle']);
  const single = Object.keys(sv).filter((k) => sv[k].includes('{count}') && !/\.(one|other)$/.test(k) && !allowed.has(k));
  assert.deepEqual(single, []);
  for (const key of Object.keys(sv).filter((k) => k.endsWith('.one') && sv[k].includes('{count}'))) {
    assert.ok(`${key.slice(0, -4)}.other` in sv, `${key} has no .other`);
  }
});

test('plural uses Intl.PluralRules of the reader\'s language', () => {
  assert.equal(pluralCategory('sv', 1), 'one');
  assert.equal(pluralCategory('sv', 0), 'other');
  assert.equal(pluralCategory('en', 2), 'other');
  const svT = createTranslator({ sv, en }, 'sv');
  const enT = createTranslator({ sv, en }, 'en');
  assert.equal(plural(svT, 'kb.diff.folded', 1), '… 1 oförändrad rad');
  assert.equal(plural(svT, 'kb.diff.folded', 4), '… 4 oförändrade rader');
  assert.equal(plural(enT, 'kb.diff.folded', 1), '… 1 unchanged line');
  assert.equal(plural(enT, 'kb.diff.folded', 4), '… 4 unchanged lines');
  // A category the dictionary lacks falls back to .other.
  const t = createTranslator({ sv: { 'x.other': '{count} st' } }, 'sv');
  assert.equal(plural(t, 'x', 1), '1 st');
});

test('a "lathund" is a "how-to" in English, every time', () => {
  const mixed = Object.keys(sv).filter((k) => /lathund/i.test(sv[k]) && !/how-to/i.test(en[k]));
  assert.deepEqual(mixed, []);
});
