import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  STOP_REASONS, stopReasonKey, formatOffset, mergeChapters, normaliseRecording, recordingPart, applyRecordingEvent,
  chapterTitleError, elapsedMs, recordingHash, parseSeek, seekSeconds, audioUrl, formatBytes, searchResultUrl,
  recordingRef, attachRecording, detachRecording, pickerQuery,
} from '../meeting/recording-state.js';
import {
  meetingState, applyJoinAck, applyMeetingEvent, joining, applySnapshot,
} from '../meeting/meeting-state.js';
import { parseHash } from '../lib/router.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dicts = ['sv', 'en'].map((l) => [l, JSON.parse(readFileSync(join(webDir, `i18n/${l}.json`), 'utf8'))]);

// The examples of docs/protocol.md, "Recording (inspelning)".
const REC = {
  id: '5d0c', title: 'Veckomöte IT 26/11', kind: 'meeting', startedAt: '2026-11-26T09:00:02Z',
  startedBy: { id: '3f2c', name: 'Erik Johansson' }, chapters: [],
};
const STARTED = { type: 'meeting.recording', data: { recording: REC } };
const CHAPTER = { type: 'meeting.recording.chapter', data: { recordingId: '5d0c', chapter: { title: 'Steg 2: Logga in i Procapita', offsetMs: 42160 } } };
const DISK_FULL = { type: 'meeting.recording', data: { recording: null, reason: 'disk-full' } };
const M = '0b7e';
const JOIN_ACK = {
  state: 'joined', streamId: 3, meeting: {
    id: M, workspaceId: 'ws', title: 'Veckomöte IT', threadId: 'th', you: 3, moderator: true,
    participants: [{ streamId: 3, person: { id: '3f2c', name: 'Erik Johansson' }, muted: false, handRaised: false, moderator: true, guest: false }],
    lobby: [], speaking: [], limits: null, recording: null,
  },
};
const joined = () => applyJoinAck(joining(meetingState(M)), JOIN_ACK);

test('offsets read as m:ss, with hours when needed; junk is 0:00', () => {
  assert.equal(formatOffset(0), '0:00');
  assert.equal(formatOffset(3000), '0:03');
  assert.equal(formatOffset(42160), '0:42');
  assert.equal(formatOffset(65000), '1:05');
  assert.equal(formatOffset(3723000), '1:02:03');
  assert.equal(formatOffset(-5), '0:00');
  assert.equal(formatOffset('x'), '0:00');
});

test('every stop reason has a text in both languages; an unknown one reads as "stopped"', () => {
  for (const reason of STOP_REASONS) {
    for (const [lang, d] of dicts) assert.ok(d[stopReasonKey(reason)]?.trim(), `${lang}: ${reason}`);
  }
  assert.equal(stopReasonKey('cosmic-rays'), 'recording.stopped.stopped');
  assert.equal(dicts[0][1][stopReasonKey('disk-full')].startsWith('Inspelningen stoppades: disken är full'), true);
  assert.equal(dicts[0][1]['recording.sign'], 'Spelas in');
  assert.equal(dicts[1][1]['recording.sign'], 'Recording');
});

test('meeting.recording starts a recording; chapters arrive sorted and once; disk-full stops it with the reason', () => {
  let part = recordingPart();
  part = applyRecordingEvent(part, STARTED);
  assert.equal(part.recording.id, '5d0c');
  assert.equal(part.recording.kind, 'meeting');
  assert.equal(part.recordingStop, null);
  part = applyRecordingEvent(part, { type: 'meeting.recording.chapter', data: { recordingId: '5d0c', chapter: { title: 'Steg 3', offsetMs: 90000 } } });
  part = applyRecordingEvent(part, CHAPTER);
  const again = applyRecordingEvent(part, CHAPTER); // the ack and the event carry the same chapter
  assert.equal(again, part);
  assert.deepEqual(part.recording.chapters.map((c) => c.offsetMs), [42160, 90000]);
  part = applyRecordingEvent(part, DISK_FULL);
  assert.equal(part.recording, null);
  assert.deepEqual(part.recordingStop, { reason: 'disk-full', recordingId: '5d0c' });
  // Told twice (the stop ack, then the event): nothing changes.
  assert.equal(applyRecordingEvent(part, { type: 'meeting.recording', data: { recording: null, reason: 'stopped' } }), part);
});

test('a chapter of another recording, or while not recording, is ignored', () => {
  const idle = recordingPart();
  assert.equal(applyRecordingEvent(idle, CHAPTER), idle);
  const on = applyRecordingEvent(idle, STARTED);
  assert.equal(applyRecordingEvent(on, { ...CHAPTER, data: { ...CHAPTER.data, recordingId: 'other' } }), on);
});

test('meeting.recording.behind adds up the dropped packets of the current recording', () => {
  let part = applyRecordingEvent(recordingPart(), STARTED);
  part = applyRecordingEvent(part, { type: 'meeting.recording.behind', data: { recordingId: '5d0c', droppedPackets: 12 } });
  part = applyRecordingEvent(part, { type: 'meeting.recording.behind', data: { recordingId: '5d0c', droppedPackets: 3 } });
  assert.deepEqual(part.recordingBehind, { recordingId: '5d0c', droppedPackets: 15 });
  // A new recording starts clean.
  part = applyRecordingEvent(part, { type: 'meeting.recording', data: { recording: { ...REC, id: 'next' } } });
  assert.equal(part.recordingBehind, null);
  assert.equal(applyRecordingEvent(recordingPart(), { type: 'meeting.recording.behind', data: {} }).recordingBehind, null);
});

test('the meeting state takes the recording from the snapshot and from events', () => {
  let s = joined();
  assert.equal(s.recording, null);
  s = applyMeetingEvent(s, STARTED);
  assert.equal(s.recording.title, 'Veckomöte IT 26/11');
  s = applyMeetingEvent(s, CHAPTER);
  assert.equal(s.recording.chapters.length, 1);
  // A fresh snapshot (a rejoin) that says it is recording, with its chapters.
  s = applySnapshot(s, { ...JOIN_ACK.meeting, recording: { ...REC, chapters: [CHAPTER.data.chapter] } });
  assert.equal(s.recording.chapters[0].title, 'Steg 2: Logga in i Procapita');
  // A snapshot from a server without the field keeps what we knew.
  const { recording, ...older } = JOIN_ACK.meeting;
  assert.equal(applySnapshot(s, older).recording.id, '5d0c');
  s = applyMeetingEvent(s, DISK_FULL);
  assert.equal(s.recording, null);
  assert.equal(s.recordingStop.reason, 'disk-full');
  // Other events keep the recording part as it is.
  assert.equal(applyMeetingEvent(s, { type: 'meeting.speaking', data: { speaking: [3] } }).recordingStop.reason, 'disk-full');
});

test('a guest in the lobby is told the meeting is recorded (join ack and event)', () => {
  let s = applyJoinAck(joining(meetingState(M)), { state: 'lobby', streamId: 7, recording: REC });
  assert.equal(s.status, 'lobby');
  assert.equal(s.recording.id, '5d0c');
  s = applyJoinAck(joining(meetingState(M)), { state: 'lobby', streamId: 7, recording: null });
  assert.equal(s.recording, null);
  s = applyMeetingEvent(s, STARTED);
  assert.equal(s.recording.id, '5d0c');
  s = applyMeetingEvent(s, { type: 'meeting.recording', data: { recording: null, reason: 'stopped' } });
  assert.equal(s.recording, null);
  // Before joining, recording events are not ours.
  const idle = meetingState(M);
  assert.equal(applyMeetingEvent(idle, STARTED), idle);
  // The meeting ending clears the sign.
  const ended = applyMeetingEvent(applyMeetingEvent(joined(), STARTED), { type: 'meeting.ended', data: {} });
  assert.equal(ended.recording, null);
});

test('recording states from the wire are cleaned', () => {
  assert.equal(normaliseRecording(null), null);
  assert.equal(normaliseRecording({ title: 'no id' }), null);
  const r = normaliseRecording({ id: 7, kind: 'guide', chapters: [{ title: 'b', offsetMs: 20 }, { title: 'a', offsetMs: 10 }, { bad: 1 }] });
  assert.equal(r.id, '7');
  assert.equal(r.kind, 'guide');
  assert.deepEqual(r.chapters, [{ title: 'a', offsetMs: 10 }, { title: 'b', offsetMs: 20 }]);
  assert.equal(normaliseRecording({ id: 'x', kind: 'other' }).kind, 'meeting');
  assert.deepEqual(mergeChapters([{ title: 'a', offsetMs: 1 }], [{ title: 'a', offsetMs: 1 }, { title: 'a', offsetMs: 2 }]).length, 2);
});

test('chapter titles: required, at most 200 characters, at most 200 chapters', () => {
  assert.equal(chapterTitleError('  '), 'recording.chapter.required');
  assert.equal(chapterTitleError('Steg 2'), null);
  assert.equal(chapterTitleError('å'.repeat(200)), null);
  assert.equal(chapterTitleError('å'.repeat(201)), 'recording.chapter.tooLong');
  const full = { chapters: Array.from({ length: 200 }, (_, i) => ({ title: String(i), offsetMs: i })) };
  assert.equal(chapterTitleError('en till', full), 'recording.chapter.tooMany');
  for (const [lang, d] of dicts) for (const k of ['required', 'tooLong', 'tooMany']) assert.ok(d[`recording.chapter.${k}`], `${lang} ${k}`);
});

test('elapsed time since the start, never negative', () => {
  assert.equal(elapsedMs('2026-11-26T09:00:02Z', Date.parse('2026-11-26T09:01:07Z')), 65000);
  assert.equal(elapsedMs('2026-11-26T09:00:02Z', Date.parse('2026-11-26T09:00:00Z')), 0);
  assert.equal(elapsedMs(null, 5), 0);
});

test('recording pages: hash with ?t=, parsed back by the router, seek within the duration', () => {
  assert.equal(recordingHash('5d0c'), '#/recordings/5d0c');
  assert.equal(recordingHash('5d0c', 42160), '#/recordings/5d0c?t=42160');
  assert.equal(recordingHash('5d0c', 0), '#/recordings/5d0c?t=0');
  const route = parseHash(recordingHash('5d0c', 42160));
  assert.equal(route.name, 'recording');
  assert.equal(route.params.id, '5d0c');
  assert.equal(parseSeek(route.query.t), 42160);
  assert.equal(parseSeek(undefined), null);
  assert.equal(parseSeek('-3'), null);
  assert.equal(parseSeek('abc'), null);
  assert.equal(seekSeconds(42160), 42.16);
  assert.equal(seekSeconds(42160, 30), 30);
  assert.equal(seekSeconds(42160, NaN), 42.16);
  assert.equal(seekSeconds(-1), 0);
  assert.equal(parseHash('#/knowledge/record?workspace=ws').name, 'guideRecorder');
  assert.equal(parseHash('#/knowledge/abc').name, 'article');
});

test('audio URLs: the API\'s audioUrl, or built from the id; ?download=1 to save', () => {
  assert.equal(audioUrl({ id: 'a b' }), '/api/v1/recordings/a%20b/audio');
  assert.equal(audioUrl({ recordingId: 'r1' }), '/api/v1/recordings/r1/audio');
  assert.equal(audioUrl({ id: 'x', audioUrl: '/api/v1/recordings/x/audio' }, { download: true }), '/api/v1/recordings/x/audio?download=1');
});

test('sizes in kB/MB in the reader\'s language', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1234567, 'sv'), '1,2 MB');
  assert.equal(formatBytes(1234567, 'en'), '1.2 MB');
  assert.equal(formatBytes(undefined), '');
});

test('search results of recordings and chapters link to the recording page (at the chapter)', () => {
  assert.equal(searchResultUrl({ kind: 'recording', id: 'r1', url: '#/' }), '#/recordings/r1');
  assert.equal(searchResultUrl({ kind: 'recording', id: 'x', recordingId: 'r1' }), '#/recordings/r1');
  assert.equal(searchResultUrl({ kind: 'chapter', id: 'c9', recordingId: 'r1', offsetMs: 42160 }), '#/recordings/r1?t=42160');
  assert.equal(searchResultUrl({ kind: 'chapter', id: 'c9', url: '#/recordings/r1?t=5' }), '#/recordings/r1?t=5');
  assert.equal(searchResultUrl({ kind: 'article', id: 'a', url: '#/knowledge/a' }), '#/knowledge/a');
  for (const [lang, d] of dicts) for (const k of ['recording', 'chapter']) assert.ok(d[`search.kind.${k}`], `${lang} ${k}`);
  assert.equal(dicts[0][1]['search.kind.recording'], 'Inspelning');
  assert.equal(dicts[0][1]['search.kind.chapter'], 'Kapitel');
});

test('attaching a recording to an article copies its chapters; again replaces it in place; removing drops it', () => {
  const api = { id: 'r1', title: 'Logga in', chapters: [{ title: 'Steg 2', offsetMs: 3000 }, { title: 'Steg 1', offsetMs: 0 }], audioUrl: '/x' };
  assert.deepEqual(recordingRef(api), { recordingId: 'r1', title: 'Logga in', chapters: [{ title: 'Steg 1', offsetMs: 0 }, { title: 'Steg 2', offsetMs: 3000 }] });
  let list = attachRecording([], api);
  list = attachRecording(list, { id: 'r2', title: 'Skriva ut', chapters: [] });
  list = attachRecording(list, { ...api, title: 'Logga in (ny)' });
  assert.deepEqual(list.map((r) => r.title), ['Logga in (ny)', 'Skriva ut']);
  assert.deepEqual(detachRecording(list, 'r1').map((r) => r.recordingId), ['r2']);
  // An article's own reference attaches as it is.
  assert.equal(attachRecording([], list[1])[0].recordingId, 'r2');
});

test('the editor\'s picker lists the article\'s workspace, or everything readable', () => {
  assert.deepEqual(pickerQuery('ws1'), { workspaceId: 'ws1', limit: 100 });
  assert.deepEqual(pickerQuery(null), { limit: 100 });
  assert.deepEqual(pickerQuery(''), { limit: 100 });
});
