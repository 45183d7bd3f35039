// "How long to wait" after a 429 too-many-attempts: the seconds to wait, the text that says
// so ("Vänta 2 minuter innan du försöker igen.") and when a countdown should speak. Pure, so
// `node --test` checks the wording in both languages.
import { plural } from './i18n.js';

/** Used when a 429 carries neither a body field nor a Retry-After header. */
export const DEFAULT_WAIT_SECONDS = 60;

/**
 * Seconds to wait from an ApiError of a 429: the body's `retryAfterSeconds`, else the
 * `Retry-After` header (both in whole seconds), else `fallback`. Never below 1.
 */
export function retryAfterOf(err, fallback = DEFAULT_WAIT_SECONDS) {
  for (const value of [err?.retryAfterSeconds, err?.retryAfter]) {
    const n = Number(value);
    if (value !== null && value !== undefined && value !== '' && Number.isFinite(n) && n >= 0) {
      return Math.max(1, Math.ceil(n));
    }
  }
  return fallback;
}

/**
 * How to say a wait: whole seconds under a minute, otherwise minutes rounded up (a person
 * told "1 minut" who comes back after 60 s must not be refused again): 45 → 45 seconds,
 * 60 → 1 minute, 61 → 2 minutes.
 */
export function waitAmount(seconds) {
  const s = Math.max(0, Math.ceil(Number(seconds) || 0));
  if (s < 60) return { unit: 'seconds', count: s };
  return { unit: 'minutes', count: Math.ceil(s / 60) };
}

/** "Vänta 2 minuter innan du försöker igen." / "Wait 45 seconds before you try again." */
export function waitText(t, seconds) {
  const { unit, count } = waitAmount(seconds);
  return plural(t, `wait.${unit}`, count);
}

/** Whole seconds left until `untilMs` at `nowMs` (never negative). */
export function remainingSeconds(untilMs, nowMs) {
  return Math.max(0, Math.ceil((untilMs - nowMs) / 1000));
}

/**
 * What a screen reader should hear as the countdown moves from `previous` to `current`
 * seconds left: 'start' when the wait begins (previous null), 'done' when it reaches zero,
 * otherwise null — the visible countdown changes every second, the polite live region only
 * at these two moments, so nobody is interrupted once a second.
 */
export function countdownAnnouncement(previous, current) {
  if (previous === null || previous === undefined) return current > 0 ? 'start' : null;
  if (previous > 0 && current <= 0) return 'done';
  return null;
}
