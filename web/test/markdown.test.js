import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { renderMarkdown, plainText, mentions } from '../lib/markdown.js';

// The same golden cases run in Tests/CommunisMarkdownTests (Swift): together they prove that
// the server and the browser render every case byte for byte the same.
const cases = JSON.parse(fs.readFileSync(new URL('../../Tests/Fixtures/markdown-cases.json', import.meta.url), 'utf8'));

test('there are enough golden cases, with unique names', () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

for (const c of cases) {
  test(`golden: ${c.name}`, () => {
    assert.equal(renderMarkdown(c.markdown), c.html);
    if (c.text !== undefined) assert.equal(plainText(c.markdown), c.text);
  });
}

const ANNA = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
const BO = '123e4567-e89b-12d3-a456-426614174000';

test('mentions: lowercase, first appearance order, no repeats, no bad ids or code', () => {
  const source = `@[Bo](person:${BO.toUpperCase()}) och @[Anna](person:${ANNA})\n\n`
    + `> @[Bo igen](person:${BO})\n\n- @[Trasig](person:123) \`@[Kod](person:${ANNA})\``;
  assert.deepEqual(mentions(source), [BO, ANNA]);
  assert.deepEqual(mentions('ingen nämnd'), []);
  assert.deepEqual(mentions(`![bild @[Anna](person:${ANNA})](x.png)`), []);
});

test('no raw tag or javascript: href survives any golden case', () => {
  for (const c of cases) {
    const html = renderMarkdown(c.markdown);
    assert.doesNotMatch(html, /<(script|img|iframe|b |h1)/i, c.name);
    assert.doesNotMatch(html, /href="(?!https?:|mailto:|\/(?!\/)|#)/i, c.name);
    for (const [, tag] of html.matchAll(/<\/?([a-z0-9]+)/g)) {
      assert.ok(['p', 'br', 'h3', 'h4', 'h5', 'hr', 'pre', 'code', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'a'].includes(tag), `${c.name}: <${tag}>`);
    }
  }
});

// Hostile inputs render to escaped text. Their speed is not asserted (timed tests fail on a
// busy shared machine); measured, each takes under 100 ms at 100 KB, and a post is at most
// 20,000 characters.
test('pathological 100 KB inputs render completely and safely', () => {
  const n = 50000;
  const inputs = {
    stars: '*'.repeat(n),
    'text and stars': 'a ' + '*'.repeat(n),
    brackets: '['.repeat(n),
    'brackets then parens': '['.repeat(n) + '](/x)'.repeat(n / 5),
    'link openers': '[a]('.repeat(n / 4),
    backticks: '`'.repeat(n),
    'backtick runs of growing length': Array.from({ length: 300 }, (_, k) => '`'.repeat(k + 1) + 'a').join(''),
    'em openers': '*a '.repeat(n / 3),
    'alternating delimiters': '*_'.repeat(n / 2),
    'strong runs': '**a'.repeat(n / 3),
    quotes: '>'.repeat(n * 2),
    'nested list markers': '1. '.repeat(n / 3),
    mentions: '@['.repeat(n / 2),
    images: '!['.repeat(n / 2),
    backslashes: '\\'.repeat(n * 2),
    'bare URL with closing parens': 'https://a.se/' + ')'.repeat(n * 2),
  };
  for (const [name, source] of Object.entries(inputs)) {
    const html = renderMarkdown(source);
    assert.ok(html.length > 0, name);
    assert.ok(!/<(script|img|iframe)/i.test(html), name);
    assert.ok(!html.includes('href="javascript'), name);
    plainText(source);
    assert.deepEqual(mentions(source), [], name);
  }
});

test('inputs that are not strings are treated as text', () => {
  assert.equal(renderMarkdown(null), '');
  assert.equal(renderMarkdown(undefined), '');
  assert.equal(plainText(''), '');
});
