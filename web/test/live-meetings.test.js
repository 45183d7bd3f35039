import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator } from '../lib/i18n.js';
import { liveMeetingsState, applyLiveRoster, liveMeetingList, suggestedMeetingTitle, postText } from '../lib/live-meetings.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dicts = {
  sv: JSON.parse(readFileSync(join(webDir, 'i18n/sv.json'), 'utf8')),
  en: JSON.parse(readFileSync(join(webDir, 'i18n/en.json'), 'utf8')),
};
const sv = createTranslator(dicts, 'sv');
const en = createTranslator(dicts, 'en');

const anna = { id: 'a', name: 'Anna Lindqvist' };
const erik = { id: 'e', name: 'Erik Johansson' };

test('"Pågår nu" starts from the live meetings and follows the rosters', () => {
  let s = liveMeetingsState([
    { id: 'm1', title: 'Veckomöte IT', state: 'live', workspace: { id: 'w1', name: 'IT' }, participants: [anna] },
    { id: 'm0', title: 'Gammalt', state: 'ended', workspace: { id: 'w1', name: 'IT' } },
  ]);
  assert.deepEqual(Object.keys(s.byId), ['m1']);
  // Someone joins: the count follows.
  s = applyLiveRoster(s, { id: 'w1', name: 'IT' }, { meetingId: 'm1', title: 'Veckomöte IT', state: 'live', participants: [anna, erik] });
  assert.equal(s.byId.m1.participants.length, 2);
  assert.deepEqual(s.byId.m1.workspace, { id: 'w1', name: 'IT' });
  // A meeting starts in another workspace: it comes in with that workspace's name.
  s = applyLiveRoster(s, { id: 'w2', name: 'Skolstart' }, { meetingId: 'm2', title: 'Avstämning', state: 'live', participants: [erik] });
  assert.deepEqual(liveMeetingList(s).map((m) => [m.id, m.workspace.name, m.participants.length]),
    [['m1', 'IT', 2], ['m2', 'Skolstart', 1]]);
  // A scheduled one is not going on; an ended one leaves.
  const same = applyLiveRoster(s, { id: 'w2', name: 'Skolstart' }, { meetingId: 'm3', title: 'Sen', state: 'scheduled', participants: [] });
  assert.equal(same, s);
  s = applyLiveRoster(s, { id: 'w1', name: 'IT' }, { meetingId: 'm1', state: 'ended', participants: [] });
  assert.deepEqual(Object.keys(s.byId), ['m2']);
  assert.equal(applyLiveRoster(s, null, {}), s);
});

test('a meeting started now is offered a title with the date and time, in the reader\'s language', () => {
  const now = new Date('2026-12-07T09:15:00Z');
  assert.equal(suggestedMeetingTitle(sv, 'sv', now), 'Möte 7 dec. 10:15');
  assert.equal(suggestedMeetingTitle(en, 'en', now), 'Meeting 7 Dec 10:15');
});

test('a generated "meeting-created" post is said in the reader\'s language, not the stored Swedish', () => {
  const post = {
    body: 'Ahmed Hassan skapade mötet Veckomöte IT för 8 december 2026 kl. 09:00. Här är mötets chatt; den finns kvar efter mötet.',
    generated: { kind: 'meeting-created', by: { id: 'h', name: 'Ahmed Hassan' }, title: 'Veckomöte IT', scheduledFor: '2026-12-08T08:00:00Z' },
  };
  assert.equal(postText(en, post, 'en'),
    "Ahmed Hassan created the meeting Veckomöte IT for 8 Dec 2026 09:00. This is the meeting's chat; it stays after the meeting.");
  assert.equal(postText(sv, post, 'sv'),
    'Ahmed Hassan skapade mötet Veckomöte IT för 8 dec. 2026 09:00. Här är mötets chatt; den finns kvar efter mötet.');
  const now = { ...post, generated: { ...post.generated, scheduledFor: undefined, title: 'Avstämning' } };
  assert.equal(postText(sv, now, 'sv'), 'Ahmed Hassan skapade mötet Avstämning. Här är mötets chatt; den finns kvar efter mötet.');
  // Ordinary and unknown generated posts keep their body.
  assert.equal(postText(sv, { body: 'Hej' }, 'sv'), 'Hej');
  assert.equal(postText(sv, { body: 'Hej', generated: { kind: 'something-new' } }, 'sv'), 'Hej');
});

test('a meeting.chat message becomes the post event the chat applies', async () => {
  const { meetingChatEvent } = await import('../lib/live-meetings.js');
  const post = { id: 'p1', threadId: 't1', body: 'Dagordningen ligger i tråden.' };
  assert.deepEqual(meetingChatEvent('meeting.chat', { event: 'post.created', post }), { type: 'post.created', data: { post } });
  assert.equal(meetingChatEvent('meeting.chat', { event: 'reaction.added', post }), null);
  assert.equal(meetingChatEvent('meeting.speaking', { speaking: [1] }), null);
  assert.equal(meetingChatEvent('meeting.chat', { event: 'post.created' }), null);
});
