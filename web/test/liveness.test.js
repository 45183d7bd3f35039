import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveness } from '../lib/liveness.js';

function clockAndTimers() {
  const timers = [];
  let now = 0;
  return {
    now: () => now,
    setTimeoutImpl(fn, ms) { const t = { fn, at: now + ms, done: false }; timers.push(t); return t; },
    clearTimeoutImpl(t) { if (t) t.done = true; },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.done && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        due.done = true;
        due.fn();
      }
      now = end;
    },
    /** Moves the clock without running timers (a stalled page), then runs what is due. */
    stall(ms) {
      now += ms;
      for (const t of timers.filter((x) => !x.done && x.at <= now)) { t.done = true; t.fn(); }
    },
    pending: () => timers.filter((t) => !t.done).length,
  };
}

function setup(options = {}) {
  const clock = clockAndTimers();
  const calls = { probes: 0, dead: 0 };
  let busy = false;
  const l = createLiveness({
    now: clock.now, setTimeoutImpl: clock.setTimeoutImpl.bind(clock), clearTimeoutImpl: clock.clearTimeoutImpl.bind(clock),
    probe: () => { calls.probes += 1; }, onDead: () => { calls.dead += 1; }, busy: () => busy,
    idleMs: 1500, probeTimeoutMs: 2500, busyTimeoutMs: 15000, checkMs: 250, lateMs: 1000, ...options,
  });
  return { l, clock, calls, setBusy: (b) => { busy = b; } };
}

test('unwatched: no timers and no probes, however long it is silent', () => {
  const { l, clock, calls } = setup();
  l.opened();
  clock.advance(60_000);
  assert.equal(calls.probes, 0);
  assert.equal(clock.pending(), 0);
});

test('watched: a silence of idleMs sends a probe; an answer keeps the connection', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.setWatching(true);
  clock.advance(1000);
  assert.equal(calls.probes, 0);
  clock.advance(600);
  assert.equal(calls.probes, 1);
  clock.advance(800);
  l.heard(); // the ack (or any frame)
  // Silence goes on being probed; each probe answered within a second keeps it alive.
  for (let i = 0; i < 20; i++) {
    const before = calls.probes;
    clock.advance(1000);
    if (calls.probes > before) l.heard();
  }
  assert.equal(calls.dead, 0);
  assert.ok(calls.probes >= 5, `probes: ${calls.probes}`);
});

test('frames keep arriving (audio): no probe at all', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.setWatching(true);
  for (let i = 0; i < 500; i++) { clock.advance(20); l.heard(); }
  assert.equal(calls.probes, 0);
});

test('no answer within probeTimeoutMs: dead, once, and checking stops', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.setWatching(true);
  clock.advance(1500); // probe
  assert.equal(calls.probes, 1);
  clock.advance(2400);
  assert.equal(calls.dead, 0);
  clock.advance(300);
  assert.equal(calls.dead, 1);
  clock.advance(20_000);
  assert.equal(calls.dead, 1);
  assert.equal(clock.pending(), 0);
});

test('while another command is unanswered the probe waits busyTimeoutMs', () => {
  const { l, clock, calls, setBusy } = setup();
  l.opened();
  l.setWatching(true);
  setBusy(true);
  clock.advance(1500 + 2500 + 500);
  assert.equal(calls.dead, 0);
  clock.advance(15_000);
  assert.equal(calls.dead, 1);
});

test('a check that runs late (a stalled page) probes again instead of declaring death', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.setWatching(true);
  clock.advance(1500);
  assert.equal(calls.probes, 1);
  clock.stall(5000); // timers could not run for 5 s
  assert.equal(calls.dead, 0);
  assert.equal(calls.probes, 2);
  l.heard();
  clock.advance(1000);
  assert.equal(calls.dead, 0);
});

test('probeNow works unwatched (the network came back) and declares death if unanswered', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.probeNow();
  l.probeNow(); // one at a time
  assert.equal(calls.probes, 1);
  clock.advance(2600);
  assert.equal(calls.dead, 1);
});

test('probeNow answered: nothing more happens unwatched', () => {
  const { l, clock, calls } = setup();
  l.opened();
  l.probeNow();
  clock.advance(100);
  l.heard();
  clock.advance(30_000);
  assert.equal(calls.dead, 0);
  assert.equal(calls.probes, 1);
  assert.equal(clock.pending(), 0);
});

test('closed: nothing runs; not open: probeNow does nothing', () => {
  const { l, clock, calls } = setup();
  l.setWatching(true);
  l.probeNow();
  clock.advance(10_000);
  assert.equal(calls.probes, 0);
  l.opened();
  clock.advance(1600);
  assert.equal(calls.probes, 1);
  l.closed();
  clock.advance(10_000);
  assert.equal(calls.dead, 0);
  assert.equal(clock.pending(), 0);
});

test('silence before watching started does not count', () => {
  const { l, clock, calls } = setup();
  l.opened();
  clock.advance(60_000);
  l.setWatching(true);
  clock.advance(1000);
  assert.equal(calls.probes, 0);
  clock.advance(600);
  assert.equal(calls.probes, 1);
  l.setWatching(false);
  l.heard();
  clock.advance(60_000);
  assert.equal(calls.probes, 1);
});
