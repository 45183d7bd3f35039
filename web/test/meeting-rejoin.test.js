// Issue 17 in the meeting state: the rejoin token, "reconnecting", and the participants'
// connection and quality (docs/protocol.md, "Meetings").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  meetingState, applyJoinAck, applyMeetingEvent, reconnecting, rejoinData, inMeeting, maySend, participantList,
  connectionOf, withQuality, left,
} from '../meeting/meeting-state.js';

const anna = { id: 'a', name: 'Anna Lindqvist' };
const erik = { id: 'e', name: 'Erik Johansson' };
const P = (streamId, person, extra = {}) => ({ streamId, person, muted: false, handRaised: false, moderator: false, guest: false, ...extra });

function joined(extra = {}) {
  return applyJoinAck(meetingState('m1'), {
    state: 'joined', streamId: 3, rejoinToken: 'tok-aaaaaaaaaaaaaaaaaaaaaa',
    meeting: { id: 'm1', title: 'Veckomöte', you: 3, moderator: true,
      participants: [P(1, erik, { connection: 'ok', quality: 'good' }), P(3, anna, { connection: 'ok', quality: 'good' })], speaking: [1] },
    ...extra,
  });
}

test('the join ack keeps the rejoin token; rejoinData names my stream and token', () => {
  const s = joined();
  assert.equal(s.status, 'joined');
  assert.equal(s.rejoinToken, 'tok-aaaaaaaaaaaaaaaaaaaaaa');
  assert.deepEqual(rejoinData(s), { streamId: 3, token: 'tok-aaaaaaaaaaaaaaaaaaaaaa' });
  assert.equal(s.rejoined, null);
});

test('an older server without a token: nothing to rejoin with', () => {
  const s = applyJoinAck(meetingState('m1'), { state: 'joined', streamId: 3, meeting: { id: 'm1', you: 3, participants: [P(3, anna)] } });
  assert.equal(s.rejoinToken, null);
  assert.equal(rejoinData(s), null);
});

test('meeting.admitted carries the token too', () => {
  const lobby = applyJoinAck(meetingState('m1'), { state: 'lobby', streamId: 7 });
  assert.equal(rejoinData(lobby), null);
  const s = applyMeetingEvent(lobby, { type: 'meeting.admitted', data: { streamId: 7, rejoinToken: 'tok-b', meeting: { id: 'm1', you: 7, participants: [P(7, erik)] } } });
  assert.equal(s.status, 'joined');
  assert.deepEqual(rejoinData(s), { streamId: 7, token: 'tok-b' });
});

test('reconnecting keeps the participants and the token, stops sending, clears speaking', () => {
  const s = reconnecting(joined());
  assert.equal(s.status, 'reconnecting');
  assert.equal(Object.keys(s.participants).length, 2);
  assert.deepEqual(s.speaking, []);
  assert.equal(maySend(s), false, 'nothing is sent while down');
  assert.ok(inMeeting(s));
  assert.deepEqual(rejoinData(s), { streamId: 3, token: 'tok-aaaaaaaaaaaaaaaaaaaaaa' });
  // Only a joined meeting goes to reconnecting.
  const lobby = applyJoinAck(meetingState('m1'), { state: 'lobby', streamId: 7 });
  assert.equal(reconnecting(lobby), lobby);
});

test('rejoined: true keeps the stream; rejoined: false takes the new stream id', () => {
  const down = reconnecting(joined());
  const same = applyJoinAck(down, { state: 'joined', streamId: 3, rejoined: true, rejoinToken: 'tok-2',
    meeting: { id: 'm1', you: 3, participants: [P(1, erik), P(3, anna)] } });
  assert.equal(same.status, 'joined');
  assert.equal(same.you, 3);
  assert.equal(same.rejoined, true);
  assert.equal(same.rejoinToken, 'tok-2');
  assert.equal(maySend(same), true);
  const fresh = applyJoinAck(down, { state: 'joined', streamId: 9, rejoined: false, rejoinToken: 'tok-3',
    meeting: { id: 'm1', you: 9, participants: [P(1, erik), P(9, anna)] } });
  assert.equal(fresh.you, 9);
  assert.equal(fresh.rejoined, false);
  assert.deepEqual(rejoinData(fresh), { streamId: 9, token: 'tok-3' });
  assert.equal(fresh.participants[3], undefined);
});

test('participant updates (connection, quality) apply while joined and while reconnecting', () => {
  let s = joined();
  s = applyMeetingEvent(s, { type: 'meeting.participant.updated', data: { participant: P(1, erik, { connection: 'reconnecting', quality: 'good' }) } });
  assert.equal(participantList(s).find((p) => p.streamId === 1).connection, 'reconnecting');
  s = applyMeetingEvent(reconnecting(s), { type: 'meeting.participant.updated', data: { participant: P(1, erik, { connection: 'ok', quality: 'poor' }) } });
  const e = participantList(s).find((p) => p.streamId === 1);
  assert.equal(e.connection, 'ok');
  assert.equal(e.quality, 'poor');
});

test('participants of an older server read as connected and good', () => {
  assert.deepEqual(connectionOf(P(1, erik)), { connection: 'ok', quality: 'good' });
  assert.deepEqual(connectionOf({ connection: 'weird', quality: 'awful' }), { connection: 'ok', quality: 'good' });
  assert.deepEqual(connectionOf(null), { connection: 'ok', quality: 'good' });
  assert.deepEqual(connectionOf({ connection: 'reconnecting', quality: 'fair' }), { connection: 'reconnecting', quality: 'fair' });
});

test('leaving, removal and the end forget the token', () => {
  assert.equal(left(joined()).rejoinToken, null);
  assert.equal(applyMeetingEvent(joined(), { type: 'meeting.removed', data: { reason: 'removed' } }).rejoinToken, null);
  assert.equal(applyMeetingEvent(reconnecting(joined()), { type: 'meeting.ended', data: {} }).rejoinToken, null);
});

test('my own quality level is kept in the state; the same level is no change', () => {
  const s = joined();
  assert.equal(s.quality, 'good');
  assert.equal(withQuality(s, 'good'), s);
  assert.equal(withQuality(s, 'poor').quality, 'poor');
});
