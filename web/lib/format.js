// Formatting of times and small values for display.

const LOCALES = { sv: 'sv-SE', en: 'en-GB' };

function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "26 nov. 2026" (sv) / "26 Nov 2026" (en); '' for missing or invalid input. */
export function formatDate(iso, lang = 'sv', timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'sv-SE', {
    year: 'numeric', month: 'short', day: 'numeric', timeZone,
  }).format(d);
}

/** "2026-11-26 18:22" in sv-SE style (Swedish time zone by default). */
export function formatDateTime(iso, lang = 'sv', timeZone = 'Europe/Stockholm') {
  const d = toDate(iso);
  if (!d) return '';
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'sv-SE', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    timeZone,
  }).format(d);
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
