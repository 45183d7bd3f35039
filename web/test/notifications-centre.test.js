import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../lib/i18n.js';
import { describeNotification, settingsRows, settingsBody, SETTING_KINDS } from '../lib/notifications.js';
import { isFollowed } from '../views/notifications-follow.js';

const dicts = {
  sv: JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url))),
  en: JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url))),
};
const sv = createTranslator(dicts, 'sv');
const en = createTranslator(dicts, 'en');
const olle = { id: 'p2', name: 'Olle Ek' };

test('every kind has a Swedish and an English sentence that names who or what', () => {
  const meeting = { kind: 'meeting-started', actor: olle, meetingId: 'm1', excerpt: 'Veckomöte', link: '#/meetings/m1' };
  assert.equal(describeNotification(sv, meeting).text, 'Olle Ek startade mötet ”Veckomöte”');
  assert.equal(describeNotification(en, meeting).text, 'Olle Ek started the meeting “Veckomöte”');
  assert.equal(describeNotification(sv, meeting).href, '#/meetings/m1');
  assert.equal(describeNotification(sv, meeting).excerpt, null, 'the title is in the sentence');
  const reply = { kind: 'reply', actor: olle, workspaceId: 'w1', threadId: 't1', excerpt: 'Jag håller med', link: '#/workspaces/w1?thread=t1' };
  assert.equal(describeNotification(sv, reply).text, 'Olle Ek svarade i en diskussion du deltar i');
  assert.equal(describeNotification(sv, reply).excerpt, 'Jag håller med');
  assert.equal(describeNotification(sv, reply).href, '#/workspaces/w1?thread=t1');
  const news = { kind: 'news', newsId: 'n1', excerpt: 'Ny lönerevision', link: '#/news/n1' };
  assert.equal(describeNotification(sv, news).text, 'Ny nyhet: ”Ny lönerevision”');
  assert.equal(describeNotification(sv, news).href, '#/news/n1');
  const ack = { kind: 'ack-due', newsId: 'n1', excerpt: 'Ny policy', link: '#/news/n1' };
  assert.equal(describeNotification(sv, ack).text, 'Bekräfta att du har läst och förstått ”Ny policy”');
  for (const kind of SETTING_KINDS) {
    assert.ok(sv.has(`notif.settings.kind.${kind}`) && en.has(`notif.settings.kind.${kind}`), kind);
  }
});

test('a link that is not a hash route is never followed', () => {
  const odd = { kind: 'news', excerpt: 'x', link: 'javascript:alert(1)' };
  assert.equal(describeNotification(sv, odd).href, null);
});

test('the settings form reads what the server sent and gives back its shape', () => {
  const rows = settingsRows({ kinds: { mention: { app: false, email: 'immediate', push: true }, news: { app: true, email: 'bogus', push: false } } });
  assert.deepEqual(rows.find((r) => r.kind === 'mention'), { kind: 'mention', app: false, email: 'immediate', push: true });
  assert.equal(rows.find((r) => r.kind === 'news').email, 'off', 'an unknown cadence shows as off');
  assert.equal(rows.length, SETTING_KINDS.length);
  const body = settingsBody(rows, { enabled: true, from: '22:00', to: '07:00' }, 'Europe/Stockholm', 'sv');
  assert.deepEqual(body.kinds.mention, { app: false, email: 'immediate', push: true });
  assert.deepEqual(body.quietHours, { enabled: true, from: '22:00', to: '07:00' });
  assert.equal(body.timeZone, 'Europe/Stockholm');
});

test('following is looked up by kind and target', () => {
  const follows = [{ kind: 'workspace', target: 'abc', implicit: true }, { kind: 'person', target: 'p2', implicit: false }];
  assert.ok(isFollowed(follows, 'workspace', 'ABC'));
  assert.ok(isFollowed(follows, 'person', 'p2'));
  assert.ok(!isFollowed(follows, 'person', 'abc'));
  assert.ok(!isFollowed(undefined, 'tag', 'lön'));
});
