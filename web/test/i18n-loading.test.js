import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dictionaryUrl, loadDictionaries } from '../lib/i18n.js';

test('dictionaryUrl: the bundle names hashed language files; unbundled, i18n/<lang>.json', () => {
  const build = { i18nSv: 'assets/sv-1A2B3C4D.json', i18nEn: 'assets/en-5E6F7A8B.json' };
  assert.equal(dictionaryUrl('sv', build), 'assets/sv-1A2B3C4D.json');
  assert.equal(dictionaryUrl('en', build), 'assets/en-5E6F7A8B.json');
  assert.equal(dictionaryUrl('en', undefined), 'i18n/en.json');
  assert.equal(dictionaryUrl('sv', {}), 'i18n/sv.json');
});

function fakeFetch(files) {
  const asked = [];
  const fetchImpl = async (url) => {
    asked.push(url);
    if (!(url in files)) return { ok: false, json: async () => ({}) };
    if (files[url] instanceof Error) throw files[url];
    return { ok: true, json: async () => files[url] };
  };
  return { asked, fetchImpl };
}

test('loadDictionaries fetches only the languages asked for and not yet loaded', async () => {
  const { asked, fetchImpl } = fakeFetch({ 'i18n/sv.json': { a: 'ett' }, 'i18n/en.json': { a: 'one' } });
  const first = await loadDictionaries({}, ['sv'], { fetchImpl });
  assert.deepEqual(first, { sv: { a: 'ett' } });
  assert.deepEqual(asked, ['i18n/sv.json']);
  const both = await loadDictionaries(first, ['sv', 'en'], { fetchImpl });
  assert.deepEqual(both, { sv: { a: 'ett' }, en: { a: 'one' } });
  assert.deepEqual(asked, ['i18n/sv.json', 'i18n/en.json']);
  assert.equal(first.en, undefined, 'the given object is not changed');
});

test('loadDictionaries leaves out a language whose file fails; unknown languages are ignored', async () => {
  const { asked, fetchImpl } = fakeFetch({ 'i18n/sv.json': new TypeError('offline') });
  assert.deepEqual(await loadDictionaries({}, ['sv', 'en', 'fi'], { fetchImpl }), {});
  assert.deepEqual(asked.sort(), ['i18n/en.json', 'i18n/sv.json']);
});
