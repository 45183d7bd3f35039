// Arrival statistics for the jitter buffer (jitter-buffer.js): what delay this network needs.
//
//  - RFC 3550 inter-arrival jitter J (§6.4.1: D = (Rj − Ri) − (Sj − Si), J += (|D| − J) / 16),
//    leaving out the gaps that are stalls (they are counted below) and timeline jumps;
//  - stalls: a stall is a gap between two arrivals longer than 3 frames (TCP turns loss and
//    radio handovers into stalls: nothing for 0.3–0.8 s, then everything at once). The
//    lengths of the stalls of the last 30 s are kept, and `stallMs` is their 90th
//    percentile, each stall weighing less as it ages (half after 15 s), so the estimate
//    decays when the network gets better;
//  - the delay each frame needed: its transit time minus the shortest transit of the last
//    ~10 s ("relative delay", as NetEQ measures it); `spreadMs` is a high percentile (95th)
//    of it minus its mean, over the frames that were not part of a stall (from a stall until
//    the transit time is back within 3 frames of what it was before).
// Pure: no timers; every method takes the arrival clock (ms).

const STALL_WINDOW_MS = 30_000;
const STALL_HALF_LIFE_MS = 15_000;
const RELATIVE_WINDOW = 500; // frames (10 s of 20 ms frames)
/**
 * A transit time that drops by more than this (or grows by ten times it) is a new timeline
 * (the sender restarted), not jitter or a stall.
 */
export const TRANSIT_RESET_MS = 1000;

export function createArrivalStats({ frameMs = 20, stallFrames = 3 } = {}) {
  let jitterMs = 0;
  let lastTransit = null;
  let lastArrival = null;
  let stalls = 0;
  const stallLog = []; // {at, ms}
  const transits = []; // transit times (ms) of the last frames
  let minTransit = Infinity;
  let stallBase = null; // the transit time before the current stall, until its backlog is in
  let stallAt = 0;

  function recentStalls(now) {
    while (stallLog.length && now - stallLog[0].at > STALL_WINDOW_MS) stallLog.shift();
    return stallLog;
  }

  return {
    /** One frame arrived at `arrivalMs` with media time `mediaMs`. Returns the gap (ms) or null. */
    arrive(arrivalMs, mediaMs) {
      if (!Number.isFinite(arrivalMs)) return null;
      const transit = arrivalMs - mediaMs;
      const gap = lastArrival === null ? null : arrivalMs - lastArrival;
      if (lastTransit !== null) {
        // A stall: the frame came much later than its media time says (a sender that paused
        // moves its timestamps on, so its pause is no stall).
        const d = transit - lastTransit;
        if (d <= -TRANSIT_RESET_MS || d >= 10 * TRANSIT_RESET_MS) { transits.length = 0; minTransit = Infinity; stallBase = null; }
        else if (d > stallFrames * frameMs) {
          stalls += 1;
          stallLog.push({ at: arrivalMs, ms: gap });
          if (stallBase === null) { stallBase = lastTransit; stallAt = arrivalMs; }
        } else jitterMs += (Math.abs(d) - jitterMs) / 16;
      }
      lastTransit = transit;
      lastArrival = arrivalMs;
      // The frames that come with a stall's backlog are the stall's (counted above), not jitter.
      // (A path that stays slower for good is the new normal after a few seconds.)
      if (stallBase !== null && (transit <= stallBase + stallFrames * frameMs || arrivalMs - stallAt > 3000)) stallBase = null;
      if (stallBase !== null) return gap;
      transits.push(transit);
      if (transits.length > RELATIVE_WINDOW) {
        const gone = transits.shift();
        if (gone <= minTransit) minTransit = Math.min(...transits);
      }
      if (transit < minTransit) minTransit = transit;
      return gap;
    },

    get jitterMs() { return jitterMs; },
    get stalls() { return stalls; },

    /** The stall length (ms) covering 90 % of the recent stalls (0 when there were none). */
    stallMs(now) {
      const list = recentStalls(now ?? lastArrival ?? 0);
      if (!list.length) return 0;
      const at = now ?? lastArrival;
      const items = list.map((s) => ({ ms: s.ms, w: 0.5 ** ((at - s.at) / STALL_HALF_LIFE_MS) })).sort((a, b) => a.ms - b.ms);
      const total = items.reduce((sum, s) => sum + s.w, 0);
      let acc = 0;
      for (const s of items) {
        acc += s.w;
        if (acc >= 0.9 * total) return s.ms;
      }
      return items[items.length - 1].ms;
    },

    /** The 95th percentile of the relative delay minus its mean (ms), over the last ~10 s. */
    spreadMs() {
      if (transits.length < 10) return 0;
      const rel = transits.map((t) => t - minTransit).sort((a, b) => a - b);
      const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
      return Math.max(0, rel[Math.floor(0.95 * (rel.length - 1))] - mean);
    },
  };
}
