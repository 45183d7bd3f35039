// The meeting client over the real live client (fake WebSocket, fake audio globals): while
// the connection is down the meeting is "reconnecting"; once back it rejoins with its
// stream and token; `rejoined: false` moves it to the new stream; a rejoin is never given up
// because the connection dropped again; the connection is watched only while in the meeting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveClient } from '../lib/socket.js';
import { createMeetingClient } from '../meeting/client.js';

const saved = {};
before(() => {
  const fakes = {
    AudioContext: class { constructor() { this.audioWorklet = { addModule: async () => {} }; this.destination = {}; } resume() { return Promise.resolve(); } close() { return Promise.resolve(); } },
    AudioWorkletNode: class { constructor() { this.port = { postMessage() {}, onmessage: null }; } connect() {} disconnect() {} },
    AudioEncoder: class { static async isConfigSupported(c) { return { supported: true, config: c }; } },
    AudioDecoder: class { static async isConfigSupported() { return { supported: true }; } },
    EncodedAudioChunk: class {},
    AudioData: class {},
    navigator: { mediaDevices: { getUserMedia: async () => ({}) } },
  };
  for (const [k, v] of Object.entries(fakes)) {
    saved[k] = Object.getOwnPropertyDescriptor(globalThis, k);
    Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
});
after(() => {
  for (const [k, d] of Object.entries(saved)) {
    if (d) Object.defineProperty(globalThis, k, d); else delete globalThis[k];
  }
});

const TOPIC = 'meeting:m1';
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const sockets = [];
  class FakeSocket {
    constructor() { this.sent = []; this.closedWith = null; sockets.push(this); }
    send(d) { if (typeof d === 'string') this.sent.push(JSON.parse(d)); }
    close(code) { this.closedWith = code; }
    deliver(msg) { this.onmessage?.({ data: JSON.stringify({ v: 1, ...msg }) }); }
    welcome() { this.deliver({ type: 'welcome', data: { person: { id: 'a', name: 'Anna' }, limits: {} } }); }
    sentOf(type) { return this.sent.filter((m) => m.type === type); }
    ack(m, data) { this.deliver({ type: 'ack', ref: m.ref, topic: m.topic, data }); }
  }
  const timers = [];
  let now = 0;
  const live = createLiveClient({
    url: 'ws://x', WebSocketImpl: FakeSocket, random: () => 0.5, randomUUID: () => 'k', now: () => now, onlineTarget: null,
    setTimeoutImpl: (fn, ms) => { const t = { fn, at: now + ms, done: false }; timers.push(t); return t; },
    clearTimeoutImpl: (t) => { if (t) t.done = true; },
  });
  const advance = (ms) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => !t.done && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at; due.done = true; due.fn();
    }
    now = end;
  };
  live.start();
  sockets[0].welcome();
  const statuses = [];
  const client = createMeetingClient({ live, meetingId: 'm1', onChange: (s) => statuses.push(s.status) });
  const last = () => sockets[sockets.length - 1];
  return { live, client, sockets, last, advance, statuses };
}

const snapshot = (you, extra = {}) => ({
  id: 'm1', title: 'Veckomöte', you, moderator: false,
  participants: [
    { streamId: 1, person: { id: 'e', name: 'Erik' }, muted: false, handRaised: false, moderator: true, guest: false, connection: 'ok', quality: 'good' },
    { streamId: you, person: { id: 'a', name: 'Anna' }, muted: false, handRaised: false, moderator: false, guest: false, connection: 'ok', quality: 'good' },
  ],
  lobby: [], speaking: [], ...extra,
});

async function joinedClient() {
  const h = setup();
  const joining = h.client.join({ listen: true });
  for (let i = 0; i < 10 && !h.last().sentOf('meeting.join').length; i++) await flush();
  const join = h.last().sentOf('meeting.join')[0];
  assert.deepEqual(join.data, { muted: true });
  h.last().ack(join, { state: 'joined', streamId: 3, rejoinToken: 'tok-1234567890123456789012', meeting: snapshot(3) });
  await joining;
  assert.equal(h.client.state.status, 'joined');
  return h;
}

test('a dropped connection: reconnecting, then a rejoin with stream and token takes the stream back', async () => {
  const h = await joinedClient();
  const { client, live, last, advance } = h;
  assert.equal(live.probes, 0);
  live.drop();
  assert.equal(client.state.status, 'reconnecting');
  assert.equal(Object.keys(client.state.participants).length, 2, 'the room stays');
  advance(600);
  last().welcome();
  await flush();
  const rejoin = last().sentOf('meeting.join')[0];
  assert.deepEqual(rejoin.data, { muted: true, rejoin: { streamId: 3, token: 'tok-1234567890123456789012' } });
  assert.equal(client.state.status, 'reconnecting', 'still reconnecting until the ack');
  last().ack(rejoin, { state: 'joined', streamId: 3, rejoined: true, rejoinToken: 'tok-2', meeting: snapshot(3) });
  await flush();
  assert.equal(client.state.status, 'joined');
  assert.equal(client.state.you, 3);
  assert.equal(client.state.rejoinToken, 'tok-2');
  assert.deepEqual(client.rejoins, [{ rejoined: true, streamId: 3 }]);
  assert.ok(!h.statuses.includes('joining') || h.statuses.indexOf('joining') < h.statuses.indexOf('reconnecting'), 'no "joining" during the rejoin');
  client.dispose();
});

test('rejoined: false: the new stream id becomes mine', async () => {
  const h = await joinedClient();
  h.live.drop();
  h.advance(600);
  h.last().welcome();
  await flush();
  const rejoin = h.last().sentOf('meeting.join')[0];
  h.last().ack(rejoin, { state: 'joined', streamId: 8, rejoined: false, rejoinToken: 'tok-3', meeting: snapshot(8) });
  await flush();
  assert.equal(h.client.state.status, 'joined');
  assert.equal(h.client.state.you, 8);
  assert.deepEqual(h.client.rejoins, [{ rejoined: false, streamId: 8 }]);
  h.client.dispose();
});

test('the connection drops again during the rejoin: still reconnecting, and the next welcome rejoins', async () => {
  const h = await joinedClient();
  h.live.drop();
  h.advance(600);
  h.last().welcome();
  await flush();
  assert.equal(h.last().sentOf('meeting.join').length, 1);
  h.live.drop(); // the join is not answered
  await flush();
  assert.equal(h.client.state.status, 'reconnecting', 'the rejoin is not given up');
  h.advance(2000);
  h.last().welcome();
  await flush();
  const again = h.last().sentOf('meeting.join')[0];
  assert.equal(again.data.rejoin.streamId, 3);
  h.last().ack(again, { state: 'joined', streamId: 3, rejoined: true, rejoinToken: 'tok-4', meeting: snapshot(3) });
  await flush();
  assert.equal(h.client.state.status, 'joined');
  h.client.dispose();
});

test('the meeting ended meanwhile: the rejoin says so', async () => {
  const h = await joinedClient();
  h.live.drop();
  h.advance(600);
  h.last().welcome();
  await flush();
  const rejoin = h.last().sentOf('meeting.join')[0];
  h.last().deliver({ type: 'error', ref: rejoin.ref, topic: TOPIC, data: { code: 'meeting-ended', message: 'ended' } });
  await flush();
  assert.equal(h.client.state.status, 'ended');
  h.client.dispose();
});

test('muting while reconnecting is kept and carried by the rejoin', async () => {
  const h = await joinedClient();
  h.live.drop();
  await h.client.setMuted(true); // listen-only is muted anyway; the wish is kept without a command
  h.advance(600);
  h.last().welcome();
  await flush();
  assert.equal(h.last().sentOf('meeting.join')[0].data.muted, true);
  assert.equal(h.last().sentOf('meeting.mute').length, 0);
  h.client.dispose();
});

test('the connection is watched (probed when silent) only while in the meeting', async () => {
  const h = await joinedClient();
  h.advance(1600);
  assert.equal(h.last().sentOf('ping').length, 1, 'a silent meeting is probed');
  h.last().ack(h.last().sentOf('ping')[0], { ok: true });
  const leaving = h.client.leave();
  await flush();
  const leave = h.last().sentOf('meeting.leave')[0];
  h.last().ack(leave, { ok: true });
  await leaving;
  assert.equal(h.client.state.status, 'left');
  const n = h.last().sentOf('ping').length;
  h.advance(30_000);
  assert.equal(h.last().sentOf('ping').length, n, 'no probes after leaving');
  h.client.dispose();
});
