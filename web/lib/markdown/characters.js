// Character classes, escaping and URL checks shared by the block and inline parsers.
// The twin of Sources/CommunisMarkdown/Characters.swift. Every class is ASCII or a fixed
// code point list, so that both languages classify every character exactly the same way.

/** How deep quotes and lists may nest. */
export const MAX_DEPTH = 8;
export const EXTERNAL = ' rel="noopener noreferrer nofollow" target="_blank"';

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const UNICODE_SPACES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000]);

export const isPunct = (c) => c !== undefined && PUNCTUATION.has(c);
/** Whitespace for flanking rules; undefined (start or end of text) counts as whitespace. */
export const isSpace = (c) => c === undefined || UNICODE_SPACES.has(c.codePointAt(0));
export const isBlankChar = (c) => c === ' ' || c === '\t';
export const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';
export const isAlnum = (c) => c !== undefined && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
/** C0 controls, space, DEL and C1 controls. */
export const isControlOrSpace = (c) => { const p = c.codePointAt(0); return p <= 0x20 || (p >= 0x7f && p <= 0x9f); };
export const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// ---------------------------------------------------------------- URLs

/** 'external' | 'internal' | null (not allowed). */
export function classifyUrl(url) {
  const lower = asciiLower(url);
  if (lower.startsWith('http:') || lower.startsWith('https:') || lower.startsWith('mailto:')) return 'external';
  if (url[0] === '#' || (url[0] === '/' && url[1] !== '/')) return 'internal';
  return null;
}

/** Trims whitespace and controls; null if anything unsafe is left inside. */
export function cleanUrl(url) {
  const c = Array.from(url);
  let a = 0;
  let b = c.length;
  while (a < b && (isControlOrSpace(c[a]) || isSpace(c[a]))) a++;
  while (b > a && (isControlOrSpace(c[b - 1]) || isSpace(c[b - 1]))) b--;
  for (let k = a; k < b; k++) if (isControlOrSpace(c[k]) || c[k] === '\\') return null;
  return c.slice(a, b).join('');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function personId(url) {
  const lower = asciiLower(url);
  if (!lower.startsWith('person:')) return null;
  const id = lower.slice(7);
  return UUID.test(id) ? id : null;
}
