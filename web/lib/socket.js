// The live client: one WebSocket per tab to /api/v1/live (docs/protocol.md).
// Pure logic: the WebSocket constructor, timers, randomness and id generation are injected
// so `node --test` can drive every case (reconnects, resume, resends) without a browser.
//
// What it does:
//  - connects, waits for `welcome`, then (re)subscribes every workspace with its lastSeq;
//  - sends commands with a `ref` and settles their promise on `ack` / `error`;
//  - keeps, per workspace, the highest event seq processed, for resuming;
//  - reconnects with exponential back-off and ±50 % jitter (0.5 s doubling to 30 s) unless
//    the close code says not to (4001 → "session-ended"; 1002/1007/1008/1009 → stop);
//  - reconnects at once, with the back-off reset, when the page sees the network come back
//    (`online`) or finds the connection dead (liveness.js: a probe went unanswered); one
//    quick retry follows, back-off only after two failed attempts. A connection that is
//    open and answering is never closed; an attempt in progress is never abandoned. While a
//    meeting watches the connection (`watch()`) and the network was lost (1006), the
//    back-off stays short (at most ~1 s) for its first minute down;
//  - keeps writes that carry an idempotencyKey until acknowledged and resends them, with the
//    same key, after reconnecting;
//  - emits "state" ("connecting" | "open" | "reconnecting" | "closed") for the banner;
//  - meetings: emits "meeting" for messages on a `meeting:<id>` topic, "roster" for
//    `meeting.roster` on a workspace topic, and "binary" (an ArrayBuffer) for every binary
//    frame (meeting audio); `sendBinary()` sends one, dropping it rather than queueing
//    when the connection is not open or already has too much waiting (audio is live).

import { createLiveness } from './liveness.js';

export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 30_000;
/** After an urgent reconnect (online, dead probe) fails: one more try this soon, then back-off. */
export const QUICK_RETRY_MS = 100;
export const QUICK_RETRIES = 1;
/** While a meeting watches the connection: back-off base at most this, for the first minute down. */
export const WATCHED_MAX_DELAY_MS = 700;
export const WATCHED_FAST_WINDOW_MS = 60_000;
/** The code this client closes a connection it found dead with. */
export const DEAD_CLOSE_CODE = 3001;
/** Close codes after which reconnecting cannot help (the client or the message is at fault). */
export const FATAL_CLOSE_CODES = new Set([1002, 1007, 1008, 1009]);
export const SESSION_ENDED_CODE = 4001;
/** Commands that create something; they get an idempotencyKey and survive a reconnect. */
export const IDEMPOTENT_WRITES = new Set(['thread.create', 'post.create', 'blog.comment']);

/** An error answer (or a lost connection) for a command; `code` is the protocol error code. */
export class LiveError extends Error {
  constructor(code, message = '', data = {}) {
    super(message || code);
    this.name = 'LiveError';
    this.code = code;
    this.data = data;
  }
}

/**
 * Delay before reconnect attempt `attempt` (0-based): 0.5 s · 2^attempt, at most 30 s,
 * then jittered by ±50 % (`random()` in [0, 1) → factor in [0.5, 1.5)).
 */
export function backoffDelay(attempt, random = Math.random, maxMs = RECONNECT_MAX_MS) {
  const base = Math.min(maxMs, RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + random()));
}

/** ws:// or wss:// URL of the live endpoint for a page location. */
export function liveUrl(loc) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/live`;
}

export const topicFor = (workspaceId) => `workspace:${workspaceId}`;
export const meetingTopic = (meetingId) => `meeting:${meetingId}`;

/** Meeting id of a `meeting:<id>` topic, or null. */
export function meetingOf(topic) {
  return typeof topic === 'string' && topic.startsWith('meeting:') ? topic.slice('meeting:'.length) : null;
}

/**
 * Audio waiting in the socket beyond this is stale: newer frames are dropped instead. 8 KiB
 * is about 1.5 s of 32 kbit/s Opus with headers; later than that nobody wants to hear it.
 */
export const MAX_BUFFERED_AUDIO_BYTES = 8 * 1024;

/** Workspace id of a `workspace:<id>` topic, or null. */
export function workspaceOf(topic) {
  return typeof topic === 'string' && topic.startsWith('workspace:') ? topic.slice('workspace:'.length) : null;
}

/**
 * Creates the client. Nothing happens until `start()`.
 * Options: url, WebSocketImpl (constructor), setTimeout/clearTimeout, random, randomUUID,
 * now (a monotonic clock in ms), onlineTarget (where `online` events come from: window),
 * liveness (options for liveness.js: idleMs, probeTimeoutMs, …).
 */
export function createLiveClient({
  url,
  WebSocketImpl = globalThis.WebSocket,
  setTimeoutImpl = globalThis.setTimeout?.bind(globalThis),
  clearTimeoutImpl = globalThis.clearTimeout?.bind(globalThis),
  random = Math.random,
  randomUUID = () => globalThis.crypto.randomUUID(),
  now = () => (globalThis.performance?.now ? globalThis.performance.now() : Date.now()),
  onlineTarget = typeof window !== 'undefined' ? window : null,
  liveness: livenessOptions = {},
} = {}) {
  const listeners = new Map(); // event name → Set of functions
  const subscriptions = new Map(); // workspaceId → {lastSeq, waiters: [{resolve, reject}]}
  const pending = new Map(); // ref → {message, resolve, reject, resend}
  const outbox = []; // refs of writes waiting for an open connection, in order
  let ws = null;
  let state = 'idle';
  let attempt = 0;
  let refCounter = 0;
  let reconnectTimer = null;
  let holdUntilTimer = false; // drop(holdMs): no reconnect before the hold timer fires
  let stopped = true;
  let welcome = null;
  let quickRetries = 0; // quick retries left after an urgent reconnect
  let downSince = null; // when the open connection was lost (null while open)
  let lastCloseCode = null;
  let watchers = 0; // meetings that want the connection watched
  const liveness = createLiveness({
    now, setTimeoutImpl, clearTimeoutImpl, ...livenessOptions,
    probe: () => { command('ping', {}, { probe: true }).catch(() => {}); },
    // Another command still unanswered: the server answers in order, the probe waits behind it.
    busy: () => [...pending.values()].some((e) => !e.probe),
    onDead: () => declareDead(),
  });

  function emit(name, payload) {
    for (const fn of [...(listeners.get(name) ?? [])]) {
      try { fn(payload); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }

  function setState(next) {
    if (next === state) return;
    state = next;
    emit('state', next);
  }

  function rawSend(message) {
    if (!ws || state !== 'open') return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  function nextRef() {
    refCounter += 1;
    return `c${refCounter}`;
  }

  function connect() {
    reconnectTimer = null;
    if (stopped) return;
    setState(attempt === 0 && welcome === null ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new WebSocketImpl(url);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = socket;
    try { socket.binaryType = 'arraybuffer'; } catch { /* not a browser socket */ }
    socket.onmessage = (ev) => {
      if (ws !== socket) return;
      liveness.heard();
      if (typeof ev.data === 'string') handleText(ev.data);
      else if (ev.data instanceof ArrayBuffer) emit('binary', ev.data);
      else if (ArrayBuffer.isView(ev.data)) emit('binary', ev.data.buffer.slice(ev.data.byteOffset, ev.data.byteOffset + ev.data.byteLength));
    };
    socket.onclose = (ev) => { if (ws === socket) handleClose(ev?.code ?? 1006); };
    socket.onerror = () => { /* a close event follows */ };
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    setState('reconnecting');
    let delay;
    if (quickRetries > 0) {
      quickRetries -= 1;
      delay = Math.round(QUICK_RETRY_MS * (0.5 + random()));
    } else {
      // Only for a lost network (1006); a server that asked for a pause (1001, 4029) gets it.
      const fast = watchers > 0 && lastCloseCode === 1006 && downSince !== null && now() - downSince < WATCHED_FAST_WINDOW_MS;
      delay = backoffDelay(attempt, random, fast ? WATCHED_MAX_DELAY_MS : RECONNECT_MAX_MS);
      attempt += 1;
    }
    reconnectTimer = setTimeoutImpl(connect, delay);
  }

  /**
   * Connects at once with the back-off reset (the network came back, or the connection was
   * found dead). Leaves an open or still connecting socket alone, and a drop(holdMs) hold.
   */
  function reconnectNow() {
    if (stopped || ws || holdUntilTimer) return;
    if (reconnectTimer) { clearTimeoutImpl(reconnectTimer); reconnectTimer = null; }
    attempt = 0;
    quickRetries = QUICK_RETRIES;
    connect();
  }

  /** The liveness probe went unanswered: close this connection and connect anew at once. */
  function declareDead() {
    const socket = ws;
    if (!socket || stopped || state !== 'open') return;
    ws = null;
    try { socket.close(DEAD_CLOSE_CODE); } catch { /* already closing */ }
    handleClose(1006);
    emit('dead', {});
    reconnectNow();
  }

  function onOnline() {
    if (stopped) return;
    if (!ws) reconnectNow(); // waiting for a back-off timer: try now
    else if (state === 'open') liveness.probeNow(); // the old connection may not have survived
    // else an attempt is in progress: let it finish
  }

  function handleClose(code) {
    ws = null;
    liveness.closed();
    lastCloseCode = code;
    if (state === 'open' || downSince === null) downSince = now();
    // Commands without an idempotency key cannot be safely repeated: they fail now.
    for (const [ref, entry] of pending) {
      if (!entry.resend) {
        pending.delete(ref);
        entry.reject(new LiveError('disconnected'));
      } else if (!outbox.includes(ref)) {
        outbox.push(ref);
      }
    }
    if (stopped) { setState('closed'); return; }
    if (code === SESSION_ENDED_CODE) {
      stopped = true;
      setState('closed');
      emit('session-ended', { code });
      return;
    }
    if (FATAL_CLOSE_CODES.has(code)) {
      stopped = true;
      setState('closed');
      emit('fatal', { code });
      return;
    }
    if (holdUntilTimer) { setState('reconnecting'); return; }
    scheduleReconnect();
  }

  function handleText(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (!msg || typeof msg !== 'object') return;
    emit('message', msg);
    const workspaceId = workspaceOf(msg.topic);
    const meetingId = meetingOf(msg.topic);
    if (meetingId && msg.type !== 'ack' && msg.type !== 'error') {
      emit('meeting', { meetingId, type: msg.type, data: msg.data ?? {} });
      return;
    }
    switch (msg.type) {
      case 'welcome':
        welcome = msg.data ?? {};
        attempt = 0;
        quickRetries = 0;
        downSince = null;
        setState('open');
        liveness.opened();
        emit('welcome', welcome);
        for (const [id, sub] of subscriptions) sendSubscribe(id, sub);
        for (const ref of outbox.splice(0)) {
          const entry = pending.get(ref);
          if (entry) rawSend(entry.message);
        }
        return;
      case 'ack':
      case 'error': {
        const entry = pending.get(msg.ref);
        if (!entry) return;
        pending.delete(msg.ref);
        if (msg.type === 'ack') entry.resolve(msg.data ?? {});
        else entry.reject(new LiveError(msg.data?.code ?? 'unknown', msg.data?.message ?? '', msg.data ?? {}));
        return;
      }
      case 'presence.state':
      case 'presence.diff':
        if (workspaceId) emit('presence', { workspaceId, type: msg.type, data: msg.data ?? {} });
        return;
      case 'typing':
        if (workspaceId) emit('typing', { workspaceId, data: msg.data ?? {} });
        return;
      case 'notification':
        emit('notification', msg.data ?? {});
        return;
      case 'meeting.roster':
        if (workspaceId) emit('roster', { workspaceId, data: msg.data ?? {} });
        return;
      case 'reload': {
        const sub = workspaceId ? subscriptions.get(workspaceId) : null;
        const seq = Number(msg.data?.seq);
        if (sub && Number.isFinite(seq)) sub.lastSeq = seq;
        emit('reload', { workspaceId, seq, reason: msg.data?.reason });
        return;
      }
      case 'unsubscribed':
        if (workspaceId) subscriptions.delete(workspaceId);
        emit('unsubscribed', { workspaceId, reason: msg.data?.reason });
        return;
      default:
        if (workspaceId && Number.isInteger(msg.seq)) {
          const sub = subscriptions.get(workspaceId);
          if (sub) sub.lastSeq = Math.max(sub.lastSeq ?? 0, msg.seq);
          emit('event', { workspaceId, type: msg.type, seq: msg.seq, data: msg.data ?? {} });
        }
    }
  }

  function command(type, { topic, data = {} } = {}, { resend = false, probe = false } = {}) {
    const ref = nextRef();
    const message = { v: 1, type, ref, data };
    if (topic) message.topic = topic;
    return new Promise((resolve, reject) => {
      if (state !== 'open' && !resend) { reject(new LiveError('disconnected')); return; }
      pending.set(ref, { message, resolve, reject, resend, probe });
      if (!rawSend(message)) outbox.push(ref);
    });
  }

  function sendSubscribe(workspaceId, sub) {
    const data = Number.isInteger(sub.lastSeq) ? { lastSeq: sub.lastSeq } : {};
    command('subscribe', { topic: topicFor(workspaceId), data }).then((ack) => {
      if (subscriptions.get(workspaceId) !== sub) return;
      const seq = Number(ack?.seq);
      // Replayed events come before the ack, so after it we are at least at `seq`.
      if (Number.isInteger(seq)) sub.lastSeq = Math.max(sub.lastSeq ?? 0, seq);
      for (const w of sub.waiters.splice(0)) w.resolve({ seq: sub.lastSeq });
      emit('subscribed', { workspaceId, seq: sub.lastSeq });
    }, (err) => {
      if (err.code === 'disconnected') return; // resubscribed after reconnecting
      if (subscriptions.get(workspaceId) === sub) subscriptions.delete(workspaceId);
      for (const w of sub.waiters.splice(0)) w.reject(err);
    });
  }

  const client = {
    get state() { return state; },
    get person() { return welcome?.person ?? null; },
    get limits() { return welcome?.limits ?? null; },

    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name)?.delete(fn);
    },

    start() {
      if (!stopped) return;
      stopped = false;
      attempt = 0;
      onlineTarget?.addEventListener?.('online', onOnline);
      connect();
    },

    /** Closes for good (logout, leaving the app): no reconnect; pending writes fail. */
    stop() {
      stopped = true;
      onlineTarget?.removeEventListener?.('online', onOnline);
      liveness.closed();
      if (reconnectTimer) { clearTimeoutImpl(reconnectTimer); reconnectTimer = null; }
      const socket = ws;
      ws = null;
      try { socket?.close(1000); } catch { /* already closed */ }
      for (const [ref, entry] of pending) { pending.delete(ref); entry.reject(new LiveError('disconnected')); }
      outbox.length = 0;
      setState('closed');
    },

    /**
     * Subscribes to a workspace (now, or as soon as the connection is open, and again after
     * every reconnect with its lastSeq). Resolves with `{seq}` at the first ack.
     */
    subscribe(workspaceId) {
      let sub = subscriptions.get(workspaceId);
      if (!sub) {
        sub = { lastSeq: undefined, waiters: [], acked: false };
        subscriptions.set(workspaceId, sub);
        if (state === 'open') sendSubscribe(workspaceId, sub);
      }
      return new Promise((resolve, reject) => {
        if (sub.acked) resolve({ seq: sub.lastSeq });
        else sub.waiters.push({ resolve, reject });
      });
    },

    unsubscribe(workspaceId) {
      const sub = subscriptions.get(workspaceId);
      if (!sub) return;
      subscriptions.delete(workspaceId);
      for (const w of sub.waiters.splice(0)) w.reject(new LiveError('unsubscribed'));
      if (state === 'open') command('unsubscribe', { topic: topicFor(workspaceId) }).catch(() => {});
    },

    lastSeq(workspaceId) { return subscriptions.get(workspaceId)?.lastSeq; },
    isSubscribed(workspaceId) { return subscriptions.has(workspaceId); },

    /**
     * Sends a command; resolves with the ack's `data`, rejects with a LiveError. Writes that
     * create something get an idempotencyKey and are resent after a reconnect until acked.
     */
    send(type, { topic, data = {} } = {}) {
      const write = IDEMPOTENT_WRITES.has(type);
      const payload = write && !data.idempotencyKey ? { ...data, idempotencyKey: randomUUID() } : data;
      return command(type, { topic, data: payload }, { resend: write });
    },

    /** Fire-and-forget typing notice (no ack); dropped when not connected. */
    typing(workspaceId, threadId) {
      return rawSend({ v: 1, type: 'typing', topic: topicFor(workspaceId), data: { threadId } });
    },

    /**
     * Sends one binary frame (meeting audio). Returns false, sending nothing, when the
     * connection is not open or more than `maxBuffered` bytes are still waiting to go out:
     * late audio is worth less than none.
     */
    sendBinary(data, { maxBuffered = MAX_BUFFERED_AUDIO_BYTES } = {}) {
      if (!ws || state !== 'open') return false;
      if ((ws.bufferedAmount ?? 0) > maxBuffered) return false;
      ws.send(data);
      return true;
    },

    /** Registers `fn(arrayBuffer)` for binary frames; returns the function that removes it. */
    onBinary(fn) { return client.on('binary', fn); },

    /**
     * Watches the connection (a meeting is joined): after a short silence it is probed and,
     * if nothing answers, replaced at once; reconnect back-off stays short meanwhile.
     * Returns the function that stops watching (call it once).
     */
    watch() {
      watchers += 1;
      liveness.setWatching(true);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        watchers = Math.max(0, watchers - 1);
        liveness.setWatching(watchers > 0);
      };
    },

    /** The page saw the network come back (the `online` event does this by itself). */
    networkBack() { onOnline(); },

    /** Liveness probes sent so far (tests, debugging). */
    get probes() { return liveness.probes; },

    /** Number of commands still waiting for an answer (tests, debugging). */
    get pendingCount() { return pending.size; },

    /**
     * Debugging and tests: drops the connection as a network failure would. With `holdMs`
     * the next attempt waits at least that long (a longer outage).
     */
    drop(holdMs = 0) {
      const socket = ws;
      if (!socket) return false;
      if (holdMs > 0) {
        holdUntilTimer = true;
        setTimeoutImpl(() => { holdUntilTimer = false; if (!ws && !stopped) scheduleReconnect(); }, holdMs);
      }
      ws = null;
      try { socket.close(3000); } catch { /* ignore */ }
      handleClose(1006);
      return true;
    },
  };
  // Mark subscriptions acked once their first ack arrives (used by subscribe()).
  client.on('subscribed', ({ workspaceId }) => { const s = subscriptions.get(workspaceId); if (s) s.acked = true; });
  return client;
}
