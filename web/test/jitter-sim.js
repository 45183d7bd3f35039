// Simulated networks for the jitter buffer tests (jitter-buffer.test.js) and for the figures
// in the issue 17 notes: `node web/test/jitter-sim.js` prints them per profile.
// A sender makes a 20 ms frame every 20 ms (speech-like: voiced talk spurts with pauses);
// each frame crosses one or more TCP-like hops (in order: a frame never overtakes the one
// before it) with a delay ± uniform jitter and, optionally, stalls (nothing delivered for
// 300–800 ms every 4–8 s, then everything at once); the player pulls 128 samples at a time.
import { createJitterBuffer } from '../meeting/jitter-buffer.js';

const RATE = 48000;
const FRAME = 960;
const QUANTUM = 128;
const MS_PER_QUANTUM = (QUANTUM / RATE) * 1000;

/** A seeded random generator (mulberry32): numbers in [0, 1). */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Speech-like PCM frames: talk spurts of 0.8–3 s (a voice at 100–220 Hz) and 0.2–1 s pauses. */
export function speech(frames, random) {
  const out = [];
  let phase = 0;
  while (out.length < frames) {
    const talk = Math.round((800 + random() * 2200) / 20);
    const f0 = 100 + random() * 120;
    for (let i = 0; i < talk && out.length < frames; i++) {
      const pcm = new Float32Array(FRAME);
      const env = 0.1 + 0.15 * Math.sin((Math.PI * (i + 0.5)) / talk);
      const f = f0 * (1 + 0.05 * Math.sin(i / 7));
      for (let n = 0; n < FRAME; n++) {
        phase += (2 * Math.PI * f) / RATE;
        pcm[n] = env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
      }
      out.push({ pcm, speech: true });
    }
    const pause = Math.round((200 + random() * 800) / 20);
    for (let i = 0; i < pause && out.length < frames; i++) {
      const pcm = new Float32Array(FRAME);
      for (let n = 0; n < FRAME; n++) pcm[n] = (random() - 0.5) * 0.001;
      out.push({ pcm, speech: false });
    }
  }
  return out;
}

/**
 * Arrival times (ms) of `frames` frames sent every 20 ms through `hops` hops of
 * {delayMs, jitterMs, stall: {minMs, maxMs, everyMinMs, everyMaxMs}?}. Returns
 * {arrivals, stallEnds}.
 */
export function network(frames, hops, random) {
  let times = Array.from({ length: frames }, (_, k) => k * 20);
  const stallEnds = [];
  for (const hop of hops) {
    const stalls = [];
    if (hop.stall) {
      let t = hop.stall.everyMinMs + random() * (hop.stall.everyMaxMs - hop.stall.everyMinMs);
      while (t < frames * 20 + 5000) {
        const len = hop.stall.minMs + random() * (hop.stall.maxMs - hop.stall.minMs);
        stalls.push([t, t + len]);
        t += len + hop.stall.everyMinMs + random() * (hop.stall.everyMaxMs - hop.stall.everyMinMs);
      }
    }
    let prev = -Infinity;
    let s = 0;
    times = times.map((sent) => {
      let at = Math.max(prev, sent + hop.delayMs + (2 * random() - 1) * hop.jitterMs);
      while (s < stalls.length && stalls[s][1] <= at) s += 1;
      if (s < stalls.length && stalls[s][0] <= at) at = stalls[s][1];
      prev = at;
      return at;
    });
    stallEnds.push(...stalls.map(([, end]) => end + hop.delayMs));
  }
  return { arrivals: times, stallEnds: stallEnds.sort((a, b) => a - b) };
}

export const PROFILES = {
  clean: { hops: [{ delayMs: 0, jitterMs: 0 }] },
  '4g': { hops: [{ delayMs: 40, jitterMs: 20 }, { delayMs: 40, jitterMs: 20 }] },
  'bad-mobile': {
    hops: [
      { delayMs: 80, jitterMs: 60, stall: { minMs: 300, maxMs: 800, everyMinMs: 4000, everyMaxMs: 8000 } },
      { delayMs: 80, jitterMs: 60, stall: { minMs: 300, maxMs: 800, everyMinMs: 4000, everyMaxMs: 8000 } },
    ],
  },
  'bad-mobile-1hop': {
    hops: [{ delayMs: 80, jitterMs: 60, stall: { minMs: 300, maxMs: 800, everyMinMs: 4000, everyMaxMs: 8000 } }],
  },
};

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);

/** Runs a profile for `seconds` and measures what a listener would notice. */
export function run(profile, { seconds = 60, seed = 1, options = {} } = {}) {
  const random = seeded(seed);
  const frames = Math.round((seconds * 1000) / 20);
  const source = speech(frames, random);
  const { arrivals, stallEnds } = network(frames, (PROFILES[profile] ?? profile).hops, random);
  const order = arrivals.map((at, k) => ({ at, k })).sort((a, b) => a.at - b.at || a.k - b.k);
  const jb = createJitterBuffer(options);
  const out = new Float32Array(QUANTUM);
  const end = arrivals[arrivals.length - 1] + 2000;
  let next = 0;
  let delaySum = 0;
  let targetSum = 0;
  let n = 0;
  const mouthToEar = [];
  const recoveries = []; // ms from the delay going above 1.5 × target until it is back under
  let highSince = null;
  let maxDelay = 0;
  for (let q = 0; q * MS_PER_QUANTUM < end; q++) {
    const now = q * MS_PER_QUANTUM;
    while (next < order.length && order[next].at <= now) {
      const { k } = order[next++];
      jb.push({ seq: k & 0xffff, timestamp: k * FRAME, pcm: source[k].pcm }, now);
    }
    jb.pull(out);
    const st = jb.stats();
    const started = now > 1000 && next < order.length;
    if (started) {
      delaySum += st.delayMs;
      targetSum += st.targetMs;
      n += 1;
      maxDelay = Math.max(maxDelay, st.delayMs);
    }
    if (st.playingTimestamp !== null && started) mouthToEar.push(now - (st.playingTimestamp / RATE) * 1000);
    if (started) {
      const high = st.delayMs > 1.5 * st.targetMs;
      if (high && highSince === null) highSince = now;
      if (!high && highSince !== null) { recoveries.push(now - highSince); highSince = null; }
    }
  }
  const st = jb.stats();
  const m2e = mouthToEar.sort((a, b) => a - b);
  const speechFrames = source.filter((f) => f.speech).length;
  return {
    profile: typeof profile === 'string' ? profile : 'custom',
    stats: st,
    frames,
    speechFrames,
    avgDelayMs: delaySum / n,
    avgTargetMs: targetSum / n,
    maxDelayMs: maxDelay,
    playedPct: (100 * st.played) / frames,
    underrunsPerMinute: st.underruns / (seconds / 60),
    mouthToEarMedianMs: percentile(m2e, 0.5),
    mouthToEarP95Ms: percentile(m2e, 0.95),
    stallRecoveryMs: recoveries,
    stallsSent: stallEnds.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.env.SIM_SECONDS ?? 120);
  const options = JSON.parse(process.env.SIM_OPTIONS ?? '{}');
  const only = process.env.SIM_PROFILES?.split(',') ?? Object.keys(PROFILES);
  for (const profile of only) {
    for (const seed of [1, 2, 3]) {
      const r = run(profile, { seconds, seed, options });
      const rec = r.stallRecoveryMs;
      console.log(`${profile} seed ${seed}: delay avg ${r.avgDelayMs.toFixed(0)} / target ${r.avgTargetMs.toFixed(0)} ms (max ${r.maxDelayMs.toFixed(0)}),`
        + ` mouth-to-ear median ${r.mouthToEarMedianMs.toFixed(0)} p95 ${r.mouthToEarP95Ms.toFixed(0)} ms,`
        + ` played ${r.playedPct.toFixed(2)} %, discarded ${r.stats.discarded}, concealed ${r.stats.concealed}, late ${r.stats.late},`
        + ` gaps ${r.underrunsPerMinute.toFixed(1)}/min (${r.stats.underrunMs} ms),`
        + ` accelerated ${r.stats.acceleratedMs} ms, expanded ${r.stats.expandedMs} ms, quiet skipped ${r.stats.removedQuiet},`
        + (rec.length ? ` above 1.5×target ${rec.length} times, back within max ${Math.max(...rec).toFixed(0)} ms (${rec.filter((x) => x > 2000).length} over 2 s)` : ''));
    }
  }
}
