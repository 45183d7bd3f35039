import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJitterBuffer, unwrap } from '../meeting/jitter-buffer.js';

const FRAME = 960;
const QUANTUM = 128;
const MS_PER_QUANTUM = (QUANTUM / 48000) * 1000;

/** Frame k: constant value that names it (never quiet), so the output shows what played. */
const valueOf = (k) => 0.01 * ((k % 90) + 5);
const pcmOf = (k) => new Float32Array(FRAME).fill(valueOf(k));

/**
 * Runs a buffer in simulated time: `packets` are {k, arriveMs} (frame k is sent at 20·k ms
 * with sequence seq0+k and timestamp ts0+960·k); the player pulls 128 samples per quantum.
 * Returns {jb, out (Float32Array), values: the distinct values in output order}.
 */
function simulate(packets, durationMs, { seq0 = 0, ts0 = 0, options = {}, onQuantum } = {}) {
  const jb = createJitterBuffer(options);
  const pending = [...packets].sort((a, b) => a.arriveMs - b.arriveMs);
  const quanta = Math.ceil(durationMs / MS_PER_QUANTUM);
  const out = new Float32Array(quanta * QUANTUM);
  for (let q = 0; q < quanta; q++) {
    const now = q * MS_PER_QUANTUM;
    while (pending.length && pending[0].arriveMs <= now) {
      const p = pending.shift();
      jb.push({ seq: (seq0 + p.k) % 65536, timestamp: (ts0 + p.k * FRAME) % 2 ** 32, pcm: pcmOf(p.k) }, p.arriveMs);
    }
    jb.pull(out.subarray(q * QUANTUM, (q + 1) * QUANTUM));
    onQuantum?.(jb, now);
  }
  return { jb, out, values: runs(out) };
}

/** The output as runs of equal samples: [[value, length], …]. */
function runs(out) {
  const result = [];
  for (const v of out) {
    const last = result[result.length - 1];
    if (last && Math.abs(last[0] - v) < 1e-6) last[1] += 1; else result.push([v, 1]);
  }
  return result;
}

const steady = (n, delayMs = 5) => Array.from({ length: n }, (_, k) => ({ k, arriveMs: k * 20 + delayMs }));
/** The frames that played (runs of one frame's value; concealment fades are not frames). */
const framesPlayed = (values) => values
  .filter(([v, len]) => v !== 0 && len >= 100 && Math.abs(v * 100 - Math.round(v * 100)) < 1e-4)
  .map(([v, len]) => [Math.round(v * 100 - 5), len]);

test('unwrap follows 16- and 32-bit counters across the wrap in both directions', () => {
  assert.equal(unwrap(0, 65535, 65536), 65536);
  assert.equal(unwrap(65535, 65536, 65536), 65535);
  assert.equal(unwrap(5, null, 65536), 5);
  assert.equal(unwrap(960 - 1, 2 ** 32 - 1, 2 ** 32), 2 ** 32 + 959);
});

test('a steady stream plays every frame once, whole and in order, after the initial delay', () => {
  const { jb, values } = simulate(steady(50), 1300);
  const played = framesPlayed(values);
  assert.deepEqual(played.map(([k]) => k), Array.from({ length: 50 }, (_, k) => k));
  assert.ok(played.slice(0, -1).every(([, len]) => len === FRAME), 'each frame is played whole');
  assert.equal(values[0][0], 0, 'silence while the first frames are buffered');
  const s = jb.stats();
  assert.equal(s.played, 50);
  assert.equal(s.concealed, 0, 'no frame was missing');
  assert.equal(s.late, 0);
  assert.equal(s.lost, 0);
  assert.equal(s.discarded, 0);
  assert.equal(s.acceleratedMs + s.expandedMs, 0, 'a steady stream is played as it is');
  assert.equal(jb.mode, 'buffering', 'after the stream stops it buffers again');
  assert.equal(s.underruns, 0, 'a stream that ends is no gap');
  assert.equal(s.playingTimestamp, null, 'nothing plays now');
});

test('frames arriving out of order are reordered', () => {
  const packets = steady(20).map((p) => (p.k === 5 ? { ...p, arriveMs: p.arriveMs + 25 } : p));
  const { jb, values } = simulate(packets, 600);
  assert.deepEqual(framesPlayed(values).map(([k]) => k), Array.from({ length: 20 }, (_, k) => k));
  assert.equal(jb.stats().concealed, 0);
  assert.equal(jb.stats().late, 0);
});

test('a lost frame is concealed by a faded repeat of the one before and counted', () => {
  const packets = steady(30).filter((p) => p.k !== 10);
  const { jb, out } = simulate(packets, 800);
  const s = jb.stats();
  assert.equal(s.lost, 1);
  assert.equal(s.concealed, 1);
  // Frame 9's value appears beyond its own 960 samples, smaller (faded), then frame 11.
  const nine = valueOf(9);
  const idx = out.findIndex((v) => Math.abs(v - nine) < 1e-6);
  const concealed = out.subarray(idx + FRAME, idx + 2 * FRAME);
  assert.ok(concealed.every((v) => v > 0 && v <= nine + 1e-7), 'the gap holds a copy of frame 9…');
  assert.ok(concealed[FRAME - 1] < 0.7 * nine, '…fading out');
  assert.ok(Math.abs(out[idx + 2 * FRAME + 200] - valueOf(11)) < 1e-6, 'then frame 11 plays on time');
});

test('a frame that arrives after its time is dropped as late and the target delay grows', () => {
  const packets = steady(40).map((p) => (p.k === 15 ? { ...p, arriveMs: p.arriveMs + 300 } : p));
  let targetBefore = null;
  const { jb, values } = simulate(packets, 1000, {
    onQuantum: (b, now) => { if (now < 15 * 20 && targetBefore === null && now > 250) targetBefore = b.targetMs; },
  });
  const s = jb.stats();
  assert.equal(s.late, 1);
  assert.ok(jb.targetMs > targetBefore, `target ${jb.targetMs} > ${targetBefore}`);
  assert.deepEqual(framesPlayed(values).map(([k]) => k), Array.from({ length: 40 }, (_, k) => k).filter((k) => k !== 15),
    'frame 15 is concealed in its place and never played later');
});

test('the target delay grows with measured jitter and shrinks slowly when the network is good again', () => {
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const bad = 150; // 3 s of up to 80 ms extra delay, then 40 s of a quiet network
  const packets = Array.from({ length: bad + 2000 }, (_, k) => ({ k, arriveMs: k * 20 + 2 + (k < bad ? random() * 80 : 0) }));
  const samples = {};
  simulate(packets, (bad + 2000) * 20, {
    onQuantum: (b, now) => {
      for (const at of [2900, 4000, 10_000, 40_000]) if (samples[at] === undefined && now >= at) samples[at] = { target: b.targetMs, jitter: b.jitterMs };
    },
  });
  assert.ok(samples[2900].jitter > 10, `jitter measured: ${samples[2900].jitter}`);
  assert.ok(samples[2900].target >= 80, `target grew: ${samples[2900].target}`);
  assert.ok(samples[4000].target > 60, `still high a second later: ${samples[4000].target}`);
  assert.ok(samples[10_000].target < samples[4000].target, 'and coming down');
  assert.equal(Math.round(samples[40_000].target), 40, 'back at the minimum on a good network');
});

test('the target delay stays between 40 and 600 ms', () => {
  const packets = Array.from({ length: 200 }, (_, k) => ({ k, arriveMs: k * 20 + (k % 2 ? 900 : 0) }));
  const { jb } = simulate(packets, 5000);
  assert.ok(jb.targetMs <= 600 && jb.targetMs >= 40, `${jb.targetMs}`);
  const calm = simulate(steady(100, 0), 2500).jb;
  assert.ok(calm.targetMs >= 40);
});

test('sequence numbers and timestamps wrap without loss or reordering', () => {
  const { jb, values } = simulate(steady(40), 1000, { seq0: 65520, ts0: 2 ** 32 - 960 * 20 });
  assert.deepEqual(framesPlayed(values).map(([k]) => k), Array.from({ length: 40 }, (_, k) => k));
  assert.equal(jb.stats().lost, 0);
  assert.equal(jb.stats().late, 0);
});

test('duplicates are counted and played once', () => {
  const packets = [...steady(20), { k: 7, arriveMs: 7 * 20 + 6 }];
  const { jb, values } = simulate(packets, 600);
  assert.equal(jb.stats().duplicates, 1);
  assert.equal(framesPlayed(values).filter(([k]) => k === 7).length, 1);
});

test('a stream that pauses (muted) goes quiet and starts again after buffering', () => {
  const packets = [...steady(20), ...steady(60).slice(40)]; // frames 40..59 after a pause
  const { jb, values } = simulate(packets, 1500);
  const played = framesPlayed(values).map(([k]) => k);
  assert.deepEqual(played, [...Array.from({ length: 20 }, (_, k) => k), ...Array.from({ length: 20 }, (_, k) => k + 40)]);
  assert.equal(jb.stats().underruns, 0, 'the sender paused (its timestamps moved on): no gap');
  assert.equal(jb.stats().stalls, 0, 'and no stall');
  assert.equal(jb.stats().concealed, 0);
  assert.equal(jb.stats().lost, 20, 'the sender skipped sequence numbers 20..39 in this simulation');
});

test('after a stall nothing is thrown away: the backlog is played faster until the delay is back', () => {
  // Nothing arrives for 400 ms, then everything at once (TCP after a radio handover).
  const packets = steady(250).map((p) => (p.k >= 20 && p.k < 40 ? { ...p, arriveMs: 40 * 20 + 5 } : p));
  const seen = [];
  const { jb } = simulate(packets, 5200, {
    onQuantum: (b, now) => { const st = b.stats(); seen.push({ now, delay: st.delayMs, target: st.targetMs, ts: st.playingTimestamp }); },
  });
  const s = jb.stats();
  assert.equal(s.played, 250, 'every frame was played');
  assert.equal(s.discarded, 0);
  assert.equal(s.concealed, 0, 'nothing was missing, only late');
  assert.equal(s.late, 0);
  assert.equal(s.underruns, 1, 'one gap, while nothing came');
  assert.ok(s.acceleratedMs > 0, 'the backlog was played faster');
  assert.equal(s.stalls, 1);
  assert.ok(s.stallMs >= 300, `the stall was learnt: ${s.stallMs}`);
  // The timeline never goes back, and after the stall the delay is back within 2 s.
  const ts = seen.filter((x) => x.ts !== null).map((x) => x.ts);
  assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]), 'played in order');
  const burst = 40 * 20 + 5;
  const peak = Math.max(...seen.filter((x) => x.now > burst && x.now < burst + 100).map((x) => x.delay));
  assert.ok(peak > 300, `the backlog was there: ${peak}`);
  const after = seen.filter((x) => x.now > burst + 2000 && x.now < 4500);
  assert.ok(after.every((x) => x.delay <= 1.5 * x.target), `delay back near the target: ${after[0].delay} / ${after[0].target}`);
});

test('only a backlog beyond the hard cap is cut, and counted', () => {
  // A 3 s stall: beyond the 2 s cap, the oldest is discarded down to the largest target.
  const packets = steady(300).map((p) => (p.k >= 20 && p.k < 180 ? { ...p, arriveMs: 180 * 20 + 5 } : p));
  const { jb } = simulate(packets, 7000);
  const s = jb.stats();
  assert.ok(s.discarded > 0, 'frames were discarded');
  assert.ok(s.discarded < 160, `not all of them: ${s.discarded}`);
  assert.equal(s.played + s.discarded + s.removedQuiet, 300);
});

test('stats report the buffered time, the delay, the stalls and the counters', () => {
  const jb = createJitterBuffer();
  for (let k = 0; k < 3; k++) jb.push({ seq: k, timestamp: k * FRAME, pcm: pcmOf(k) }, k * 20);
  const s = jb.stats();
  assert.equal(s.bufferedMs, 60);
  assert.equal(s.delayMs, 60);
  assert.equal(s.received, 3);
  for (const key of ['targetMs', 'delayMs', 'jitterMs', 'stallMs', 'stalls', 'played', 'lost', 'concealed', 'late', 'duplicates',
    'discarded', 'acceleratedMs', 'expandedMs', 'underruns', 'underrunMs', 'playingTimestamp']) {
    assert.ok(key in s, key);
  }
  assert.equal(s.playingTimestamp, null);
  assert.equal(jb.push({ seq: 9, timestamp: 0, pcm: new Float32Array(0) }, 0), false, 'an empty frame is ignored');
});

test('playingTimestamp is the timestamp of the sample playing now', () => {
  const ts0 = 2 ** 32 - 960 * 10; // it is unwrapped: it goes on past 2^32
  const seen = [];
  simulate(steady(60), 1100, { ts0, onQuantum: (b, now) => seen.push([now, b.stats().playingTimestamp]) });
  const playing = seen.filter(([, t]) => t !== null);
  assert.ok(playing.length > 300);
  // It moves with the clock: 48 samples a millisecond.
  const [t1, a] = playing[10];
  const [t2, b] = playing[playing.length - 10];
  assert.ok(Math.abs((b - a) / 48 - (t2 - t1)) < 3, `${(b - a) / 48} vs ${t2 - t1}`);
  assert.ok(b > 2 ** 32, 'unwrapped');
});

test('a buffer below its target stretches what it plays (no silence) to grow the delay', () => {
  const jb = createJitterBuffer();
  const tone = (k) => { const p = new Float32Array(FRAME); for (let n = 0; n < FRAME; n++) p[n] = 0.3 * Math.sin((2 * Math.PI * 200 * (k * FRAME + n)) / 48000); return p; };
  const out = new Float32Array(QUANTUM);
  let k = 0;
  let silentWhilePlaying = 0;
  for (let q = 0; q < 1500; q++) {
    const now = q * MS_PER_QUANTUM;
    // Steady, then a burst of jitter raises the target well above what is buffered.
    while (k < 200 && k * 20 + 2 + (k >= 40 && k < 60 ? (k % 2) * 120 : 0) <= now) { jb.push({ seq: k, timestamp: k * FRAME, pcm: tone(k) }, now); k += 1; }
    jb.pull(out);
    if (jb.mode === 'playing' && q > 100 && k < 200 && out.every((v) => v === 0)) silentWhilePlaying += 1;
  }
  const s = jb.stats();
  assert.ok(s.expandedMs > 0, `expanded ${s.expandedMs} ms`);
  assert.equal(s.discarded, 0);
  assert.equal(silentWhilePlaying, 0, 'no silence was inserted');
});

test('a sender that starts a new timeline (restarted) is followed', () => {
  const packets = steady(50);
  const jb = createJitterBuffer();
  const out = new Float32Array(QUANTUM);
  for (let q = 0; q < 1200; q++) {
    const now = q * MS_PER_QUANTUM;
    for (const p of packets) if (p.arriveMs <= now && p.arriveMs > now - MS_PER_QUANTUM) jb.push({ seq: p.k, timestamp: 10_000_000 + p.k * FRAME, pcm: pcmOf(p.k) }, now);
    // After 1.2 s the same stream starts again from timestamp 0.
    for (const p of packets) if (p.arriveMs + 1200 <= now && p.arriveMs + 1200 > now - MS_PER_QUANTUM) jb.push({ seq: 100 + p.k, timestamp: p.k * FRAME, pcm: pcmOf(p.k) }, now);
    jb.pull(out);
  }
  const s = jb.stats();
  assert.ok(s.played >= 95, `both timelines played: ${s.played}`);
  assert.ok(s.late <= 1, `late ${s.late}`);
});
