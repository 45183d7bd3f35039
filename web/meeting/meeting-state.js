// Pure reducers for meetings (docs/protocol.md, "Meetings"): one meeting as the page sees
// it while in it (the join ack's snapshot plus meeting.* events), and a workspace's list of
// meetings kept current by `meeting.roster` events. No DOM, no network: (state, input) →
// new state, so `node --test` checks every event. The recording part (recording,
// recordingStop, recordingBehind) follows recording-state.js.
import { recordingPart, normaliseRecording, applyRecordingEvent } from './recording-state.js';

/**
 * Before joining. `status`: idle | joining | lobby | joined | reconnecting | left | removed |
 * ended. `reconnecting`: joined, but the live connection is down (or the rejoin after it is
 * under way); the participants are kept and nothing is sent. `rejoinToken`: from the join
 * ack / meeting.admitted, to take the same stream back after a reconnect. `quality`: my own
 * connection's level as this page measures it (quality.js).
 */
export function meetingState(meetingId = null) {
  return {
    status: 'idle',
    meetingId,
    title: '',
    workspaceId: null,
    threadId: null,
    you: null,
    moderator: false,
    participants: {}, // streamId → Participant
    lobby: [],
    speaking: [],
    limits: null,
    endedBy: null,
    removed: null, // {reason, by}
    rejoinToken: null,
    rejoined: null, // the last join ack's `rejoined` (true | false), null before any rejoin
    quality: 'good',
    ...recordingPart(),
  };
}

const RECORDING_EVENTS = new Set(['meeting.recording', 'meeting.recording.chapter', 'meeting.recording.behind']);

function withRecording(state, part) {
  if (part.recording === state.recording && part.recordingStop === state.recordingStop && part.recordingBehind === state.recordingBehind) return state;
  return { ...state, ...part };
}

function byStream(list) {
  const out = {};
  for (const p of list ?? []) if (Number.isInteger(p?.streamId)) out[p.streamId] = p;
  return out;
}

/** The meeting from a MeetingSnapshot (join ack or meeting.admitted): joined. */
export function applySnapshot(state, snapshot) {
  if (!snapshot) return state;
  return {
    ...state,
    status: 'joined',
    meetingId: snapshot.id ?? state.meetingId,
    title: snapshot.title ?? state.title,
    workspaceId: snapshot.workspaceId ?? state.workspaceId,
    threadId: snapshot.threadId ?? state.threadId,
    you: Number.isInteger(snapshot.you) ? snapshot.you : state.you,
    moderator: Boolean(snapshot.moderator),
    participants: byStream(snapshot.participants),
    lobby: [...(snapshot.lobby ?? [])],
    speaking: [...(snapshot.speaking ?? [])],
    limits: snapshot.limits ?? state.limits,
    endedBy: null,
    removed: null,
    // A snapshot without the field (an older server) leaves what we knew.
    recording: 'recording' in snapshot ? normaliseRecording(snapshot.recording) : state.recording,
    recordingStop: 'recording' in snapshot && snapshot.recording ? null : state.recordingStop,
    recordingBehind: null,
  };
}

const token = (t) => (typeof t === 'string' && t ? t : null);

/**
 * The `meeting.join` ack: `{state: "joined", streamId, meeting, rejoinToken?, rejoined?}` or
 * `{state: "lobby", streamId}`. A rejoin answered `rejoined: false` is an ordinary join: a new
 * stream id, taken from the ack.
 */
export function applyJoinAck(state, ack) {
  if (ack?.state === 'joined') {
    const next = applySnapshot({ ...state, you: ack.streamId ?? state.you }, { you: ack.streamId, ...ack.meeting });
    return { ...next, rejoinToken: token(ack.rejoinToken), rejoined: typeof ack.rejoined === 'boolean' ? ack.rejoined : null };
  }
  if (ack?.state === 'lobby') {
    return { ...meetingState(state.meetingId), title: state.title, workspaceId: state.workspaceId, threadId: state.threadId,
      status: 'lobby', you: Number.isInteger(ack.streamId) ? ack.streamId : null,
      recording: normaliseRecording(ack.recording) };
  }
  return state;
}

/** Marks a join in progress, or this page's own leaving. */
export const joining = (state) => ({ ...state, status: 'joining', endedBy: null, removed: null });
export const left = (state) => ({ ...state, status: 'left', participants: {}, lobby: [], speaking: [], rejoinToken: null });

/** The live connection went down while joined: the meeting waits for it (nobody speaks meanwhile). */
export function reconnecting(state) {
  if (state.status !== 'joined') return state;
  return { ...state, status: 'reconnecting', speaking: [] };
}

/** The `rejoin` part of a `meeting.join` after a reconnect, or null (nothing to take back). */
export function rejoinData(state) {
  if (!Number.isInteger(state.you) || !state.rejoinToken) return null;
  return { streamId: state.you, token: state.rejoinToken };
}

/** Whether the meeting is on for this page: joined, or waiting for its connection to come back. */
export const inMeeting = (state) => state.status === 'joined' || state.status === 'reconnecting';

/** My own connection's quality (quality.js) changed. */
export const withQuality = (state, quality) => (state.quality === quality ? state : { ...state, quality });

/** A participant's connection state and quality, with the defaults of an older server. */
export function connectionOf(p) {
  return {
    connection: p?.connection === 'reconnecting' ? 'reconnecting' : 'ok',
    quality: p?.quality === 'poor' || p?.quality === 'fair' ? p.quality : 'good',
  };
}

/** Applies one meeting event `{type, data}` (topic meeting:<id>). */
export function applyMeetingEvent(state, { type, data } = {}) {
  if (RECORDING_EVENTS.has(type)) {
    if (state.status !== 'joined' && state.status !== 'lobby') return state;
    const part = { recording: state.recording, recordingStop: state.recordingStop, recordingBehind: state.recordingBehind };
    return withRecording(state, applyRecordingEvent(part, { type, data }));
  }
  switch (type) {
    case 'meeting.participant.joined':
    case 'meeting.participant.updated': {
      const p = data?.participant;
      if (!Number.isInteger(p?.streamId) || !inMeeting(state)) return state;
      // A participant who was admitted leaves the lobby list.
      const lobby = state.lobby.filter((e) => e.streamId !== p.streamId);
      return { ...state, lobby, participants: { ...state.participants, [p.streamId]: p } };
    }
    case 'meeting.participant.left': {
      const id = data?.streamId;
      if (!(id in state.participants)) return state;
      const participants = { ...state.participants };
      delete participants[id];
      return { ...state, participants, speaking: state.speaking.filter((s) => s !== id) };
    }
    case 'meeting.lobby':
      return { ...state, lobby: [...(data?.lobby ?? [])] };
    case 'meeting.speaking':
      return { ...state, speaking: [...(data?.speaking ?? [])].filter(Number.isInteger) };
    case 'meeting.admitted':
      return { ...applySnapshot({ ...state, you: data?.streamId ?? state.you }, { you: data?.streamId, ...data?.meeting }),
        rejoinToken: token(data?.rejoinToken) };
    case 'meeting.removed':
      return { ...state, status: 'removed', removed: { reason: data?.reason ?? 'removed', by: data?.by ?? null },
        participants: {}, lobby: [], speaking: [], rejoinToken: null };
    case 'meeting.ended':
      return { ...state, status: 'ended', endedBy: data?.by ?? null, participants: {}, lobby: [], speaking: [],
        recording: null, recordingBehind: null, rejoinToken: null };
    default:
      return state;
  }
}

/** Your own participant entry, or null. */
export function me(state) {
  return state.you !== null ? state.participants[state.you] ?? null : null;
}

/** Whether this page may send audio now: joined, in the list and not muted. */
export function maySend(state) {
  const self = me(state);
  return state.status === 'joined' && Boolean(self) && !self.muted;
}

/**
 * The participants for the list: yourself first, then by name (Swedish collation), each
 * with `you` and `speaking` flags.
 */
export function participantList(state, locale = 'sv') {
  const speaking = new Set(state.speaking);
  return Object.values(state.participants)
    .map((p) => ({ ...p, ...connectionOf(p), you: p.streamId === state.you, speaking: speaking.has(p.streamId) }))
    .sort((a, b) => (b.you - a.you) || String(a.person?.name ?? '').localeCompare(String(b.person?.name ?? ''), locale)
      || a.streamId - b.streamId);
}

/** Stream ids of the others (whose audio we play). */
export function remoteStreams(state) {
  return Object.keys(state.participants).map(Number).filter((id) => id !== state.you);
}

// ------------------------------------------------------------------ a workspace's meetings

/** From `GET /workspaces/{id}/meetings` items. */
export function meetingListState(items = []) {
  const byId = {};
  for (const m of items) if (m?.id) byId[m.id] = { ...m, participants: [...(m.participants ?? [])] };
  return { byId };
}

/** Adds or replaces one meeting (e.g. the one just created). */
export function upsertMeeting(state, meeting) {
  if (!meeting?.id) return state;
  return { byId: { ...state.byId, [meeting.id]: { ...state.byId[meeting.id], ...meeting } } };
}

/** Applies a `meeting.roster` event: who is in the meeting now, and its state. */
export function applyRoster(state, data) {
  if (!data?.meetingId) return state;
  const before = state.byId[data.meetingId] ?? { id: data.meetingId, title: data.title ?? '' };
  const next = {
    ...before,
    title: data.title ?? before.title,
    state: data.state ?? before.state ?? 'live',
    scheduledFor: data.scheduledFor ?? before.scheduledFor,
    participants: data.state === 'ended' ? [] : [...(data.participants ?? [])],
  };
  return { byId: { ...state.byId, [data.meetingId]: next } };
}

/**
 * Meetings to show: live ones first (by title), then scheduled ones by time (those without
 * a time last); ended ones are left out.
 */
export function visibleMeetings(state, locale = 'sv') {
  const rank = (m) => (m.state === 'live' ? 0 : 1);
  return Object.values(state.byId)
    .filter((m) => m.state !== 'ended')
    .sort((a, b) => rank(a) - rank(b)
      || String(a.scheduledFor ?? '\uffff').localeCompare(String(b.scheduledFor ?? '\uffff'))
      || String(a.title ?? '').localeCompare(String(b.title ?? ''), locale));
}
