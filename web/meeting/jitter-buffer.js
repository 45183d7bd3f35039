// An adaptive jitter buffer for one remote audio stream, working on decoded PCM frames
// (normally 20 ms = 960 samples at 48 kHz) placed by their 48 kHz timestamps.
//
//  - push(frame, arrivalMs) takes a decoded frame `{seq, timestamp, pcm}` with the local
//    time it arrived (any millisecond clock, the same for every push);
//  - pull(out) fills `out` with the next samples to play (the audio worklet calls it once
//    per render quantum of 128 samples).
//
// What it does:
//  - reorders frames by timestamp (sequence numbers are only for the loss count);
//    timestamps (32-bit) and sequence numbers (16-bit) are unwrapped, so wrapping is fine;
//  - measures the RFC 3550 inter-arrival jitter J (J += (|D| − J) / 16);
//  - keeps a target delay of `frame + 4·J` clamped to [minDelayMs, maxDelayMs]: it grows at
//    once when jitter rises (and by one frame for each frame that arrived too late) and
//    shrinks slowly (`shrinkMsPerSecond`) when the network is good;
//  - waits until the target delay is buffered before playing (again after an underrun);
//  - holds the delay near the target: when far above it drops a frame (preferably a quiet
//    one), when far below it inserts a quiet frame during a quiet moment;
//  - conceals a missing frame by repeating the last one, fading (×`concealFade` per frame),
//    and gives silence after `maxConcealFrames`; a stream that has stopped sending (muted,
//    left) goes back to buffering;
//  - drops frames that arrive after their time to play has passed, and duplicates;
//  - reports stats(): bufferedMs, targetMs, jitterMs, received, played, lost, concealed,
//    late, duplicates, dropped (trimmed to cut delay), stretched, underruns.
// Pure: no Web Audio, no timers; it runs inside the playback AudioWorklet and under node.

const TS_MOD = 0x100000000;
const SEQ_MOD = 0x10000;
/** Frames below this RMS (about −50 dBov) may be dropped or stretched without being heard. */
const QUIET_RMS = 0.003;
/** A jump in transit time above this is a new timeline (the sender restarted), not jitter. */
const TRANSIT_RESET_MS = 1000;
/** Samples of linear fade when playback resumes after concealment (2 ms). */
const FADE_IN_SAMPLES = 96;

/** `value` (a wrapping counter modulo `mod`) unwrapped next to the extended `reference`. */
export function unwrap(value, reference, mod) {
  if (reference === null || reference === undefined) return value;
  const base = ((reference % mod) + mod) % mod;
  let delta = (value - base) % mod;
  if (delta < 0) delta += mod;
  if (delta >= mod / 2) delta -= mod;
  return reference + delta;
}

function frameRms(pcm) {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

export function createJitterBuffer({
  sampleRate = 48000,
  frameSamples = 960,
  minDelayMs = 40,
  maxDelayMs = 400,
  initialDelayMs = 60,
  shrinkMsPerSecond = 10,
  maxConcealFrames = 5,
  concealFade = 0.6,
} = {}) {
  const msPerSample = 1000 / sampleRate;
  const frameMs = frameSamples * msPerSample;
  const clampDelay = (ms) => Math.min(maxDelayMs, Math.max(minDelayMs, ms));

  const queue = []; // frames ahead of the play position, sorted by extended timestamp
  let mode = 'buffering'; // or 'playing'
  let playTs = 0; // extended timestamp of the next sample to play
  let cur = null; // {pcm, offset, gainFrom, gainTo, fadeIn}
  let lastPcm = null; // the last real frame played, for concealment
  let concealRun = 0;
  let concealGain = 1;
  let highTs = null; // highest extended timestamp seen
  let highSeq = null;
  let baseSeq = null;
  let lastTransit = null;
  let jitterMs = 0;
  let targetMs = clampDelay(initialDelayMs);
  const counts = { received: 0, played: 0, concealed: 0, late: 0, duplicates: 0, dropped: 0, stretched: 0, underruns: 0, overflow: 0 };

  function desiredMs() {
    return clampDelay(frameMs + 4 * jitterMs);
  }

  function newestEnd() {
    const last = queue[queue.length - 1];
    if (last) return last.ts + last.pcm.length;
    return cur ? playTs + (cur.pcm.length - cur.offset) : playTs;
  }

  function bufferedSamples() {
    if (mode === 'buffering') {
      if (!queue.length) return 0;
      return newestEnd() - queue[0].ts;
    }
    return Math.max(0, newestEnd() - playTs);
  }

  function insert(frame) {
    let i = queue.length;
    while (i > 0 && queue[i - 1].ts > frame.ts) i -= 1;
    if (i > 0 && queue[i - 1].ts === frame.ts) return false;
    queue.splice(i, 0, frame);
    return true;
  }

  function push({ seq, timestamp, pcm }, arrivalMs) {
    if (!pcm || !pcm.length) return false;
    counts.received += 1;
    const ts = unwrap(Number(timestamp) >>> 0, highTs, TS_MOD);
    if (highTs === null || ts > highTs) highTs = ts;
    if (Number.isInteger(seq)) {
      const s = unwrap(seq & 0xffff, highSeq, SEQ_MOD);
      if (highSeq === null || s > highSeq) highSeq = s;
      if (baseSeq === null || s < baseSeq) baseSeq = s;
    }
    // RFC 3550 §6.4.1: D = (Rj − Ri) − (Sj − Si), J += (|D| − J) / 16.
    if (Number.isFinite(arrivalMs)) {
      const transit = arrivalMs - ts * msPerSample;
      if (lastTransit !== null) {
        const d = Math.abs(transit - lastTransit);
        if (d < TRANSIT_RESET_MS) jitterMs += (d - jitterMs) / 16;
      }
      lastTransit = transit;
    }
    const want = desiredMs();
    if (want > targetMs) targetMs = want;
    if (mode === 'playing' && ts < playTs) {
      // Its time to play has passed (it was concealed or skipped): too late. The delay was
      // too short for this network, so wait one frame longer from now on.
      counts.late += 1;
      targetMs = clampDelay(targetMs + frameMs);
      return false;
    }
    const frame = { ts, seq, pcm, quiet: frameRms(pcm) < QUIET_RMS };
    if (!insert(frame)) { counts.duplicates += 1; return false; }
    // Never hold more than twice the largest delay: a stalled player must not grow forever.
    const capacity = (2 * maxDelayMs) / msPerSample;
    while (queue.length > 1 && newestEnd() - queue[0].ts > capacity) {
      queue.shift();
      counts.overflow += 1;
      if (mode === 'playing') playTs = Math.max(playTs, queue[0].ts);
    }
    return true;
  }

  function startConceal(length) {
    concealRun += 1;
    counts.concealed += 1;
    const from = concealGain;
    const to = concealRun > maxConcealFrames ? 0 : concealFade ** concealRun;
    concealGain = to;
    cur = { pcm: lastPcm && from > 0 ? lastPcm : null, length, offset: 0, gainFrom: from, gainTo: to, fadeIn: false };
  }

  function startFrame(frame) {
    const offset = Math.max(0, playTs - frame.ts);
    cur = { pcm: frame.pcm, length: frame.pcm.length, offset, gainFrom: 1, gainTo: 1, fadeIn: concealRun > 0 };
    lastPcm = frame.pcm;
    concealRun = 0;
    concealGain = 1;
    counts.played += 1;
  }

  /** Chooses what plays from `playTs` on. Returns false when playback stops (underrun). */
  function advance() {
    // Shrink the target slowly towards what the measured jitter asks for.
    const want = desiredMs();
    if (targetMs > want) targetMs = Math.max(want, targetMs - shrinkMsPerSecond * (frameMs / 1000));
    while (queue.length && queue[0].ts + queue[0].pcm.length <= playTs) { queue.shift(); counts.late += 1; }
    const next = queue[0];
    const bufferedMs = bufferedSamples() * msPerSample;
    if (next && next.ts <= playTs) {
      // Far above the target: drop this frame (a quiet one when we can wait for it).
      const excess = bufferedMs - targetMs;
      if (queue.length > 1 && (excess > 3 * frameMs || (excess > frameMs && next.quiet))) {
        queue.shift();
        counts.dropped += 1;
        playTs = queue[0].ts;
        return advance();
      }
      // Far below the target during a quiet moment: play a little silence to gain time.
      if (bufferedMs < targetMs / 2 && lastPcm && next.quiet && concealRun === 0 && cur && !cur.stretch) {
        counts.stretched += 1;
        cur = { pcm: null, length: Math.round(frameSamples / 2), offset: 0, gainFrom: 0, gainTo: 0, fadeIn: false, stretch: true, keepTs: true };
        return true;
      }
      queue.shift();
      startFrame(next);
      return true;
    }
    if (next) {
      // A gap: the frame for now is missing (lost, or late). Conceal it, unless the gap is
      // longer than any delay we would wait: then the sender's clock jumped; follow it.
      if ((next.ts - playTs) * msPerSample > maxDelayMs) { playTs = next.ts; return advance(); }
      startConceal(Math.min(frameSamples, next.ts - playTs));
      return true;
    }
    // Nothing buffered: conceal briefly (it may be jitter), then stop and buffer again.
    if (concealRun < maxConcealFrames) { startConceal(frameSamples); return true; }
    counts.underruns += 1;
    mode = 'buffering';
    cur = null;
    lastTransit = null;
    return false;
  }

  /**
   * Writes `out.length` samples (or `count` from `start`) to `out`: the stream's audio, or
   * zeros while buffering. Returns whether any audio (not silence from buffering) came out.
   */
  function pull(out, start = 0, count = out.length - start) {
    let i = start;
    const end = start + count;
    let produced = false;
    while (i < end) {
      if (mode === 'buffering') {
        if (!queue.length || bufferedSamples() * msPerSample < targetMs) { out.fill(0, i, end); return produced; }
        mode = 'playing';
        playTs = queue[0].ts;
        cur = null;
      }
      if (!cur || cur.offset >= cur.length) {
        if (!advance()) { out.fill(0, i, end); return produced; }
      }
      const n = Math.min(end - i, cur.length - cur.offset);
      const { pcm, offset, length, gainFrom, gainTo } = cur;
      if (!pcm) out.fill(0, i, i + n);
      else {
        const steady = gainFrom === gainTo;
        for (let k = 0; k < n; k++) {
          const pos = offset + k;
          let g = steady ? gainFrom : gainFrom + (gainTo - gainFrom) * (pos / length);
          if (cur.fadeIn && pos < FADE_IN_SAMPLES) g *= pos / FADE_IN_SAMPLES;
          out[i + k] = pcm[pos % pcm.length] * g;
        }
      }
      cur.offset += n;
      if (!cur.keepTs) playTs += n;
      i += n;
      produced = true;
    }
    return produced;
  }

  return {
    push,
    pull,
    get mode() { return mode; },
    get targetMs() { return targetMs; },
    get jitterMs() { return jitterMs; },
    bufferedMs: () => bufferedSamples() * msPerSample,
    stats() {
      const expected = highSeq === null ? 0 : highSeq - baseSeq + 1;
      const unique = counts.received - counts.duplicates;
      return {
        bufferedMs: Math.round(bufferedSamples() * msPerSample),
        targetMs: Math.round(targetMs),
        jitterMs: Math.round(jitterMs * 10) / 10,
        received: counts.received,
        played: counts.played,
        lost: Math.max(0, expected - unique),
        concealed: counts.concealed,
        late: counts.late,
        duplicates: counts.duplicates,
        dropped: counts.dropped,
        stretched: counts.stretched,
        underruns: counts.underruns,
      };
    },
  };
}
