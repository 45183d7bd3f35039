// An adaptive jitter buffer for one remote audio stream, working on decoded PCM frames
// (normally 20 ms = 960 samples at 48 kHz) placed by their 48 kHz timestamps, in the manner
// of WebRTC's NetEQ but built for TCP: a network that stalls rather than loses.
//
//  - push(frame, arrivalMs) takes a decoded frame `{seq, timestamp, pcm}` with the local
//    time it arrived (any millisecond clock, the same for every push);
//  - pull(out) fills `out` with the next samples to play (the audio worklet calls it once
//    per render quantum of 128 samples).
//
// What it does:
//  - reorders frames by timestamp (sequence numbers are only for the loss count);
//    timestamps (32-bit) and sequence numbers (16-bit) are unwrapped, so wrapping is fine;
//  - learns what delay the network needs (jitter-stats.js): RFC 3550 jitter J, the spread of
//    the frames' relative delay and the length of recent stalls (gaps > 3 frames, 90th
//    percentile over ~30 s). The target delay is the largest of frame + 4·J, frame + spread and
//    `stallCover` × stall length, within [minDelayMs, maxDelayMs]; it grows at once (and by
//    a frame for each frame that came too late) and shrinks slowly (`shrinkMsPerSecond`).
//    `stallCover` trades delay for gaps: covering whole stalls (1) would put ~0.7 s of delay
//    on a network that stalls for 0.3–0.8 s; 0.3 keeps mouth-to-ear under 400 ms there and
//    each stall becomes one short pause in the speech (nothing is lost; see jitter-sim.js);
//  - holds the delay (what is buffered plus what is being played) at the target: it follows
//    a smoothed level and, per chunk, plays normally, or time-compressed ("accelerate": quiet
//    frames are skipped first, speech is played 1.25–1.5× by WSOLA, time-stretch.js, without
//    changing its pitch) when above the target, or stretched ("expand", 0.8×, 0.75× when the
//    network has gone quiet) when below;
//  - when nothing is left (a stall), the last frame is repeated fading out (5 ms at a time,
//    so a frame that comes meanwhile plays at once) and then it is silent, but the stream's
//    timeline waits: the frames that arrive after the stall are all played (then accelerated
//    away), none is thrown away. A sender that paused (its timestamps jumped on) is followed.
//    Only a backlog beyond `hardCapMs` (2 s) is cut, oldest first, and counted as
//    `discarded` (speech frames; quiet ones go to `removedQuiet`);
//  - a frame that never arrives (a gap while later frames are there) is concealed by a
//    faded repeat of the last one (`concealed`); one that comes after its place was
//    concealed is `late`; duplicates are counted and dropped;
//  - stats(): bufferedMs, targetMs, delayMs (buffered + the rest of the chunk being played),
//    jitterMs, stallMs, stalls, received, played, lost, concealed, late, duplicates,
//    discarded, removedQuiet (quiet frames skipped to catch up; they count as played),
//    acceleratedMs, expandedMs (input ms played compressed / stretched), underruns (times it
//    ran dry while playing and then went on where it stopped: the gaps heard), underrunMs
//    (their total length), and playingTimestamp (the unwrapped 48 kHz timestamp of the
//    sample played last, or null when nothing of the stream is playing).
// Pure: no Web Audio, no timers; it runs inside the playback AudioWorklet and under node.
import { createArrivalStats, TRANSIT_RESET_MS } from './jitter-stats.js';
import { frameRms, timeStretch } from './time-stretch.js';

const TS_MOD = 0x100000000;
const SEQ_MOD = 0x10000;
/** Frames below this RMS (about −50 dBov), or 34 dB under the speaker's recent peak, are quiet. */
const QUIET_RMS = 0.003;
/** Samples of linear fade when playback resumes after concealment or silence (2 ms). */
const FADE_IN_SAMPLES = 96;
/** Longest stretch of input (frames) accelerated or expanded in one go. */
const ACCELERATE_FRAMES = 3;
const EXPAND_FRAMES = 2;
/** Samples of concealment at a time while the buffer is dry (5 ms). */
const DRY_PIECE = 240;

/** `value` (a wrapping counter modulo `mod`) unwrapped next to the extended `reference`. */
export function unwrap(value, reference, mod) {
  if (reference === null || reference === undefined) return value;
  const base = ((reference % mod) + mod) % mod;
  let delta = (value - base) % mod;
  if (delta < 0) delta += mod;
  if (delta >= mod / 2) delta -= mod;
  return reference + delta;
}

export function createJitterBuffer({
  sampleRate = 48000,
  frameSamples = 960,
  minDelayMs = 40,
  maxDelayMs = 600,
  initialDelayMs = 60,
  shrinkMsPerSecond = 10,
  stallCover = 0.3,
  hardCapMs = 2000,
  maxConcealFrames = 5,
  concealFade = 0.6,
  smoothing = 12,
  aboveMs = 40,
  belowMs = 10,
  resumeFraction = 0.5,
} = {}) {
  const msPerSample = 1000 / sampleRate;
  const frameMs = frameSamples * msPerSample;
  const clampDelay = (ms) => Math.min(maxDelayMs, Math.max(minDelayMs, ms));
  const arrivals = createArrivalStats({ frameMs });

  const queue = []; // frames ahead of the play position, sorted by extended timestamp
  let mode = 'buffering'; // or 'playing'
  let started = false; // played anything since the last long silence
  let nextTs = 0; // extended timestamp of the first input sample not yet played
  let cur = null; // the chunk being played: {pcm, length, offset, ts0, ts1, gainFrom, gainTo, fadeIn, real}
  let lastPcm = null; // the last real frame played, for concealment
  let concealed = 0; // samples concealed since the last real audio
  let dry = false; // ran out of frames while playing (a stall): the timeline waits
  let drySamples = 0;
  let highTs = null; // highest extended timestamp seen
  let highSeq = null;
  let baseSeq = null;
  let targetMs = clampDelay(initialDelayMs);
  let level = null; // smoothed delay (ms) seen at each decision
  let accelerating = false;
  let loudRms = 0; // a slow peak of the frames' level, for telling quiet frames
  let samplesOut = 0; // output samples since creation: the buffer's own clock
  let lastArrivalOut = 0; // samplesOut when the last frame arrived
  const counts = {
    received: 0, played: 0, concealed: 0, late: 0, duplicates: 0, discarded: 0, removedQuiet: 0,
    accelerated: 0, expanded: 0, underruns: 0, underrunSamples: 0,
  };

  let desired = targetMs; // what the arrival statistics ask for, updated on each arrival
  function updateDesired(now) {
    const jitter = Math.max(4 * arrivals.jitterMs, arrivals.spreadMs());
    desired = clampDelay(Math.max(frameMs + jitter, stallCover * arrivals.stallMs(now)));
    return desired;
  }

  /**
   * Input samples received and not yet played (not counting the chunk being played); a gap
   * in the middle counts (it will be concealed), one before the first frame after silence not.
   */
  function queuedSamples() {
    if (!queue.length) return 0;
    const last = queue[queue.length - 1];
    const from = !started ? queue[0].ts : dry ? Math.max(nextTs, queue[0].ts) : nextTs;
    return Math.max(0, last.ts + last.pcm.length - from);
  }

  /** What is buffered plus the rest of the chunk being played (output samples). */
  function delaySamples() {
    const rest = cur && cur.real ? cur.length - cur.offset : 0;
    return queuedSamples() + rest;
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
    arrivals.arrive(arrivalMs, ts * msPerSample);
    lastArrivalOut = samplesOut;
    const want = updateDesired(arrivalMs);
    if (want > targetMs) targetMs = want;
    if (started && ts + pcm.length <= nextTs) {
      if ((nextTs - ts) * msPerSample > TRANSIT_RESET_MS + maxDelayMs) {
        // Far behind what was played: the sender started a new timeline. Follow it.
        queue.length = 0;
        started = false;
        dry = false;
        mode = 'buffering';
        cur = null;
        level = null;
      } else {
        // Its place has been played (concealed): too late. The delay was too short for this
        // network, so wait one frame longer from now on.
        counts.late += 1;
        targetMs = clampDelay(targetMs + frameMs);
        return false;
      }
    }
    const rms = frameRms(pcm);
    loudRms = Math.max(rms, loudRms * 0.995);
    const frame = { ts, seq, pcm, quiet: rms < Math.max(QUIET_RMS, 0.02 * loudRms) };
    if (!insert(frame)) { counts.duplicates += 1; return false; }
    // A backlog beyond the hard cap: cut the oldest (and say so) until it is back at the
    // largest target.
    if (queuedSamples() * msPerSample > hardCapMs) {
      while (queue.length > 1 && queuedSamples() * msPerSample > maxDelayMs) {
        const gone = queue.shift();
        if (!gone.quiet) counts.discarded += 1; else counts.removedQuiet += 1;
        if (started) nextTs = Math.max(nextTs, queue[0].ts);
      }
    }
    return true;
  }

  /** Concealment: the last frame repeated, fading by `concealFade` a frame, then silence. */
  function startConceal(length, keepTs) {
    const gain = (at) => (at >= maxConcealFrames * frameSamples ? 0 : concealFade ** (at / frameSamples));
    const from = gain(concealed);
    const to = gain(concealed + length);
    cur = {
      pcm: lastPcm && from > 0 ? lastPcm : null, source: concealed, length, offset: 0,
      ts0: nextTs, ts1: keepTs ? nextTs : nextTs + length, gainFrom: from, gainTo: to, fadeIn: false, real: false,
    };
    concealed += length;
    if (!keepTs) nextTs += length;
  }

  function startChunk(pcm, ts0, ts1) {
    if (dry) {
      // The timeline goes on where it stopped: that silence was a stall, heard as a gap.
      counts.underruns += 1;
      counts.underrunSamples += drySamples;
    }
    cur = { pcm, source: 0, length: pcm.length, offset: 0, ts0, ts1, gainFrom: 1, gainTo: 1, fadeIn: concealed > 0, real: true };
    concealed = 0;
    dry = false;
  }

  /** The contiguous frames from the head of the queue (at most `max`, none quiet after the first). */
  function takeRun(max, stopAtQuiet) {
    const run = [queue[0]];
    while (run.length < max && run.length < queue.length) {
      const f = queue[run.length];
      const prev = run[run.length - 1];
      if (f.ts !== prev.ts + prev.pcm.length || (stopAtQuiet && f.quiet)) break;
      run.push(f);
    }
    return run;
  }

  /** Removes `run` from the queue and returns its samples from `nextTs` on. */
  function consume(run) {
    queue.splice(0, run.length);
    const skip = Math.max(0, nextTs - run[0].ts);
    const end = run[run.length - 1].ts + run[run.length - 1].pcm.length;
    const pcm = new Float32Array(end - run[0].ts - skip);
    let at = 0;
    for (let i = 0; i < run.length; i++) {
      const part = i === 0 ? run[0].pcm.subarray(skip) : run[i].pcm;
      pcm.set(part, at);
      at += part.length;
    }
    counts.played += run.length;
    lastPcm = run[run.length - 1].pcm;
    return { pcm, ts0: nextTs, ts1: end };
  }

  /** Chooses what plays from `nextTs` on. Returns false when playback stops (silence). */
  function advance() {
    for (let guard = 0; guard < 1000; guard++) {
      while (queue.length && queue[0].ts + queue[0].pcm.length <= nextTs) { queue.shift(); counts.late += 1; }
      const head = queue[0];
      if (!head) {
        // Ran dry (a stall, or the sender stopped). Repeat the last frame fading out, then
        // silence; the timeline waits for the frames still to come.
        if (!dry) { dry = true; drySamples = 0; }
        // Short pieces, so that a frame arriving meanwhile plays at once.
        if (concealed < maxConcealFrames * frameSamples) { startConceal(DRY_PIECE, true); return true; }
        mode = 'buffering';
        cur = null;
        return false;
      }
      if (head.ts > nextTs) {
        const gapMs = (head.ts - nextTs) * msPerSample;
        // The sender paused (its clock went on), or jumped: go on from the next frame.
        if (dry || gapMs > maxDelayMs) { nextTs = head.ts; dry = false; continue; }
        // A frame that never arrived: conceal it.
        counts.concealed += 1;
        startConceal(Math.min(frameSamples, head.ts - nextTs), false);
        return true;
      }
      // The head is playable: choose how, from the smoothed delay.
      const nowMs = queuedSamples() * msPerSample;
      level = level === null ? nowMs : level + (nowMs - level) / smoothing;
      const above = Math.max(aboveMs, 0.25 * targetMs);
      if (level > targetMs + above || nowMs > targetMs + 4 * above) accelerating = true;
      if (nowMs < targetMs + frameMs) accelerating = false;
      if (accelerating && queue.length > 1) {
        if (head.quiet) {
          // Skip a quiet frame whole: nothing heard is lost.
          const { ts1 } = consume([head]);
          counts.removedQuiet += 1;
          counts.accelerated += ts1 - nextTs;
          nextTs = ts1;
          level -= frameMs / smoothing;
          continue;
        }
        const chunk = consume(takeRun(ACCELERATE_FRAMES, true));
        const excess = nowMs - targetMs;
        const speed = Math.min(1.5, Math.max(1.25, 1 + excess / 1000));
        startChunk(timeStretch(chunk.pcm, speed, { sampleRate }), chunk.ts0, chunk.ts1);
        counts.accelerated += chunk.ts1 - chunk.ts0;
        nextTs = chunk.ts1;
        return true;
      }
      const quietNetwork = (samplesOut - lastArrivalOut) * msPerSample > 2 * frameMs;
      if (nowMs < targetMs && (level < targetMs - belowMs || (quietNetwork && nowMs < targetMs / 2))) {
        const chunk = consume(takeRun(EXPAND_FRAMES, false));
        const speed = quietNetwork && nowMs < targetMs / 2 ? 0.75 : 0.8;
        startChunk(timeStretch(chunk.pcm, speed, { sampleRate }), chunk.ts0, chunk.ts1);
        counts.expanded += chunk.ts1 - chunk.ts0;
        nextTs = chunk.ts1;
        return true;
      }
      const chunk = consume([head]);
      startChunk(chunk.pcm, chunk.ts0, chunk.ts1);
      nextTs = chunk.ts1;
      return true;
    }
    return false;
  }

  function ready() {
    if (!queue.length) return false;
    const buffered = queuedSamples() * msPerSample;
    // After a short stall play again as soon as a frame is there (expanding it); at the
    // start, or after a long silence, wait for the target delay.
    if (started && dry && drySamples * msPerSample < 2 * maxDelayMs) return buffered >= Math.max(Math.min(targetMs, 2 * frameMs), resumeFraction * targetMs);
    return buffered >= targetMs;
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
        if (!ready()) {
          out.fill(0, i, end);
          if (dry) drySamples += end - i;
          break;
        }
        mode = 'playing';
        if (!started) { started = true; nextTs = queue[0].ts; dry = false; }
        cur = null;
      }
      if (!cur || cur.offset >= cur.length) {
        if (!advance()) continue;
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
          out[i + k] = pcm[(cur.source + pos) % pcm.length] * g;
        }
      }
      if (dry) drySamples += n;
      cur.offset += n;
      i += n;
      produced = true;
    }
    samplesOut += count;
    // The target comes down slowly towards what the arrival statistics ask for.
    if (targetMs > desired) targetMs = Math.max(desired, targetMs - (shrinkMsPerSecond * count) / sampleRate);
    return produced;
  }

  function playingTimestamp() {
    if (mode !== 'playing' || !cur || !cur.real) return null;
    const pos = Math.max(0, cur.offset - 1) / cur.length;
    return Math.round(cur.ts0 + pos * (cur.ts1 - cur.ts0));
  }

  return {
    push,
    pull,
    get mode() { return mode; },
    get targetMs() { return targetMs; },
    get jitterMs() { return arrivals.jitterMs; },
    bufferedMs: () => queuedSamples() * msPerSample,
    delayMs: () => delaySamples() * msPerSample,
    playingTimestamp,
    stats() {
      const expected = highSeq === null ? 0 : highSeq - baseSeq + 1;
      const unique = counts.received - counts.duplicates;
      return {
        bufferedMs: Math.round(queuedSamples() * msPerSample),
        targetMs: Math.round(targetMs),
        delayMs: Math.round(delaySamples() * msPerSample),
        jitterMs: Math.round(arrivals.jitterMs * 10) / 10,
        stallMs: Math.round(arrivals.stallMs()),
        stalls: arrivals.stalls,
        received: counts.received,
        played: counts.played,
        lost: Math.max(0, expected - unique),
        concealed: counts.concealed,
        late: counts.late,
        duplicates: counts.duplicates,
        discarded: counts.discarded,
        removedQuiet: counts.removedQuiet,
        acceleratedMs: Math.round(counts.accelerated * msPerSample),
        expandedMs: Math.round(counts.expanded * msPerSample),
        underruns: counts.underruns,
        underrunMs: Math.round(counts.underrunSamples * msPerSample),
        playingTimestamp: playingTimestamp(),
      };
    },
  };
}
