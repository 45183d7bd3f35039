// A fake clock for tests of code that takes injected timers: timers run in time order when
// `advance(ms)` passes them.
export function createFakeClock(start = 0) {
  const timers = [];
  let now = start;
  return {
    now: () => now,
    setTimeoutImpl(fn, ms) { const t = { fn, at: now + ms, ms, done: false }; timers.push(t); return t; },
    clearTimeoutImpl(t) { if (t) t.done = true; },
    /** Runs every timer due within `ms`, in time order. */
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
    /** The delay of every timer set so far. */
    delays: () => timers.map((t) => t.ms),
  };
}
