// The reconnect rules of issue 17 (docs/protocol.md, "Resuming after a dropped connection"):
// at once on `online` and after an unanswered liveness probe, back-off only after two failed
// attempts; a connection that is open and answering, or still connecting, is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveClient, DEAD_CLOSE_CODE, RECONNECT_BASE_MS } from '../lib/socket.js';
import { createFakeClock } from './fake-clock.js';

const WS = '7b1c0000-0000-4000-8000-000000000001';

function harness({ random = () => 0.5, liveness = {} } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closedWith = null;
      this.bufferedAmount = 0;
      sockets.push(this);
    }
    send(data) { if (typeof data === 'string') this.sent.push(JSON.parse(data)); }
    close(code) { this.closedWith = code; }
    deliver(msg) { this.onmessage?.({ data: JSON.stringify({ v: 1, ...msg }) }); }
    welcome() { this.deliver({ type: 'welcome', data: { protocolVersion: 1, person: { id: 'p1', name: 'Erik' }, limits: {} } }); }
    serverClose(code = 1006) { this.onclose?.({ code }); }
    sentOf(type) { return this.sent.filter((m) => m.type === type); }
    /** Answers every ping sent so far. */
    pong() { for (const m of this.sentOf('ping')) if (!m.answered) { m.answered = true; this.deliver({ type: 'ack', ref: m.ref, data: { ok: true } }); } }
  }
  const clock = createFakeClock(1000);
  const online = new EventTarget();
  const client = createLiveClient({
    url: 'ws://x/api/v1/live', WebSocketImpl: FakeSocket,
    setTimeoutImpl: clock.setTimeoutImpl, clearTimeoutImpl: clock.clearTimeoutImpl,
    random, randomUUID: () => 'key', now: clock.now, onlineTarget: online,
    liveness: { idleMs: 1500, probeTimeoutMs: 2500, busyTimeoutMs: 15000, checkMs: 250, lateMs: 1000, ...liveness },
  });
  const states = [];
  client.on('state', (s) => states.push(s));
  const last = () => sockets[sockets.length - 1];
  const goOnline = () => online.dispatchEvent(new Event('online'));
  return { client, sockets, last, clock, states, goOnline };
}

function opened() {
  const h = harness();
  h.client.start();
  h.last().welcome();
  return h;
}

test('normal case unchanged: a closed connection reconnects after the usual back-off, no probes unwatched', () => {
  const { client, sockets, last, clock } = opened();
  clock.advance(60_000);
  assert.equal(last().sentOf('ping').length, 0, 'no probes without a meeting');
  last().serverClose(1006);
  assert.equal(client.state, 'reconnecting');
  clock.advance(RECONNECT_BASE_MS - 1);
  assert.equal(sockets.length, 1);
  clock.advance(1);
  assert.equal(sockets.length, 2);
  last().serverClose(1006);
  clock.advance(999);
  assert.equal(sockets.length, 2, 'second delay 1 s');
  clock.advance(1);
  assert.equal(sockets.length, 3);
});

test('online while waiting for a back-off timer: connects at once, the back-off reset', () => {
  const { client, sockets, last, clock, goOnline } = opened();
  for (let i = 0; i < 5; i++) { last().serverClose(1006); clock.advance(60_000); }
  assert.equal(sockets.length, 6);
  last().serverClose(1006); // the next try is 16 s away
  goOnline();
  assert.equal(sockets.length, 7, 'tried at once');
  // That try fails: one quick retry, then back-off from the start (0.5 s, 1 s, …).
  last().serverClose(1006);
  clock.advance(100);
  assert.equal(sockets.length, 8);
  last().serverClose(1006);
  clock.advance(499);
  assert.equal(sockets.length, 8);
  clock.advance(1);
  assert.equal(sockets.length, 9);
  last().welcome();
  assert.equal(client.state, 'open');
});

test('online while an attempt is in progress: the attempt is not abandoned', () => {
  const { sockets, last, clock, goOnline } = opened();
  last().serverClose(1006);
  clock.advance(500);
  assert.equal(sockets.length, 2);
  goOnline();
  assert.equal(sockets.length, 2, 'no second socket');
  assert.equal(sockets[1].closedWith, null);
});

test('online while open: a probe; answered, the connection stays', () => {
  const { client, sockets, last, clock, goOnline } = opened();
  goOnline();
  assert.equal(last().sentOf('ping').length, 1);
  clock.advance(2000);
  last().pong();
  clock.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.equal(last().closedWith, null);
  assert.equal(client.state, 'open');
});

test('online while open: an unanswered probe closes the dead connection and connects at once', () => {
  const { client, sockets, last, clock, goOnline } = opened();
  const dead = [];
  client.on('dead', () => dead.push(true));
  goOnline();
  clock.advance(2499);
  assert.equal(sockets.length, 1);
  clock.advance(251);
  assert.equal(dead.length, 1);
  assert.equal(sockets[0].closedWith, DEAD_CLOSE_CODE);
  assert.equal(sockets.length, 2, 'a new connection at once');
  assert.equal(client.state, 'reconnecting');
  // A late close event of the dead socket changes nothing.
  sockets[0].serverClose(1006);
  assert.equal(sockets.length, 2);
  last().welcome();
  assert.equal(client.state, 'open');
});

test('watched (a meeting): silence is probed; answers keep it open for good', () => {
  const { client, sockets, last, clock } = opened();
  const release = client.watch();
  for (let i = 0; i < 60; i++) {
    clock.advance(500);
    last().pong();
  }
  assert.ok(last().sentOf('ping').length >= 10);
  assert.equal(sockets.length, 1);
  assert.equal(last().closedWith, null);
  release();
  const n = last().sentOf('ping').length;
  clock.advance(60_000);
  assert.equal(last().sentOf('ping').length, n, 'no probes once released');
});

test('watched: audio frames count as life, no probes while they flow', () => {
  const { client, last, clock } = opened();
  client.watch();
  for (let i = 0; i < 1000; i++) { clock.advance(20); last().onmessage({ data: new ArrayBuffer(12) }); }
  assert.equal(last().sentOf('ping').length, 0);
});

test('watched: a dead connection is found within 4.5 s and replaced at once; failures retry quickly', () => {
  const { client, sockets, last, clock } = opened();
  client.watch();
  clock.advance(1500 + 2500 + 250);
  assert.equal(sockets.length, 2, 'replaced');
  assert.equal(sockets[0].closedWith, DEAD_CLOSE_CODE);
  // The network is still away: attempts are refused. Quick retry, then short back-off
  // (at most 0.7 s base while a meeting watches), never the long one.
  const times = [clock.now()];
  for (let i = 0; i < 12; i++) {
    last().serverClose(1006);
    const before = sockets.length;
    while (sockets.length === before) clock.advance(10);
    times.push(clock.now());
  }
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps[0] <= 150, `quick retry: ${gaps}`);
  assert.ok(gaps.slice(1).every((g) => g <= 1100), `short back-off: ${gaps}`);
  last().welcome();
  assert.equal(client.state, 'open');
});

test('watched: after a minute down the usual back-off returns', () => {
  const { client, sockets, last, clock } = opened();
  client.watch();
  const gaps = [];
  const start = clock.now();
  while (clock.now() - start < 120_000) {
    last().serverClose(1006);
    const before = sockets.length;
    const t0 = clock.now();
    while (sockets.length === before) clock.advance(10);
    gaps.push([clock.now() - start, clock.now() - t0]);
  }
  assert.ok(gaps.filter(([at]) => at < 60_000).every(([, g]) => g <= 1100), 'short in the first minute');
  assert.ok(gaps.filter(([at]) => at > 70_000).every(([, g]) => g >= 8000), `long afterwards: ${JSON.stringify(gaps.slice(-4))}`);
});

test('a pending command (a slow join) holds the verdict back to busyTimeoutMs', async () => {
  const { client, sockets, last, clock } = opened();
  client.watch();
  const join = client.send('meeting.join', { topic: 'meeting:m1', data: { muted: false } });
  clock.advance(1500 + 2500 + 1000);
  assert.equal(sockets.length, 1, 'not declared dead while the join is unanswered');
  const ref = last().sentOf('meeting.join')[0].ref;
  last().deliver({ type: 'ack', ref, topic: 'meeting:m1', data: { state: 'joined', streamId: 3 } });
  assert.equal((await join).streamId, 3);
  assert.equal(last().closedWith, null);
});

test('a pending command with no answer at all: dead after busyTimeoutMs', async () => {
  const { client, sockets, clock } = opened();
  client.watch();
  const cmd = client.send('meeting.mute', { topic: 'meeting:m1', data: { muted: true } });
  clock.advance(1500 + 15_000 + 250);
  assert.equal(sockets.length, 2);
  await assert.rejects(cmd, (e) => e.code === 'disconnected');
});

test('resume semantics unchanged after a dead-connection reconnect: subscribe lastSeq, writes resent with their key', async () => {
  const { client, last, clock, goOnline } = opened();
  const sub = client.subscribe(WS);
  const s = last().sentOf('subscribe')[0];
  last().deliver({ type: 'ack', ref: s.ref, topic: `workspace:${WS}`, data: { seq: 41 } });
  await sub;
  const write = client.send('post.create', { data: { threadId: 't', body: 'Hej' } });
  const key = last().sentOf('post.create')[0].data.idempotencyKey;
  goOnline();
  clock.advance(15_000 + 250); // the write is unanswered: the busy timeout applies
  last().welcome();
  assert.deepEqual(last().sentOf('subscribe')[0].data, { lastSeq: 41 });
  const resent = last().sentOf('post.create')[0];
  assert.equal(resent.data.idempotencyKey, key);
  last().deliver({ type: 'ack', ref: resent.ref, data: { seq: 42, duplicate: true, result: {} } });
  assert.equal((await write).duplicate, true);
});

test('stop() removes the online listener and stops probing', () => {
  const { client, sockets, goOnline, clock } = opened();
  client.watch();
  client.stop();
  goOnline();
  clock.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.equal(client.state, 'closed');
});

test('drop(holdMs) keeps its hold even if the page sees the network come back', () => {
  const { sockets, client, clock, goOnline } = opened();
  client.drop(5000);
  goOnline();
  assert.equal(sockets.length, 1);
  clock.advance(5000 + 1500);
  assert.equal(sockets.length, 2);
});

test('watched: a server asking for a pause (4029, 1001) gets the usual back-off, not the short one', () => {
  const { client, sockets, last, clock } = opened();
  client.watch();
  for (let i = 0; i < 4; i++) { last().serverClose(4029); clock.advance(60_000); }
  const before = sockets.length;
  last().serverClose(4029); // attempt 5: 16 s
  clock.advance(5000);
  assert.equal(sockets.length, before);
});
