import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  meetingState, applyJoinAck, applyMeetingEvent, applySnapshot, joining, left, me, maySend, participantList, remoteStreams,
  meetingListState, applyRoster, upsertMeeting, visibleMeetings,
} from '../meeting/meeting-state.js';

const M = '0b7e0000-0000-4000-8000-000000000001';
const sara = { streamId: 1, person: { id: 'p-sara', name: 'Sara Nilsson' }, muted: false, handRaised: false, moderator: false, guest: false };
const erik = { streamId: 3, person: { id: 'p-erik', name: 'Erik Johansson' }, muted: false, handRaised: false, moderator: true, guest: false };
// The join ack of docs/protocol.md.
const JOIN_ACK = {
  state: 'joined', streamId: 3, meeting: {
    id: M, workspaceId: 'ws', title: 'Veckomöte IT', threadId: 'th', you: 3, moderator: true,
    participants: [sara, erik], lobby: [], speaking: [1],
    limits: { maxParticipants: 50, maxPacketBytes: 1000, maxPacketsPerSecond: 60 },
  },
};

const joined = () => applyJoinAck(joining(meetingState(M)), JOIN_ACK);

test('the join ack snapshot gives the participants, who I am and who speaks', () => {
  const s = joined();
  assert.equal(s.status, 'joined');
  assert.equal(s.you, 3);
  assert.equal(s.moderator, true);
  assert.equal(s.title, 'Veckomöte IT');
  assert.equal(s.threadId, 'th');
  assert.deepEqual(s.speaking, [1]);
  assert.equal(me(s).person.name, 'Erik Johansson');
  assert.equal(maySend(s), true);
  assert.deepEqual(remoteStreams(s), [1]);
  assert.deepEqual(participantList(s).map((p) => [p.person.name, p.you, p.speaking]),
    [['Erik Johansson', true, false], ['Sara Nilsson', false, true]]);
});

test('a guest waits in the lobby and joins when admitted', () => {
  let s = applyJoinAck(joining(meetingState(M)), { state: 'lobby', streamId: 7 });
  assert.equal(s.status, 'lobby');
  assert.equal(s.you, 7);
  assert.equal(maySend(s), false);
  const lena = { streamId: 7, person: { id: 'p-lena', name: 'Lena Berg' }, muted: false, handRaised: false, moderator: false, guest: true };
  s = applyMeetingEvent(s, { type: 'meeting.admitted', data: { streamId: 7, meeting: { ...JOIN_ACK.meeting, you: 7, moderator: false, participants: [sara, erik, lena] } } });
  assert.equal(s.status, 'joined');
  assert.equal(s.moderator, false);
  assert.equal(me(s).person.name, 'Lena Berg');
  assert.deepEqual(remoteStreams(s).sort(), [1, 3]);
});

test('joined, updated and left change the list; speaking follows', () => {
  let s = joined();
  const anna = { streamId: 4, person: { id: 'p-anna', name: 'Anna Lindqvist' }, muted: true, handRaised: false, moderator: false, guest: false };
  s = applyMeetingEvent(s, { type: 'meeting.participant.joined', data: { participant: anna } });
  assert.deepEqual(participantList(s).map((p) => p.streamId), [3, 4, 1]);
  s = applyMeetingEvent(s, { type: 'meeting.participant.updated', data: { participant: { ...anna, muted: false, handRaised: true } } });
  assert.equal(s.participants[4].handRaised, true);
  assert.equal(s.participants[4].muted, false);
  s = applyMeetingEvent(s, { type: 'meeting.speaking', data: { speaking: [4, 1] } });
  assert.deepEqual(participantList(s).filter((p) => p.speaking).map((p) => p.streamId), [4, 1]);
  s = applyMeetingEvent(s, { type: 'meeting.participant.left', data: { streamId: 4, reason: 'left' } });
  assert.equal(s.participants[4], undefined);
  assert.deepEqual(s.speaking, [1]);
  assert.equal(applyMeetingEvent(s, { type: 'meeting.participant.left', data: { streamId: 99 } }), s, 'unknown stream: no change');
});

test('a moderator muting me stops my sending', () => {
  let s = joined();
  s = applyMeetingEvent(s, { type: 'meeting.participant.updated', data: { participant: { ...erik, muted: true }, by: { id: 'p-anna', name: 'Anna' } } });
  assert.equal(maySend(s), false);
});

test('the lobby list replaces itself; an admitted guest leaves it', () => {
  let s = joined();
  const lena = { streamId: 7, person: { id: 'p-lena', name: 'Lena Berg' } };
  s = applyMeetingEvent(s, { type: 'meeting.lobby', data: { lobby: [lena] } });
  assert.deepEqual(s.lobby, [lena]);
  s = applyMeetingEvent(s, { type: 'meeting.participant.joined', data: { participant: { ...sara, streamId: 7, person: lena.person, guest: true } } });
  assert.deepEqual(s.lobby, []);
  s = applyMeetingEvent(s, { type: 'meeting.lobby', data: { lobby: [] } });
  assert.deepEqual(s.lobby, []);
});

test('removed, denied and ended leave nobody in the list', () => {
  const removed = applyMeetingEvent(joined(), { type: 'meeting.removed', data: { reason: 'denied', by: { id: 'x', name: 'Anna' } } });
  assert.equal(removed.status, 'removed');
  assert.deepEqual(removed.removed, { reason: 'denied', by: { id: 'x', name: 'Anna' } });
  assert.deepEqual(participantList(removed), []);
  assert.equal(maySend(removed), false);
  const ended = applyMeetingEvent(joined(), { type: 'meeting.ended', data: { by: { id: 'x', name: 'Anna' } } });
  assert.equal(ended.status, 'ended');
  assert.equal(ended.endedBy.name, 'Anna');
  assert.equal(maySend(ended), false);
  assert.equal(left(joined()).status, 'left');
});

test('events before joining do not invent participants; unknown events change nothing', () => {
  const s = meetingState(M);
  assert.equal(applyMeetingEvent(s, { type: 'meeting.participant.joined', data: { participant: sara } }), s);
  assert.equal(applyMeetingEvent(s, { type: 'meeting.nonsense', data: {} }), s);
  assert.equal(applySnapshot(s, null), s);
});

test('a fresh snapshot after reconnecting replaces the old list', () => {
  let s = joined();
  s = applyMeetingEvent(s, { type: 'meeting.participant.left', data: { streamId: 1, reason: 'disconnected' } });
  s = applyJoinAck(joining(s), { ...JOIN_ACK, streamId: 9, meeting: { ...JOIN_ACK.meeting, you: 9, participants: [sara, { ...erik, streamId: 9 }] } });
  assert.equal(s.you, 9);
  assert.deepEqual(Object.keys(s.participants).map(Number).sort(), [1, 9]);
});

test('workspace meetings: roster events update who is in them; ended ones disappear', () => {
  let s = meetingListState([
    { id: 'a', title: 'Planering', state: 'scheduled', scheduledFor: '2026-12-01T09:00:00Z', participants: [] },
    { id: 'b', title: 'Avstämning', state: 'scheduled', participants: [] },
    { id: 'c', title: 'Gammalt', state: 'ended', participants: [] },
  ]);
  assert.deepEqual(visibleMeetings(s).map((m) => m.id), ['a', 'b']);
  s = applyRoster(s, { meetingId: 'b', title: 'Avstämning', state: 'live', participants: [{ id: 'p1', name: 'Sara Nilsson' }] });
  assert.deepEqual(visibleMeetings(s).map((m) => m.id), ['b', 'a'], 'live first');
  assert.deepEqual(s.byId.b.participants.map((p) => p.name), ['Sara Nilsson']);
  s = applyRoster(s, { meetingId: 'n', title: 'Nytt', state: 'live', participants: [{ id: 'p2', name: 'Erik' }] });
  assert.equal(s.byId.n.title, 'Nytt', 'a meeting started elsewhere appears');
  s = applyRoster(s, { meetingId: 'b', state: 'ended', participants: [] });
  assert.deepEqual(visibleMeetings(s).map((m) => m.id), ['n', 'a']);
  s = upsertMeeting(s, { id: 'd', title: 'Direkt', state: 'scheduled', participants: [] });
  assert.ok(s.byId.d);
  assert.equal(applyRoster(s, {}), s);
});

test('workspace meetings: a meeting scheduled elsewhere appears with its time, and keeps it once live', () => {
  let s = meetingListState([{ id: 'a', title: 'Planering', state: 'scheduled', scheduledFor: '2026-12-01T09:00:00Z', participants: [] }]);
  s = applyRoster(s, { meetingId: 'x', title: 'Före jul', state: 'scheduled', scheduledFor: '2026-11-30T09:00:00Z', participants: [] });
  assert.deepEqual(visibleMeetings(s).map((m) => m.id), ['x', 'a'], 'scheduled ones by time');
  assert.equal(s.byId.x.state, 'scheduled');
  s = applyRoster(s, { meetingId: 'x', title: 'Före jul', state: 'live', participants: [{ id: 'p1', name: 'Erik' }] });
  assert.equal(s.byId.x.scheduledFor, '2026-11-30T09:00:00Z');
  assert.deepEqual(visibleMeetings(s).map((m) => m.id), ['x', 'a']);
});

test('a datetime-local value becomes ISO 8601 UTC for scheduledFor', async () => {
  const { localInputToIso } = await import('../views/meeting/workspace-meetings.js');
  const iso = localInputToIso('2026-12-01T09:30');
  assert.match(iso, /^2026-12-01T\d\d:30:00Z$/);
  assert.equal(new Date(iso).getTime(), new Date('2026-12-01T09:30').getTime(), 'the same instant as the local time');
  assert.equal(localInputToIso(''), null);
  assert.equal(localInputToIso('inte ett datum'), null);
});
