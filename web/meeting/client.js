// One meeting as this page takes part in it: the live commands (docs/protocol.md,
// "Meetings"), the state reducer (meeting-state.js) fed by the join ack and meeting.*
// events, and the audio (capture.js, playback.js) started and stopped with it. The view
// (views/meeting.js) draws `state` and calls the actions; it never touches audio itself.
//
// Audio is sent only while joined and not muted. When the live connection drops, the
// meeting is "reconnecting" (the page says "Återansluter…"; audio capture goes on, nothing
// is sent); once it is back the page joins again with the rejoin token of its last join,
// taking back the same stream (`rejoined: true`) or, if the server could not, a new one,
// and the fresh snapshot (meeting messages are not stored). While in the meeting the live
// connection is watched (socket.js `watch()`: a silent connection is probed and replaced
// at once when dead), and every 2 s the page measures how well it receives (quality.js)
// and tells the server (`meeting.quality`) when the level changes.
import { meetingTopic, LiveError } from '../lib/socket.js';
import {
  meetingState, applyJoinAck, applyMeetingEvent, joining, left, maySend, me, remoteStreams,
  reconnecting, rejoinData, inMeeting, withQuality,
} from './meeting-state.js';
import { createQualityTracker, QUALITY_INTERVAL_MS } from './quality.js';
import { checkAudioSupport } from './support.js';
import { createAudioContext } from './audio-context.js';
import { createCapture } from './capture.js';
import { createPlayback } from './playback.js';
import { applyRecordingEvent } from './recording-state.js';
import { playCue } from './cue.js';

/** An error for the view: `code` is a reason the page explains (see meeting.problem.* texts). */
export class MeetingError extends Error {
  constructor(code, cause) {
    super(code);
    this.name = 'MeetingError';
    this.code = code;
    this.cause = cause;
  }
}

const OPEN_WAIT_MS = 8000;
/** A rejoin answered `conflict` (the meeting is moving to another node): try again this soon. */
const REJOIN_RETRY_MS = 3000;

/** Resolves true once the live connection is open (at once if it is), false after `ms`. */
function waitOpen(live, ms) {
  if (live.state === 'open') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { off(); resolve(false); }, ms);
    const off = live.on('state', (s) => { if (s === 'open') { clearTimeout(timer); off(); resolve(true); } });
  });
}

export function createMeetingClient({ live, meetingId, onChange, onMicLevel, onLevels }) {
  const topic = meetingTopic(meetingId);
  let state = meetingState(meetingId);
  let ctx = null;
  let capture = null;
  let playback = null;
  let listenOnly = false;
  let wantMuted = false;
  let lastNotice = null; // {type, by} of the last change made to me by a moderator
  const cues = []; // the recording cues played ('start' | 'stop'), for the browser tests
  const offs = [];
  let releaseWatch = null; // socket.js watch() while in the meeting
  let quality = null; // quality.js tracker while in the meeting
  let qualityTimer = null;
  let rejoinTimer = null;
  let joinInFlight = false;
  const rejoins = []; // {rejoined, streamId} per rejoin, for the browser tests

  function set(next) {
    if (next === state) return;
    const before = state;
    state = next;
    syncAudio(before);
    syncWatch();
    // Everyone hears that recording started (also in the lobby), and that it stopped.
    if (state.recording && state.recording.id !== before.recording?.id) { if (playCue(ctx, 'start')) cues.push('start'); }
    else if (!state.recording && before.recording && state.recordingStop) { if (playCue(ctx, 'stop')) cues.push('stop'); }
    onChange?.(state, before);
  }

  /** Applies what an ack of a recording command says (the event with the same news may come first). */
  function applyRecording(type, data) {
    const part = { recording: state.recording, recordingStop: state.recordingStop, recordingBehind: state.recordingBehind };
    const next = applyRecordingEvent(part, { type, data });
    if (next !== part) set({ ...state, ...next });
  }

  function syncAudio(before) {
    if (capture) capture.setSending({ streamId: state.you, active: !listenOnly && maySend(state) && !wantMuted });
    if (playback) {
      const now = new Set(remoteStreams(state));
      for (const id of remoteStreams(before)) if (!now.has(id)) playback.removeStream(id);
    }
    if (['removed', 'ended', 'left'].includes(state.status)) stopAudio();
  }

  /** Watch the live connection and measure quality while the meeting is on; stop otherwise. */
  function syncWatch() {
    const on = inMeeting(state);
    if (on && !releaseWatch) releaseWatch = live.watch?.() ?? (() => {});
    if (!on && releaseWatch) { releaseWatch(); releaseWatch = null; }
    if (on && !qualityTimer) {
      quality = createQualityTracker();
      qualityTimer = setInterval(measureQuality, QUALITY_INTERVAL_MS);
    }
    if (!on && qualityTimer) { clearInterval(qualityTimer); qualityTimer = null; quality = null; }
  }

  function measureQuality() {
    if (!quality) return;
    let playbackStats = null;
    let captureStats = null;
    try { playbackStats = playback?.stats() ?? null; } catch { /* no numbers this time */ }
    try { captureStats = capture?.stats() ?? null; } catch { /* idem */ }
    const connected = live.state === 'open' && state.status === 'joined';
    const { changed, level } = quality.sample(performance.now(), { playback: playbackStats, capture: captureStats, connected });
    if (!changed) return;
    set(withQuality(state, level));
    sendQuality();
  }

  function sendQuality() {
    if (!quality || state.status !== 'joined' || live.state !== 'open') return;
    command('meeting.quality', quality.report()).catch(() => { /* an older server, or gone: nothing to do */ });
  }

  function stopAudio() {
    capture?.stop();
    playback?.stop();
    capture = null;
    playback = null;
    const c = ctx;
    ctx = null;
    c?.close?.().catch?.(() => {});
  }

  // Closing or reloading the page is leaving: the others see "left" at once instead of a
  // participant reconnecting for the server's grace period (a lost network is not a pagehide).
  if (typeof globalThis.addEventListener === 'function') {
    const onPageHide = (event) => {
      if (event?.persisted) return; // kept in the back/forward cache: may come back
      if (state.status === 'joined' || state.status === 'reconnecting' || state.status === 'lobby') command('meeting.leave').catch(() => {});
    };
    globalThis.addEventListener('pagehide', onPageHide);
    offs.push(() => globalThis.removeEventListener('pagehide', onPageHide));
  }

  offs.push(
    live.on('meeting', (msg) => {
      if (msg.meetingId !== meetingId) return;
      if (msg.type === 'meeting.participant.updated' && msg.data?.by && msg.data.participant?.streamId === state.you) {
        lastNotice = { muted: msg.data.participant.muted, handRaised: msg.data.participant.handRaised, by: msg.data.by };
        if (msg.data.participant.muted) wantMuted = true;
      }
      set(applyMeetingEvent(state, msg));
    }),
    live.onBinary((buffer) => playback?.handleFrame(buffer)),
    // The connection is down: the meeting waits for it ("Återansluter…"), nothing is sent.
    live.on('state', (s) => {
      if ((s === 'reconnecting' || s === 'connecting') && state.status === 'joined') set(reconnecting(state));
    }),
    // After a reconnect: join again, taking back our stream if the server still holds it
    // (in the lobby: knock again).
    live.on('welcome', () => {
      if (inMeeting(state) || state.status === 'lobby') sendJoin().catch(() => {});
    }),
  );

  async function sendJoin() {
    if (rejoinTimer) { clearTimeout(rejoinTimer); rejoinTimer = null; }
    // A rejoin keeps the room (and says "Återansluter…") until it is answered.
    const back = inMeeting(state);
    if (back && joinInFlight) return state;
    if (back) set(reconnecting(state));
    else set(joining(state));
    const data = { muted: back ? currentlyMuted() : wantMuted || listenOnly };
    const rejoin = back ? rejoinData(state) : null;
    if (rejoin) data.rejoin = rejoin;
    joinInFlight = true;
    try {
      const ack = await live.send('meeting.join', { topic, data });
      joinInFlight = false;
      set(applyJoinAck(state, ack));
      if (back) rejoins.push({ rejoined: ack?.rejoined === true, streamId: state.you });
      // The server starts everybody at "good": tell it what we measured.
      if (state.status === 'joined' && quality && quality.level !== 'good') sendQuality();
      return state;
    } catch (err) {
      joinInFlight = false;
      if (back && state.status === 'reconnecting' && (err?.code === 'disconnected' || err?.code === 'conflict' || err?.code === 'rate-limited')) {
        // Not given up: the next welcome joins again; a moving meeting is asked again soon.
        if (err.code !== 'disconnected') rejoinTimer = setTimeout(() => { rejoinTimer = null; if (state.status === 'reconnecting' && live.state === 'open') sendJoin().catch(() => {}); }, REJOIN_RETRY_MS);
        return state;
      }
      set(err?.code === 'meeting-ended' ? applyMeetingEvent({ ...state, status: 'joined' }, { type: 'meeting.ended', data: {} })
        : { ...state, status: 'idle' });
      throw err;
    }
  }

  function currentlyMuted() {
    return listenOnly || wantMuted || Boolean(me(state)?.muted);
  }

  async function command(type, data = {}) {
    return live.send(type, { topic, data });
  }

  return {
    get state() { return state; },
    get lastNotice() { return lastNotice; },
    get listenOnly() { return listenOnly; },
    get cuesPlayed() { return [...cues]; },

    /**
     * Joins: checks the browser, starts audio, then sends meeting.join. Call from a click
     * (the AudioContext may only start on a user gesture). Throws MeetingError with codes
     * no-webcodecs, no-opus, no-worklet, insecure, mic-denied, mic-missing, mic-failed,
     * encoder-failed, or a LiveError from the server (not-member, meeting-ended, …).
     * `listen: true` joins without a microphone (muted).
     */
    async join({ listen = false } = {}) {
      if (!live) throw new LiveError('disconnected');
      // Made synchronously inside the click, before anything is awaited.
      ctx ??= createAudioContext();
      const resumed = ctx.resume?.().catch(() => {});
      // Just after logging in (a guest from an invitation link) the connection may still be opening.
      if (!(await waitOpen(live, OPEN_WAIT_MS))) { stopAudio(); throw new LiveError('disconnected'); }
      const support = await checkAudioSupport();
      if (!support.ok) { stopAudio(); throw new MeetingError(support.reason); }
      listenOnly = listen;
      try {
        playback = createPlayback({ ctx, ownStreamId: () => state.you, onLevels });
        await playback.start();
        if (!listen) {
          capture = createCapture({
            ctx, encoderConfig: support.encoderConfig, onLevel: onMicLevel,
            send: (bytes) => live.sendBinary(bytes),
          });
          await capture.start();
        }
      } catch (err) {
        stopAudio();
        throw new MeetingError(err?.name === 'CaptureError' ? err.code : 'encoder-failed', err);
      }
      await resumed;
      try {
        await sendJoin();
      } catch (err) {
        stopAudio();
        throw err;
      }
      return state;
    },

    async leave() {
      if (rejoinTimer) { clearTimeout(rejoinTimer); rejoinTimer = null; }
      if (state.status === 'joined' || state.status === 'lobby' || state.status === 'joining' || state.status === 'reconnecting') {
        try { await command('meeting.leave'); } catch { /* gone already */ }
      }
      set(left(state));
      stopAudio();
    },

    async setMuted(muted) {
      if (listenOnly && !muted) return;
      wantMuted = muted;
      if (muted) capture?.setSending({ streamId: state.you, active: false }); // at once
      // While reconnecting the rejoin carries it (`muted`); the button follows our wish now.
      if (state.status === 'reconnecting') { onChange?.(state, state); return; }
      await command('meeting.mute', { muted });
      // The participant.updated event follows; until then our own flag decides.
      syncAudio(state);
    },
    setHand: (raised) => command('meeting.hand', { raised }),
    // Moderators
    muteOther: (streamId) => command('meeting.mute', { streamId, muted: true }),
    lowerHand: (streamId) => command('meeting.hand', { streamId, raised: false }),
    admit: (streamId) => command('meeting.admit', { streamId }),
    deny: (streamId) => command('meeting.deny', { streamId }),
    remove: (streamId) => command('meeting.remove', { streamId }),
    end: () => command('meeting.end'),
    stats: () => command('meeting.stats'),

    /** Starts recording (moderators): `{title?, kind?}`; answers the RecordingState. */
    async startRecording({ title, kind } = {}) {
      const data = {};
      if (title) data.title = title;
      if (kind) data.kind = kind;
      const ack = await command('meeting.recording.start', data);
      if (ack?.recording) applyRecording('meeting.recording', { recording: ack.recording });
      return state.recording;
    },
    /** Stops recording (moderators); answers `{recordingId, durationMs}`. */
    async stopRecording() {
      const ack = await command('meeting.recording.stop');
      if (state.recording) applyRecording('meeting.recording', { recording: null, reason: 'stopped' });
      return ack;
    },
    /** Marks a chapter now (moderators, while recording); answers `{title, offsetMs}`. */
    async markChapter(title) {
      const ack = await command('meeting.recording.chapter', { title });
      if (ack?.chapter) applyRecording('meeting.recording.chapter', { recordingId: state.recording?.id, chapter: ack.chapter });
      return ack?.chapter ?? null;
    },

    /** Whether my microphone is on (sending). */
    get sending() { return Boolean(capture?.sending); },
    get muted() { return currentlyMuted(); },
    /** My connection's measured quality: {level, metrics} (the browser tests, the statistics). */
    get quality() { return { level: state.quality, metrics: quality?.metrics ?? {} }; },
    /** Each rejoin after a reconnect: {rejoined, streamId}. */
    get rejoins() { return [...rejoins]; },

    receivedLevels: () => playback?.receivedLevels() ?? {},
    playedLevels: () => playback?.playedLevels() ?? {},
    audioStats: () => ({ capture: capture?.stats() ?? null, playback: playback?.stats() ?? null }),

    /** Leaves (if in the meeting) and releases the microphone and the listeners. */
    dispose() {
      if (state.status === 'joined' || state.status === 'reconnecting' || state.status === 'lobby') command('meeting.leave').catch(() => {});
      for (const off of offs) off();
      if (rejoinTimer) { clearTimeout(rejoinTimer); rejoinTimer = null; }
      if (releaseWatch) { releaseWatch(); releaseWatch = null; }
      if (qualityTimer) { clearInterval(qualityTimer); qualityTimer = null; }
      stopAudio();
    },
  };
}
