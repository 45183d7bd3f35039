// Formatting of times and small values for display.

const LOCALES = { sv: 'sv-SE', en: 'en-GB' };

function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "26 nov. 2026" (sv) / "26 Nov 2026" (en); '' for missing or invalid input. (Days without a time: review dates, expiry.) */
export function formatDate(iso, lang = 'sv', timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'sv-SE', {
    year: 'numeric', month: 'short', day: 'numeric', timeZone,
  }).format(d);
}

/** A calendar day ("2027-06-30", as review dates are stored) in the same pattern: "30 juni 2027". */
export function formatDay(day, lang = 'sv') {
  return /^\d{4}-\d{2}-\d{2}$/.test(String(day ?? '')) ? formatDate(`${day}T12:00:00Z`, lang) : String(day ?? '');
}

/** "18:22" in the reader's language and Swedish time. */
export function formatTime(iso, lang = 'sv', timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'sv-SE', { hour: '2-digit', minute: '2-digit', timeZone }).format(d);
}

/**
 * The one absolute pattern of the client: the date as formatDate gives it, then the time –
 * "26 nov. 2026 18:22" (sv) / "26 Nov 2026 18:22" (en).
 */
export function formatDateTime(iso, lang = 'sv', timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  return `${formatDate(iso, lang, timeZone)} ${formatTime(iso, lang, timeZone)}`;
}

/** The calendar day of `d` in `timeZone` as a day number (days since 1970-01-01). */
function dayNumber(d, timeZone) {
  const [y, m, day] = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone })
    .format(d).split('-').map(Number);
  return Date.UTC(y, m - 1, day) / 86_400_000;
}

/** "om 12 minuter" / "för 5 minuter sedan" (minutes under an hour, else hours): Intl.RelativeTimeFormat. */
export function formatRelative(iso, lang = 'sv', now = new Date()) {
  const d = toDate(iso);
  if (!d) return '';
  const minutes = Math.round((d.getTime() - now.getTime()) / 60_000);
  const rtf = new Intl.RelativeTimeFormat(LOCALES[lang] ?? 'sv-SE', { numeric: 'auto' });
  return Math.abs(minutes) < 60 ? rtf.format(minutes, 'minute') : rtf.format(Math.round(minutes / 60), 'hour');
}

const DAY_WORDS = { sv: { '-1': 'i går', 0: 'i dag', 1: 'i morgon' }, en: { '-1': 'yesterday', 0: 'today', 1: 'tomorrow' } };

/**
 * The one helper for showing when something happened or will happen: relative when it is
 * recent ("just nu", "för 5 minuter sedan", "i dag 10:15", "i går 10:15", "i morgon 09:00"),
 * otherwise formatDateTime's absolute pattern ("26 nov. 2026 18:22").
 */
export function formatWhen(iso, lang = 'sv', now = new Date(), timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  const diffMs = d.getTime() - now.getTime();
  if (diffMs <= 0 && diffMs > -60_000) return lang === 'en' ? 'just now' : 'just nu';
  if (diffMs <= 0 && diffMs > -3_600_000) return formatRelative(iso, lang, now);
  const days = dayNumber(d, timeZone) - dayNumber(now, timeZone);
  const word = (DAY_WORDS[lang] ?? DAY_WORDS.sv)[days];
  if (word) return `${word} ${formatTime(iso, lang, timeZone)}`;
  return formatDateTime(iso, lang, timeZone);
}

/** Initials for an avatar: "Anna Lindqvist" → "AL". */
export function initials(name) {
  const parts = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0][0];
  const last = parts.length > 1 ? parts[parts.length - 1][0] : '';
  return (first + last).toUpperCase();
}

/** Absolute invite link from the server's `inviteUrl`, which may be a path. */
export function absoluteUrl(url, origin) {
  if (!url) return '';
  try { return new URL(url, origin).toString(); } catch { return String(url); }
}
