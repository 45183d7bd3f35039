// Inline syntax: escapes, code spans, emphasis, links, images, mentions and bare URLs.
// The twin of Sources/CommunisMarkdown/InlineParser.swift. The result is a flat token list
// in which emphasis tags are attached to delimiter runs and links are open/end pairs; the
// nesting is always proper, so rendering (render.js) is a single non-recursive walk.
import {
  isPunct, isSpace, isBlankChar, isAlnum, isControlOrSpace, asciiLower, classifyUrl, cleanUrl, personId,
} from './characters.js';

/** Backtick runs by length: Map(length → ascending start positions). */
function backtickRuns(c) {
  const runs = new Map();
  let i = 0;
  while (i < c.length) {
    if (c[i] !== '`') { i++; continue; }
    let e = i;
    while (e < c.length && c[e] === '`') e++;
    const len = e - i;
    if (!runs.has(len)) runs.set(len, []);
    runs.get(len).push(i);
    i = e;
  }
  return runs;
}

/** First run of exactly `len` backticks starting at or after `from`, or -1. */
function findCloser(runs, len, from) {
  const starts = runs.get(len);
  if (!starts) return -1;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length ? starts[lo] : -1;
}

/** `(url)` after `]` at c[p] === '('. Scans stop at any unescaped `[` or `]`, which keeps
 *  the total work linear. Returns { url, end } or null. */
function parseDestination(c, p) {
  const n = c.length;
  let q = p + 1;
  while (q < n && isBlankChar(c[q])) q++;
  let url = '';
  let depth = 0;
  while (q < n) {
    const ch = c[q];
    if (ch === '\\' && q + 1 < n && isPunct(c[q + 1])) { url += c[q + 1]; q += 2; continue; }
    if (ch === '[' || ch === ']' || ch === '<' || ch === '>') return null;
    if (ch === '(') {
      depth++;
      if (depth > 32) return null;
    } else if (ch === ')') {
      if (depth === 0) break;
      depth--;
    } else if (isControlOrSpace(ch)) {
      break;
    }
    url += ch;
    q++;
  }
  while (q < n && isBlankChar(c[q])) q++;
  if (q < n && c[q] === ')' && depth === 0) return { url, end: q + 1 };
  return null;
}

const TRAILING = new Set('.,:;!?\'"*_~');
const isUrlStop = (ch) => isControlOrSpace(ch) || isSpace(ch) || '<>[]`\\'.includes(ch);

function matchesAt(c, i, word) {
  if (i + word.length > c.length) return false;
  for (let k = 0; k < word.length; k++) if (asciiLower(c[i + k]) !== word[k]) return false;
  return true;
}

/** End of a bare http(s):// link starting at i, or -1. Trailing punctuation is left out. */
function autolinkEnd(c, i) {
  let p;
  if (matchesAt(c, i, 'https://')) p = i + 8;
  else if (matchesAt(c, i, 'http://')) p = i + 7;
  else return -1;
  let e = p;
  let opens = 0;
  let closes = 0;
  while (e < c.length && !isUrlStop(c[e])) {
    if (c[e] === '(') opens++;
    else if (c[e] === ')') closes++;
    e++;
  }
  while (e > p) {
    const last = c[e - 1];
    if (TRAILING.has(last)) { e--; continue; }
    if (last === ')' && closes > opens) { closes--; e--; continue; }
    break;
  }
  return e > p ? e : -1;
}

export function parseInline(text) {
  const c = Array.from(text);
  const n = c.length;
  const tokens = [];
  const delims = [];
  let tail = -1;
  const brackets = [];
  let linksDisabledBelow = 0;
  const ticks = backtickRuns(c);
  let buf = '';
  const flush = () => { if (buf !== '') { tokens.push({ t: 'text', s: buf }); buf = ''; } };

  const unlink = (d) => {
    const { prev, next } = delims[d];
    if (prev !== -1) delims[prev].next = next;
    if (next !== -1) delims[next].prev = prev;
    if (tail === d) tail = prev;
  };

  // CommonMark's "process emphasis" on the delimiters above `bottom` (by index, which grows
  // with position). openersBottom makes failed searches resume where they stopped: linear.
  const processEmphasis = (bottom) => {
    const openersBottom = new Array(18).fill(bottom);
    let cur = tail;
    while (cur !== -1 && delims[cur].prev > bottom) cur = delims[cur].prev;
    if (cur !== -1 && cur <= bottom) cur = -1;
    while (cur !== -1) {
      const d = delims[cur];
      if (!d.canClose) { cur = d.next; continue; }
      const key = '*_~'.indexOf(d.ch) * 6 + (d.len % 3) * 2 + (d.canOpen ? 1 : 0);
      const limit = Math.max(bottom, openersBottom[key]);
      let o = d.prev;
      while (o > limit) {
        const od = delims[o];
        if (od.ch === d.ch && od.canOpen) {
          const odd = d.ch !== '~' && (od.canClose || d.canOpen) && (od.len + d.len) % 3 === 0
            && !(od.len % 3 === 0 && d.len % 3 === 0);
          if (!odd) break;
        }
        o = od.prev;
      }
      if (o > limit) {
        const opener = tokens[delims[o].tok];
        const closer = tokens[d.tok];
        const use = d.ch === '~' ? 2 : (opener.count >= 2 && closer.count >= 2 ? 2 : 1);
        const tag = d.ch === '~' ? 'del' : use === 2 ? 'strong' : 'em';
        opener.count -= use;
        closer.count -= use;
        opener.open.unshift(tag);
        closer.close.push(tag);
        let between = delims[o].next;
        while (between !== cur) { const nx = delims[between].next; unlink(between); between = nx; }
        if (opener.count === 0) unlink(o);
        if (closer.count === 0) { const nx = d.next; unlink(cur); cur = nx; }
      } else {
        openersBottom[key] = d.prev;
        const nx = d.next;
        if (!d.canOpen) unlink(cur);
        cur = nx;
      }
    }
    while (tail > bottom) unlink(tail);
  };

  let i = 0;
  while (i < n) {
    const ch = c[i];
    if (ch === '\\') {
      const nx = c[i + 1];
      if (nx === '\n') { flush(); tokens.push({ t: 'br' }); i += 2; continue; }
      if (isPunct(nx)) { buf += nx; i += 2; continue; }
      buf += ch;
      i++;
      continue;
    }
    if (ch === '\n') { flush(); tokens.push({ t: 'br' }); i++; continue; }
    if (ch === '`') {
      let e = i;
      while (e < n && c[e] === '`') e++;
      const len = e - i;
      const close = findCloser(ticks, len, e);
      if (close < 0) { buf += '`'.repeat(len); i = e; continue; }
      let code = c.slice(e, close).join('').replace(/\n/g, ' ');
      if (code.length >= 2 && code[0] === ' ' && code[code.length - 1] === ' ' && /[^ ]/.test(code)) {
        code = code.slice(1, -1);
      }
      flush();
      tokens.push({ t: 'code', s: code });
      i = close + len;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      let e = i;
      while (e < n && c[e] === ch) e++;
      const len = e - i;
      const before = c[i - 1];
      const after = c[e];
      const left = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
      const right = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
      let canOpen = left;
      let canClose = right;
      if (ch === '_') {
        canOpen = left && (!right || isPunct(before));
        canClose = right && (!left || isPunct(after));
      }
      if (ch === '~' && len !== 2) { canOpen = false; canClose = false; }
      i = e;
      if (!canOpen && !canClose) { buf += ch.repeat(len); continue; }
      flush();
      tokens.push({ t: 'delim', ch, count: len, open: [], close: [] });
      delims.push({ tok: tokens.length - 1, ch, len, canOpen, canClose, prev: tail, next: -1 });
      if (tail !== -1) delims[tail].next = delims.length - 1;
      tail = delims.length - 1;
      continue;
    }
    if (ch === '[' || ((ch === '!' || ch === '@') && c[i + 1] === '[')) {
      const width = ch === '[' ? 1 : 2;
      flush();
      tokens.push({ t: 'text', s: width === 1 ? '[' : ch + '[' });
      brackets.push({ tok: tokens.length - 1, kind: ch, bottom: delims.length - 1 });
      i += width;
      continue;
    }
    if (ch === ']') {
      if (brackets.length === 0) { buf += ']'; i++; continue; }
      const b = brackets.pop();
      const active = b.kind === '!' || brackets.length >= linksDisabledBelow;
      if (linksDisabledBelow > brackets.length) linksDisabledBelow = brackets.length;
      const dest = active && c[i + 1] === '(' ? parseDestination(c, i + 1) : null;
      if (dest === null) { buf += ']'; i++; continue; }
      flush();
      const id = b.kind === '@' ? personId(dest.url) : null;
      if (id !== null) {
        tokens[b.tok] = { t: 'mention', id };
      } else if (b.kind === '!') {
        tokens[b.tok] = { t: 'image' };
      } else {
        const url = cleanUrl(dest.url);
        const kind = url === null ? null : classifyUrl(url);
        tokens[b.tok] = { t: 'link', prefix: b.kind === '@' ? '@' : '', href: kind === null ? null : url, external: kind === 'external' };
      }
      tokens.push({ t: 'end' });
      processEmphasis(b.bottom);
      if (b.kind !== '!') linksDisabledBelow = brackets.length;
      i = dest.end;
      continue;
    }
    if ((ch === 'h' || ch === 'H') && !isAlnum(c[i - 1])) {
      const end = autolinkEnd(c, i);
      if (end > 0) {
        flush();
        tokens.push({ t: 'autolink', url: c.slice(i, end).join('') });
        i = end;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  flush();
  processEmphasis(-1);
  return tokens;
}
