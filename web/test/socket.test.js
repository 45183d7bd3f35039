import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeClock } from './fake-clock.js';
import {
  backoffDelay, createLiveClient, liveUrl, workspaceOf, RECONNECT_BASE_MS, RECONNECT_MAX_MS, LiveError,
} from '../lib/socket.js';

const WS = '7b1c0000-0000-4000-8000-000000000001';
const TOPIC = `workspace:${WS}`;

/** A scripted stand-in for the browser WebSocket plus a manual clock. */
function harness({ random = () => 0.5 } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closedWith = null;
      this.binary = [];
      this.bufferedAmount = 0;
      sockets.push(this);
    }
    send(data) { if (typeof data === 'string') this.sent.push(JSON.parse(data)); else this.binary.push(data); }
    close(code) { this.closedWith = code; }
    // Server side helpers
    deliver(msg) { this.onmessage?.({ data: JSON.stringify({ v: 1, ...msg }) }); }
    welcome() { this.deliver({ type: 'welcome', data: { protocolVersion: 1, person: { id: 'p1', name: 'Erik' }, limits: {} } }); }
    serverClose(code) { this.onclose?.({ code }); }
    sentOf(type) { return this.sent.filter((m) => m.type === type); }
  }
  const clock = createFakeClock(0);
  let uuid = 0;
  const events = [];
  const client = createLiveClient({
    url: 'ws://x/api/v1/live', WebSocketImpl: FakeSocket,
    setTimeoutImpl: clock.setTimeoutImpl, clearTimeoutImpl: clock.clearTimeoutImpl,
    random, randomUUID: () => `key-${++uuid}`,
  });
  for (const name of ['state', 'event', 'session-ended', 'fatal', 'reload', 'presence', 'typing', 'notification']) {
    client.on(name, (payload) => events.push([name, payload]));
  }
  const last = () => sockets[sockets.length - 1];
  const states = () => events.filter(([n]) => n === 'state').map(([, s]) => s);
  return { client, sockets, last, clock, events, states };
}

const tick = () => new Promise((r) => setImmediate(r));

test('backoff doubles from 0.5 s to at most 30 s', () => {
  const mid = () => 0.5; // factor 1.0: no jitter
  assert.equal(backoffDelay(0, mid), 500);
  assert.equal(backoffDelay(1, mid), 1000);
  assert.equal(backoffDelay(2, mid), 2000);
  assert.equal(backoffDelay(5, mid), 16000);
  assert.equal(backoffDelay(6, mid), 30000);
  assert.equal(backoffDelay(20, mid), 30000);
});

test('backoff is jittered by ±50 % and stays within bounds', () => {
  for (let attempt = 0; attempt < 12; attempt++) {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    assert.equal(backoffDelay(attempt, () => 0), base * 0.5);
    assert.ok(backoffDelay(attempt, () => 0.999999) <= base * 1.5);
    const seen = new Set();
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, Math.random);
      assert.ok(d >= base * 0.5 && d <= base * 1.5, `attempt ${attempt}: ${d}`);
      seen.add(d);
    }
    assert.ok(seen.size > 1, 'jitter varies the delay');
  }
});

test('reconnect delays grow across repeated failures and reset after a welcome', () => {
  const { client, last, clock, sockets } = harness({ random: () => 0.5 });
  client.start();
  last().serverClose(1006);
  clock.advance(499);
  assert.equal(sockets.length, 1, 'not before 0.5 s');
  clock.advance(1);
  assert.equal(sockets.length, 2);
  last().serverClose(1006);
  clock.advance(1000);
  assert.equal(sockets.length, 3);
  last().serverClose(1006);
  clock.advance(1999);
  assert.equal(sockets.length, 3);
  clock.advance(1);
  assert.equal(sockets.length, 4);
  assert.deepEqual(clock.delays(), [500, 1000, 2000]);
  last().welcome();
  last().serverClose(1011);
  assert.equal(clock.delays().at(-1), 500, 'a successful connection resets the back-off');
});

test('connection states: connecting → open → reconnecting → open; the welcome is kept', () => {
  const { client, last, clock, states } = harness();
  client.start();
  assert.equal(client.state, 'connecting');
  last().welcome();
  assert.equal(client.state, 'open');
  assert.deepEqual(client.person, { id: 'p1', name: 'Erik' });
  last().serverClose(1006);
  assert.equal(client.state, 'reconnecting');
  clock.advance(1000);
  last().welcome();
  assert.deepEqual(states(), ['connecting', 'open', 'reconnecting', 'open']);
});

test('commands carry refs; ack resolves and error rejects with the protocol code', async () => {
  const { client, last } = harness();
  client.start();
  last().welcome();
  const ok = client.send('ping');
  const bad = client.send('post.edit', { data: { postId: 'x', body: 'y' } });
  const [ping, edit] = last().sent;
  assert.equal(ping.v, 1);
  assert.notEqual(ping.ref, edit.ref);
  last().deliver({ type: 'error', ref: edit.ref, data: { code: 'forbidden', message: 'no' } });
  last().deliver({ type: 'ack', ref: ping.ref, data: { ok: true } });
  assert.deepEqual(await ok, { ok: true });
  await assert.rejects(bad, (err) => err instanceof LiveError && err.code === 'forbidden');
  assert.equal(client.pendingCount, 0);
});

test('subscribe waits for the welcome, then resolves with the ack seq', async () => {
  const { client, last } = harness();
  client.start();
  const p = client.subscribe(WS);
  assert.equal(last().sent.length, 0, 'nothing is sent before the welcome');
  last().welcome();
  const [sub] = last().sentOf('subscribe');
  assert.equal(sub.topic, TOPIC);
  assert.deepEqual(sub.data, {});
  last().deliver({ type: 'ack', ref: sub.ref, topic: TOPIC, data: { seq: 41 } });
  assert.deepEqual(await p, { seq: 41 });
  assert.equal(client.lastSeq(WS), 41);
});

test('after a reconnect the subscription is renewed with the last processed seq', async () => {
  const { client, last, clock } = harness();
  client.start();
  client.subscribe(WS);
  last().welcome();
  const [sub] = last().sentOf('subscribe');
  last().deliver({ type: 'ack', ref: sub.ref, topic: TOPIC, data: { seq: 41 } });
  last().deliver({ type: 'post.created', topic: TOPIC, seq: 42, data: { post: { id: 'a' } } });
  last().deliver({ type: 'post.created', topic: TOPIC, seq: 43, data: { post: { id: 'b' } } });
  await tick();
  assert.equal(client.lastSeq(WS), 43);
  last().serverClose(4000); // idle timeout: reconnect
  clock.advance(1000);
  assert.equal(last().sent.length, 0);
  last().welcome();
  const [again] = last().sentOf('subscribe');
  assert.equal(again.topic, TOPIC);
  assert.deepEqual(again.data, { lastSeq: 43 });
});

test('a fresh subscription with no events still resumes from the subscribe ack seq', async () => {
  const { client, last, clock } = harness();
  client.start();
  client.subscribe(WS);
  last().welcome();
  last().deliver({ type: 'ack', ref: last().sentOf('subscribe')[0].ref, topic: TOPIC, data: { seq: 7 } });
  await tick();
  last().serverClose(1001);
  clock.advance(1000);
  last().welcome();
  assert.deepEqual(last().sentOf('subscribe')[0].data, { lastSeq: 7 });
});

test('an unacknowledged write is resent after reconnecting, with the same idempotency key', async () => {
  const { client, last, clock, sockets } = harness();
  client.start();
  client.subscribe(WS);
  last().welcome();
  const write = client.send('post.create', { data: { threadId: 't1', body: 'Jag tar det!' } });
  const first = sockets[0].sentOf('post.create')[0];
  assert.equal(first.data.idempotencyKey, 'key-1');
  last().serverClose(1006); // dropped before the ack
  clock.advance(1000);
  assert.equal(sockets.length, 2);
  last().welcome();
  const sent = last().sent.map((m) => m.type);
  assert.deepEqual(sent, ['subscribe', 'post.create'], 'resubscribe first, then the resend');
  const resent = last().sentOf('post.create')[0];
  assert.equal(resent.data.idempotencyKey, 'key-1');
  assert.equal(resent.data.body, 'Jag tar det!');
  last().deliver({ type: 'ack', ref: resent.ref, data: { seq: 44, duplicate: true, result: { post: { id: 'p' } } } });
  const ack = await write;
  assert.equal(ack.duplicate, true);
  assert.equal(client.pendingCount, 1, 'only the subscribe remains pending');
});

test('writes given while disconnected are sent once the connection is open', async () => {
  const { client, last, clock } = harness();
  client.start();
  last().welcome();
  last().serverClose(1006);
  const write = client.send('thread.create', { topic: TOPIC, data: { title: 'T', body: 'B' } });
  clock.advance(1000);
  last().welcome();
  const [msg] = last().sentOf('thread.create');
  assert.ok(msg.data.idempotencyKey);
  last().deliver({ type: 'ack', ref: msg.ref, data: { seq: 1, duplicate: false, result: {} } });
  assert.equal((await write).seq, 1);
});

test('commands without an idempotency key fail when the connection drops', async () => {
  const { client, last } = harness();
  client.start();
  last().welcome();
  const edit = client.send('post.delete', { data: { postId: 'x' } });
  last().serverClose(1006);
  await assert.rejects(edit, (err) => err.code === 'disconnected');
  await assert.rejects(client.send('reaction.add', { data: {} }), (err) => err.code === 'disconnected');
});

test('4001 ends the session: "session-ended" is emitted and no reconnect is attempted', () => {
  const { client, last, clock, sockets, events } = harness();
  client.start();
  last().welcome();
  last().serverClose(4001);
  clock.advance(120_000);
  assert.equal(sockets.length, 1);
  assert.equal(client.state, 'closed');
  assert.ok(events.some(([n]) => n === 'session-ended'));
});

for (const code of [1002, 1007, 1008, 1009]) {
  test(`close code ${code} stops reconnecting`, () => {
    const { client, last, clock, sockets } = harness();
    client.start();
    last().welcome();
    last().serverClose(code);
    clock.advance(120_000);
    assert.equal(sockets.length, 1);
    assert.equal(client.state, 'closed');
  });
}

for (const code of [1001, 1006, 1011, 4000, 4008, 4029]) {
  test(`close code ${code} reconnects`, () => {
    const { client, last, clock, sockets } = harness();
    client.start();
    last().welcome();
    last().serverClose(code);
    clock.advance(1000);
    assert.equal(sockets.length, 2);
  });
}

test('stop() closes with 1000 and never reconnects', () => {
  const { client, last, clock, sockets } = harness();
  client.start();
  last().welcome();
  client.stop();
  assert.equal(sockets[0].closedWith, 1000);
  sockets[0].serverClose(1000);
  clock.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.equal(client.state, 'closed');
});

test('events update lastSeq and reach listeners; reload moves lastSeq to its seq', async () => {
  const { client, last, events } = harness();
  client.start();
  client.subscribe(WS);
  last().welcome();
  last().deliver({ type: 'thread.created', topic: TOPIC, seq: 5, data: { thread: { id: 't' }, post: { id: 'p' } } });
  assert.equal(client.lastSeq(WS), 5);
  last().deliver({ type: 'reload', topic: TOPIC, data: { reason: 'too-far-behind', seq: 1200 } });
  assert.equal(client.lastSeq(WS), 1200);
  assert.deepEqual(events.find(([n]) => n === 'reload')[1], { workspaceId: WS, seq: 1200, reason: 'too-far-behind' });
  const ev = events.find(([n]) => n === 'event')[1];
  assert.equal(ev.workspaceId, WS);
  assert.equal(ev.type, 'thread.created');
});

test('presence, typing and notifications are routed to their own events', () => {
  const { client, last, events } = harness();
  client.start();
  last().welcome();
  last().deliver({ type: 'presence.state', topic: TOPIC, data: { present: [] } });
  last().deliver({ type: 'typing', topic: TOPIC, data: { personId: 'p2', name: 'Sara', threadId: 't', expiresInMs: 6000 } });
  last().deliver({ type: 'notification', data: { id: 'n1', kind: 'mention' } });
  assert.deepEqual(events.filter(([n]) => n !== 'state').map(([n]) => n), ['presence', 'typing', 'notification']);
});

test('drop(holdMs) behaves like an outage: reconnecting, then resumes after the hold', () => {
  const { client, last, clock, sockets } = harness();
  client.start();
  client.subscribe(WS);
  last().welcome();
  last().deliver({ type: 'ack', ref: last().sentOf('subscribe')[0].ref, topic: TOPIC, data: { seq: 3 } });
  client.drop(3000);
  assert.equal(client.state, 'reconnecting');
  clock.advance(2000);
  assert.equal(sockets.length, 1, 'held');
  clock.advance(2000);
  assert.equal(sockets.length, 2);
  last().welcome();
  assert.equal(client.state, 'open');
});

test('helpers: ws URL from the page location, workspace id from a topic', () => {
  assert.equal(liveUrl({ protocol: 'https:', host: 'communis.katrineholm.se' }), 'wss://communis.katrineholm.se/api/v1/live');
  assert.equal(liveUrl({ protocol: 'http:', host: '127.0.0.1:8080' }), 'ws://127.0.0.1:8080/api/v1/live');
  assert.equal(workspaceOf(TOPIC), WS);
  assert.equal(workspaceOf('person:x'), null);
});

// ------------------------------------------------------------------ meetings

test('binary frames: arraybuffer type, received frames are emitted, sent only while open', () => {
  const { client, last } = harness();
  const got = [];
  client.onBinary((buf) => got.push(new Uint8Array(buf)));
  client.start();
  assert.equal(last().binaryType, 'arraybuffer');
  assert.equal(client.sendBinary(new Uint8Array([1, 2])), false, 'not before welcome');
  last().welcome();
  const frame = new Uint8Array([0x10, 0x9e, 0, 3, 1, 2, 0, 0, 0xbb, 0x80, 0xf8]);
  last().onmessage({ data: frame.buffer });
  last().onmessage({ data: frame.subarray(2, 4) });
  assert.deepEqual(got.map((b) => [...b]), [[...frame], [0, 3]]);
  assert.equal(client.sendBinary(frame), true);
  assert.deepEqual(last().binary, [frame]);
  last().bufferedAmount = 1_000_000;
  assert.equal(client.sendBinary(frame), false, 'dropped when the socket is backed up');
  assert.equal(last().binary.length, 1);
});

test('meeting messages are emitted with their meeting id; acks still settle commands', async () => {
  const { client, last } = harness();
  const meetings = [];
  const rosters = [];
  client.on('meeting', (m) => meetings.push(m));
  client.on('roster', (r) => rosters.push(r));
  client.start();
  last().welcome();
  const join = client.send('meeting.join', { topic: 'meeting:m1', data: { muted: false } });
  const sent = last().sentOf('meeting.join')[0];
  assert.equal(sent.topic, 'meeting:m1');
  last().deliver({ type: 'ack', ref: sent.ref, topic: 'meeting:m1', data: { state: 'lobby', streamId: 7 } });
  assert.deepEqual(await join, { state: 'lobby', streamId: 7 });
  last().deliver({ type: 'meeting.speaking', topic: 'meeting:m1', data: { speaking: [3] } });
  last().deliver({ type: 'meeting.roster', topic: TOPIC, data: { meetingId: 'm1', state: 'live', participants: [] } });
  assert.deepEqual(meetings, [{ meetingId: 'm1', type: 'meeting.speaking', data: { speaking: [3] } }]);
  assert.deepEqual(rosters, [{ workspaceId: WS, data: { meetingId: 'm1', state: 'live', participants: [] } }]);
});
