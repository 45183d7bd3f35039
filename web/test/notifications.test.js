import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../lib/i18n.js';
import { describeNotification } from '../lib/notifications.js';

const dicts = {
  sv: JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url))),
  en: JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url))),
};
const sv = createTranslator(dicts, 'sv');
const en = createTranslator(dicts, 'en');

const reminder = {
  id: 'n1', kind: 'review-due', howToId: '0b6c7d2e-1111-4222-8333-444455556666', title: 'Logga in i Procapita',
  reviewBy: '2027-06-30', excerpt: 'Logga in i Procapita', createdAt: '2027-06-30T00:10:00Z', read: false,
};

test('a review reminder names the article and its day, in Swedish and English, and opens the article', () => {
  const shown = describeNotification(sv, reminder);
  assert.equal(shown.text, 'Dags att granska lathunden ”Logga in i Procapita” (granskas senast 30 juni 2027)');
  assert.equal(shown.href, '#/knowledge/0b6c7d2e-1111-4222-8333-444455556666');
  assert.equal(shown.excerpt, null, 'the title is in the sentence already');
  assert.equal(describeNotification(en, reminder).text, 'Time to review the how-to “Logga in i Procapita” (review by 30 Jun 2027)');
});

test('an organisation-wide reminder (no workspace, no actor) still links to its article', () => {
  const { workspaceId, ...orgWide } = reminder;
  assert.equal(workspaceId, undefined);
  assert.equal(describeNotification(sv, { ...orgWide, workspaceId: undefined }).href, '#/knowledge/0b6c7d2e-1111-4222-8333-444455556666');
});

test('a reminder from an older server without a title falls back to the excerpt', () => {
  const { title, ...noTitle } = reminder;
  assert.ok(title);
  assert.match(describeNotification(sv, noTitle).text, /”Logga in i Procapita”/);
});

test('a mention still says who, quotes the text and opens the thread', () => {
  const mention = {
    id: 'n2', kind: 'mention', workspaceId: 'w1', threadId: 't1', postId: 'p1',
    actor: { id: 'a', name: 'Erik Johansson' }, excerpt: 'Bra! @Sara tar det.', createdAt: '2027-01-01T00:00:00Z', read: true,
  };
  assert.deepEqual(describeNotification(sv, mention), {
    text: 'Erik Johansson nämnde dig', href: '#/workspaces/w1?thread=t1', excerpt: 'Bra! @Sara tar det.',
  });
});

test('an unknown kind falls back to a general sentence, never a key', () => {
  const shown = describeNotification(en, { id: 'n3', kind: 'something-new', actor: { name: 'Anna' }, excerpt: '' });
  assert.equal(shown.text, 'New activity by Anna');
  assert.equal(shown.href, null);
  assert.equal(shown.excerpt, null);
});
