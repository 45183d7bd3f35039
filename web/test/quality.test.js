import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createQualityTracker, levelOf, QUALITY_INTERVAL_MS } from '../meeting/quality.js';

/** A remote stream that receives 100 frames per 2 s, with some of them bad. */
function feeder(ids = ['4']) {
  const c = {};
  for (const id of ids) c[id] = { received: 0, played: 0, concealed: 0, late: 0, stalls: 0, delayMs: 120, targetMs: 100 };
  let at = 0;
  return {
    next({ concealed = 0, late = 0, stalls = 0, delayMs = 120, received = 100, only = null } = {}) {
      at += QUALITY_INTERVAL_MS;
      for (const [id, s] of Object.entries(c)) {
        if (only && !only.includes(id)) continue;
        s.received += received;
        s.played += received - concealed;
        s.concealed += concealed;
        s.late += late;
        s.stalls += stalls;
        s.delayMs = delayMs;
      }
      return { at, playback: { streams: JSON.parse(JSON.stringify(c)) } };
    },
  };
}

function run(tracker, f, n, opts) {
  let r;
  for (let i = 0; i < n; i++) { const { at, playback } = f.next(opts); r = tracker.sample(at, { playback }); }
  return r;
}

test('levelOf: the thresholds', () => {
  assert.equal(levelOf({}), 'good');
  assert.equal(levelOf({ delayMs: 250 }), 'good');
  assert.equal(levelOf({ delayMs: 251 }), 'fair');
  assert.equal(levelOf({ delayMs: 401 }), 'poor');
  assert.equal(levelOf({ stallsPerMinute: 1 }), 'fair');
  assert.equal(levelOf({ stallsPerMinute: 4 }), 'poor');
  assert.equal(levelOf({ concealedPercent: 1.5 }), 'fair');
  assert.equal(levelOf({ concealedPercent: 6 }), 'poor');
  assert.equal(levelOf({ sendDropPercent: 10 }), 'poor');
});

test('a clean stream stays good, and nothing changes', () => {
  const t = createQualityTracker();
  const f = feeder();
  for (let i = 0; i < 30; i++) {
    const { at, playback } = f.next();
    const r = t.sample(at, { playback });
    assert.equal(r.level, 'good');
    assert.equal(r.changed, false);
  }
  assert.deepEqual(t.report(), { quality: 'good', delayMs: 120, stallsPerMinute: 0, lateFramePercent: 0 });
});

test('a bad-mobile stream (a stall every ~6 s, high delay) becomes poor after two samples, reported once', () => {
  const t = createQualityTracker();
  const f = feeder();
  run(t, f, 3);
  const changes = [];
  for (let i = 0; i < 15; i++) {
    const { at, playback } = f.next({ stalls: i % 3 === 0 ? 1 : 0, delayMs: 450, late: 3 });
    const r = t.sample(at, { playback });
    if (r.changed) changes.push(r.level);
  }
  assert.deepEqual(changes, ['poor']);
  const rep = t.report();
  assert.equal(rep.quality, 'poor');
  assert.equal(rep.delayMs, 450);
  assert.ok(rep.stallsPerMinute >= 4, JSON.stringify(rep));
  assert.equal(rep.lateFramePercent, 3);
});

test('one bad sample does not flap the level', () => {
  const t = createQualityTracker();
  const f = feeder();
  run(t, f, 3);
  const { at, playback } = f.next({ delayMs: 900 });
  assert.equal(t.sample(at, { playback }).level, 'good');
  // The median of the last three delays keeps a single spike out.
  const r = run(t, f, 5);
  assert.equal(r.level, 'good');
});

test('recovery goes one step at a time, after several good samples', () => {
  const t = createQualityTracker();
  const f = feeder();
  run(t, f, 4, { delayMs: 500 });
  assert.equal(t.level, 'poor');
  const seen = [];
  for (let i = 0; i < 20; i++) {
    const { at, playback } = f.next({ delayMs: 100 });
    const r = t.sample(at, { playback });
    if (r.changed) seen.push([i, r.level]);
  }
  assert.deepEqual(seen.map(([, l]) => l), ['fair', 'good']);
  assert.ok(seen[0][0] >= 4, 'not at the first good sample');
});

test('concealment over 5 % is poor; a little is fair', () => {
  const poor = createQualityTracker();
  assert.equal(run(poor, feeder(), 6, { concealed: 8 }).level, 'poor');
  const fair = createQualityTracker();
  assert.equal(run(fair, feeder(), 6, { concealed: 2 }).level, 'fair');
});

test('missing fields are not bad: an old buffer with decoded counters only stays good', () => {
  const t = createQualityTracker();
  let decoded = 0;
  for (let i = 1; i <= 10; i++) {
    decoded += 100;
    const r = t.sample(i * 2000, { playback: { streams: { 4: { decoded } } } });
    assert.equal(r.level, 'good');
  }
  assert.equal(t.sample(22_000, { playback: null }).level, 'good');
  assert.equal(t.sample(24_000, { playback: { streams: { 4: null } } }).level, 'good');
  assert.equal(t.sample(26_000, {}).level, 'good');
});

test('a stream that starts after a pause (unmuting) is not counted as a stall', () => {
  const t = createQualityTracker();
  const f = feeder(['4', '5']);
  run(t, f, 2);
  run(t, f, 3, { only: ['4'] }); // 5 is muted
  // 5 comes back: its buffer counts one stall for the gap.
  const { at, playback } = f.next();
  playback.streams['5'].stalls += 1;
  t.sample(at, { playback });
  assert.equal(t.metrics.stallsPerMinute, 0);
});

test('underruns stand in for stalls when the buffer has no stall counter', () => {
  const t = createQualityTracker();
  let received = 0;
  let underruns = 0;
  let r;
  for (let i = 1; i <= 8; i++) {
    received += 100;
    underruns += 1;
    r = t.sample(i * 2000, { playback: { streams: { 4: { received, underruns } } } });
  }
  assert.equal(r.level, 'poor');
});

test('frames the capture could not send (connection backed up) count', () => {
  const t = createQualityTracker();
  const f = feeder();
  let sent = 0;
  let dropped = 0;
  let r;
  for (let i = 0; i < 5; i++) {
    sent += 80;
    dropped += 20;
    const { at, playback } = f.next();
    r = t.sample(at, { playback, capture: { sent, dropped } });
  }
  assert.equal(r.level, 'poor');
});

test('while disconnected nothing is judged, and the counters stay in step', () => {
  const t = createQualityTracker();
  const f = feeder();
  run(t, f, 3);
  for (let i = 0; i < 5; i++) {
    const { at, playback } = f.next({ concealed: 100 });
    assert.equal(t.sample(at, { playback, connected: false }).changed, false);
  }
  assert.equal(run(t, f, 3).level, 'good');
});
