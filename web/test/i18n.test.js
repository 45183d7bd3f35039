import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator, interpolate, keyDifferences, pickLanguage, plural } from '../lib/i18n.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const sv = JSON.parse(readFileSync(join(webDir, 'i18n/sv.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(webDir, 'i18n/en.json'), 'utf8'));

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' || name === 'i18n' ? [] : sourceFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

test('sv.json and en.json have identical key sets', () => {
  assert.deepEqual(keyDifferences(sv, en), { onlyInFirst: [], onlyInSecond: [] });
});

test('no translation is empty and both languages use the same {placeholders}', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(sv)) {
    assert.ok(sv[key].trim() && en[key].trim(), `empty text for ${key}`);
    assert.deepEqual(names(sv[key]), names(en[key]), `placeholders differ for ${key}`);
  }
});

test('every literal key used in the code exists in sv.json', () => {
  const missing = [];
  for (const file of sourceFiles(webDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) if (!(m[1] in sv)) missing.push(`${m[1]} (${file})`);
    for (const m of text.matchAll(/\bplural\(t, '([a-zA-Z0-9_.-]+)'/g)) {
      for (const form of ['one', 'other']) if (!(`${m[1]}.${form}` in sv)) missing.push(`${m[1]}.${form} (${file})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every problem code of the contract has a message in both languages', () => {
  const codes = ['malformed-json', 'validation-failed', 'unauthenticated', 'invalid-credentials', 'account-locked',
    'too-many-attempts', 'forbidden', 'csrf-failed', 'origin-refused', 'not-found', 'conflict', 'payload-too-large',
    'account-disabled', 'invitation-invalid'];
  for (const code of codes) {
    assert.ok(sv[`error.${code}`], `sv error.${code}`);
    assert.ok(en[`error.${code}`], `en error.${code}`);
  }
});

test('dynamic keys (visibility, roles, languages) exist', () => {
  for (const v of ['open', 'closed', 'secret']) { assert.ok(sv[`visibility.${v}`]); assert.ok(sv[`visibility.${v}.explain`]); }
  for (const r of ['owner', 'member']) assert.ok(sv[`wsRole.${r}`]);
  for (const r of ['admin', 'member', 'guest']) assert.ok(sv[`role.${r}`]);
  for (const l of ['sv', 'en']) assert.ok(sv[`language.${l}`]);
});

test('the guest banner has the required Swedish wording', () => {
  assert.equal(sv['workspace.guestBanner'],
    'Externa deltagare finns i denna samarbetsyta – det som delas här kan bli allmän handling.');
});

test('lookup falls back to Swedish, then to the key itself', () => {
  const t = createTranslator({ sv: { a: 'A-sv', b: 'B-sv' }, en: { a: 'A-en' } }, 'en');
  assert.equal(t('a'), 'A-en');
  assert.equal(t('b'), 'B-sv');
  assert.equal(t('missing.key'), 'missing.key');
  assert.equal(t.has('b'), true);
  assert.equal(t.has('missing.key'), false);
});

test('placeholders are filled and unknown ones left visible', () => {
  assert.equal(interpolate('Hej {name}, {n} nya', { name: 'Åsa', n: 3 }), 'Hej Åsa, 3 nya');
  assert.equal(interpolate('Hej {name}', {}), 'Hej {name}');
  const t = createTranslator({ sv: { g: 'Hej {name}!' } }, 'sv');
  assert.equal(t('g', { name: 'Erik' }), 'Hej Erik!');
});

test('language choice defaults to Swedish and accepts only sv and en', () => {
  assert.equal(pickLanguage(null), 'sv');
  assert.equal(pickLanguage('en'), 'en');
  assert.equal(pickLanguage('de'), 'sv');
});

test('plural picks the singular only for exactly one', () => {
  const t = createTranslator({ sv: { 'n.one': '{count} medlem', 'n.other': '{count} medlemmar' } }, 'sv');
  assert.equal(plural(t, 'n', 1), '1 medlem');
  assert.equal(plural(t, 'n', 0), '0 medlemmar');
  assert.equal(plural(t, 'n', 5), '5 medlemmar');
});
