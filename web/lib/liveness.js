// Is the live connection still alive? A TCP connection whose network went away (a phone
// changing cell, a proxy that stops forwarding) stays "open" in the browser for minutes;
// the server's WebSocket pings are answered by the browser itself and never reach the page.
// So the page asks: after `idleMs` without any frame while it is watched (a meeting is
// joined), or at once when told to (the page saw the network come back), it sends a probe
// (the protocol's `ping` command). Any frame that arrives afterwards, of any kind, shows the
// connection alive. Only when nothing at all arrives for `probeTimeoutMs` after a probe is
// the connection declared dead (`onDead()`); the caller then closes it and connects anew.
//
// Conservative on purpose — a healthy connection must never be closed:
//  - while other commands are still unanswered (the server answers one connection's
//    commands in order, so a slow `meeting.join` holds the probe's answer back), the
//    timeout is `busyTimeoutMs`;
//  - a check that runs much later than it was due means the page (a throttled or busy tab)
//    stalled, not the network: the probe is sent again and timed from then;
//  - nothing runs while the connection is not open, and nothing is probed while unwatched
//    unless asked.
// Pure logic: the clock and the timers are injected (node tests drive it).

export const LIVENESS_IDLE_MS = 1500;
export const LIVENESS_PROBE_TIMEOUT_MS = 3000;
export const LIVENESS_BUSY_TIMEOUT_MS = 15_000;
export const LIVENESS_CHECK_MS = 250;
/** A check this much later than due: the page stalled, do not blame the network. */
export const LIVENESS_LATE_MS = 1000;

export function createLiveness({
  now,
  setTimeoutImpl,
  clearTimeoutImpl,
  probe,
  onDead,
  busy = () => false,
  idleMs = LIVENESS_IDLE_MS,
  probeTimeoutMs = LIVENESS_PROBE_TIMEOUT_MS,
  busyTimeoutMs = LIVENESS_BUSY_TIMEOUT_MS,
  checkMs = LIVENESS_CHECK_MS,
  lateMs = LIVENESS_LATE_MS,
}) {
  let open = false;
  let watching = false;
  let lastHeard = 0;
  let probeAt = null; // when the unanswered probe was sent
  let timer = null;
  let due = 0;
  let probes = 0;

  function sendProbe(at) {
    probeAt = at;
    probes += 1;
    try { probe(); } catch { /* the connection is going away; its close says so */ }
  }

  function schedule() {
    if (timer || !open || (!watching && probeAt === null)) return;
    due = now() + checkMs;
    timer = setTimeoutImpl(check, checkMs);
  }

  function cancel() {
    if (timer) clearTimeoutImpl(timer);
    timer = null;
  }

  function check() {
    timer = null;
    if (!open) return;
    const at = now();
    const late = at - due > lateMs;
    if (probeAt !== null) {
      if (late) {
        sendProbe(at);
      } else if (at - probeAt >= (busy() ? busyTimeoutMs : probeTimeoutMs)) {
        probeAt = null;
        open = false;
        onDead();
        return;
      }
    } else if (watching && at - lastHeard >= idleMs) {
      sendProbe(at);
    }
    schedule();
  }

  return {
    /** The connection is open (welcome received): start watching from now. */
    opened() {
      open = true;
      lastHeard = now();
      probeAt = null;
      cancel();
      schedule();
    },
    /** The connection closed or is being replaced: nothing more to check. */
    closed() {
      open = false;
      probeAt = null;
      cancel();
    },
    /** A frame (text or binary) arrived on the open connection. */
    heard() {
      lastHeard = now();
      probeAt = null;
    },
    /** Keep probing after `idleMs` of silence (true while a meeting is joined). */
    setWatching(on) {
      watching = Boolean(on);
      if (watching) {
        // Silence before being watched does not count.
        lastHeard = Math.max(lastHeard, now());
        schedule();
      }
    },
    /** Probe now (the page saw the network come back); a no-op while a probe is out. */
    probeNow() {
      if (!open || probeAt !== null) return;
      sendProbe(now());
      schedule();
    },
    get watching() { return watching; },
    get probing() { return probeAt !== null; },
    get probes() { return probes; },
  };
}
