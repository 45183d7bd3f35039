// How good is my own connection, as I receive the meeting? Every ~2 s the meeting client
// reads the playback statistics (per remote stream, cumulative counters from the jitter
// buffer: received, played, concealed, late, stalls/underruns, and the current delayMs) and
// the capture's counters (frames not sent because the connection was backed up), and this
// module turns them into a level, "good" | "fair" | "poor", with hysteresis so it does not
// flap. The level goes to the server (`meeting.quality`) when it changes and is shown to the
// person while it is poor. Pure: no DOM, no timers; `node --test` drives it.
//
// Every field may be missing (an older jitter buffer, a stream that just started): what is
// missing counts as nothing measured, never as bad.

export const QUALITY_INTERVAL_MS = 2000;
/** Rates (stalls per minute, percentages) are taken over this much recent time. */
export const QUALITY_WINDOW_MS = 30_000;
export const THRESHOLDS = {
  poor: { delayMs: 400, stallsPerMinute: 4, concealedPercent: 5, sendDropPercent: 5 },
  fair: { delayMs: 250, stallsPerMinute: 1, concealedPercent: 1, sendDropPercent: 1 },
};
/** Samples in a row needed to move to a worse level, and to a better one (one step at a time). */
export const WORSEN_AFTER = 2;
export const IMPROVE_AFTER = 5;

const LEVELS = ['good', 'fair', 'poor'];
const rank = (level) => Math.max(0, LEVELS.indexOf(level));

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Growth of a cumulative counter; a counter that went back (a new buffer) counts from 0. */
function delta(now, before) {
  const a = num(now);
  if (a === null) return 0;
  const b = num(before);
  return b === null || a < b ? (b === null ? 0 : a) : a - b;
}

/** The level that a set of measurements calls for, without hysteresis. */
export function levelOf(m, thresholds = THRESHOLDS) {
  for (const level of ['poor', 'fair']) {
    const t = thresholds[level];
    if ((m.delayMs ?? 0) > t.delayMs) return level;
    if ((m.stallsPerMinute ?? 0) >= t.stallsPerMinute) return level;
    if ((m.concealedPercent ?? 0) > t.concealedPercent) return level;
    if ((m.sendDropPercent ?? 0) > t.sendDropPercent) return level;
  }
  return 'good';
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};

/**
 * Keeps the recent samples and the level. `sample(at, {playback, capture, connected})`:
 * `playback` is playback.stats() (`{streams: {id: {...}}}`), `capture` capture.stats()
 * (`{sent, dropped}`) or null, `connected` whether the live connection is open. Returns
 * `{level, changed, metrics}`; `metrics` is what `meeting.quality` reports.
 */
export function createQualityTracker({
  windowMs = QUALITY_WINDOW_MS, worsenAfter = WORSEN_AFTER, improveAfter = IMPROVE_AFTER, thresholds = THRESHOLDS,
} = {}) {
  let level = 'good';
  let prevStreams = {}; // id → the stats of the previous sample
  let prevActive = new Set();
  let prevCapture = null;
  let samples = []; // {at, stalls, late, received, played, concealed, delayMs, sent, dropped}
  let worse = 0;
  let better = 0;
  let metrics = {};

  function reading(at, playback, capture) {
    const streams = playback && typeof playback.streams === 'object' && playback.streams ? playback.streams : {};
    const active = new Set();
    const s = { at, stalls: 0, late: 0, received: 0, played: 0, concealed: 0, delayMs: null, sent: 0, dropped: 0 };
    for (const [id, now] of Object.entries(streams)) {
      if (!now || typeof now !== 'object') continue;
      const before = prevStreams[id] ?? {};
      const received = delta(now.received ?? now.decoded, before.received ?? before.decoded);
      if (received <= 0) continue; // silent (muted, gone): nothing to judge
      active.add(id);
      s.received += received;
      s.played += delta(now.played, before.played);
      s.concealed += delta(now.concealed, before.concealed);
      s.late += delta(now.late, before.late);
      // A stall of the network shows in every stream at once: the worst stream counts, and
      // only a stream that was already flowing (a gap after unmuting is not a stall).
      if (prevActive.has(id)) {
        const stalls = num(now.stalls) !== null ? delta(now.stalls, before.stalls) : delta(now.underruns, before.underruns);
        s.stalls = Math.max(s.stalls, stalls);
      }
      const d = num(now.delayMs) ?? num(now.bufferedMs);
      if (d !== null) s.delayMs = Math.max(s.delayMs ?? 0, d);
    }
    prevStreams = { ...streams };
    prevActive = active;
    if (capture && typeof capture === 'object') {
      s.sent = delta(capture.sent, prevCapture?.sent);
      s.dropped = delta(capture.dropped, prevCapture?.dropped);
      prevCapture = { sent: capture.sent, dropped: capture.dropped };
    }
    return s;
  }

  function summarise(at) {
    const sum = (k) => samples.reduce((n, s) => n + s[k], 0);
    const covered = samples.length ? at - samples[0].at + QUALITY_INTERVAL_MS : 0;
    const minutes = Math.max(covered, windowMs) / 60_000;
    const received = sum('received');
    const playedAll = sum('played') + sum('concealed');
    const sentAll = sum('sent') + sum('dropped');
    const delays = samples.slice(-3).map((s) => s.delayMs).filter((d) => d !== null);
    const out = {
      stallsPerMinute: Math.round((sum('stalls') / minutes) * 10) / 10,
      lateFramePercent: received ? Math.round((sum('late') / received) * 1000) / 10 : 0,
      concealedPercent: playedAll ? Math.round((sum('concealed') / playedAll) * 1000) / 10 : 0,
      sendDropPercent: sentAll ? Math.round((sum('dropped') / sentAll) * 1000) / 10 : 0,
    };
    if (delays.length) out.delayMs = Math.round(median(delays));
    return out;
  }

  return {
    get level() { return level; },
    get metrics() { return metrics; },

    sample(at, { playback = null, capture = null, connected = true } = {}) {
      const s = reading(at, playback, capture);
      // While the connection is down there is nothing to measure (the page says
      // "Återansluter…" instead); the counters are still taken so deltas stay right.
      if (!connected) { worse = 0; better = 0; return { level, changed: false, metrics }; }
      samples.push(s);
      samples = samples.filter((x) => at - x.at < windowMs);
      metrics = summarise(at);
      const want = levelOf(metrics, thresholds);
      let next = level;
      if (rank(want) > rank(level)) {
        better = 0;
        worse += 1;
        if (worse >= worsenAfter) { next = want; worse = 0; }
      } else if (rank(want) < rank(level)) {
        worse = 0;
        better += 1;
        if (better >= improveAfter) { next = LEVELS[rank(level) - 1]; better = 0; }
      } else {
        worse = 0;
        better = 0;
      }
      const changed = next !== level;
      level = next;
      return { level, changed, metrics };
    },

    /** What `meeting.quality` carries. */
    report() {
      const data = { quality: level };
      if (metrics.delayMs !== undefined) data.delayMs = metrics.delayMs;
      data.stallsPerMinute = metrics.stallsPerMinute ?? 0;
      data.lateFramePercent = metrics.lateFramePercent ?? 0;
      return data;
    },
  };
}
