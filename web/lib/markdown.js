// Communis Markdown: a small, safe, CommonMark-flavoured subset.
//
// This file is a line-by-line twin of the Swift target `CommunisMarkdown`
// (Sources/CommunisMarkdown). Both must produce byte-identical output; the shared golden
// cases in Tests/Fixtures/markdown-cases.json are run by both test suites. Change one,
// change the other, and add a golden case.
//
// SAFETY: the browser inserts the string returned by renderMarkdown() with innerHTML. That is
// acceptable ONLY because this renderer never passes raw HTML through: every `<`, `>`, `&`,
// `"` and `'` of user text is escaped, links are limited to http:, https:, mailto: and
// relative `/…` or `#…` URLs, and every attribute value is escaped. Do not insert any other
// user-supplied HTML with innerHTML.
//
// The subset, in short (see docs in Sources/CommunisMarkdown/Markdown.swift):
//  - blocks: paragraphs (a single newline becomes <br>), `#`..`###` headings rendered as
//    <h3>..<h5> (user content never outranks page headings; `####`..`######` are <h5> too),
//    `-`/`*` and `1.` lists, `>` quotes (no lazy continuation), ``` fences, `---`/`***`/`___`
//    rules. No indented code blocks, setext headings, tables or raw HTML. Quotes and lists
//    nest at most 8 deep; deeper quote markers are dropped and deeper list markers stay text.
//  - inline: **strong**, *em*/_em_, `code`, ~~del~~, [text](url), bare http(s):// links,
//    @[Name](person:UUID) mentions, backslash escapes. Images render as their alt text.
//    Link titles and <angle> destinations are not supported; `[`, `]`, `<`, `>` may only
//    appear in a destination backslash-escaped. HTML entities are not decoded: `&` is text.
// All character classes are ASCII or fixed code point lists, so both languages agree.

const MAX_DEPTH = 8;
const EXTERNAL = ' rel="noopener noreferrer nofollow" target="_blank"';

/** Markdown → HTML string, safe for innerHTML (see the note at the top). */
export function renderMarkdown(source) {
  return renderBlocks(parseDocument(source), { html: true, mentions: null });
}

/** Markdown → text without markup, for notifications, search snippets and Atom summaries.
 *  Not HTML-escaped: escape it wherever it is embedded. */
export function plainText(source) {
  return textBlocks(parseDocument(source));
}

/** The lowercase ids of the people mentioned, in order of first appearance, without repeats. */
export function mentions(source) {
  const found = [];
  renderBlocks(parseDocument(source), { html: true, mentions: found });
  return [...new Set(found)];
}

// ---------------------------------------------------------------- characters

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const UNICODE_SPACES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000]);

const isPunct = (c) => c !== undefined && PUNCTUATION.has(c);
/** Whitespace for flanking rules; undefined (start or end of text) counts as whitespace. */
const isSpace = (c) => c === undefined || UNICODE_SPACES.has(c.codePointAt(0));
const isBlankChar = (c) => c === ' ' || c === '\t';
const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c) => c !== undefined && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
/** C0 controls, space, DEL and C1 controls. */
const isControlOrSpace = (c) => { const p = c.codePointAt(0); return p <= 0x20 || (p >= 0x7f && p <= 0x9f); };
const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function indentOf(line) {
  let i = 0;
  while (i < line.length && isBlankChar(line[i])) i++;
  return i;
}
const isBlank = (line) => indentOf(line) === line.length;
function trimBlank(s) {
  let a = 0;
  let b = s.length;
  while (a < b && isBlankChar(s[a])) a++;
  while (b > a && isBlankChar(s[b - 1])) b--;
  return s.slice(a, b);
}

// ---------------------------------------------------------------- blocks

function parseDocument(source) {
  let s = String(source ?? '');
  if (typeof s.toWellFormed === 'function') s = s.toWellFormed();
  // Line endings become \n; NUL and other controls (except tab and newline) become U+FFFD.
  s = s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');
  return parseBlocks(s.split('\n'), 0);
}

/** Number of backticks opening a fence (0 if the line does not open one). */
function fenceLength(rest) {
  let n = 0;
  while (n < rest.length && rest[n] === '`') n++;
  if (n < 3 || rest.indexOf('`', n) !== -1) return 0;
  return n;
}

function isClosingFence(line, length) {
  const rest = line.slice(indentOf(line));
  let n = 0;
  while (n < rest.length && rest[n] === '`') n++;
  return n >= length && isBlank(rest.slice(n));
}

function isRule(rest) {
  const ch = rest[0];
  if (ch !== '-' && ch !== '*' && ch !== '_') return false;
  let count = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === ch) count++;
    else if (!isBlankChar(rest[i])) return false;
  }
  return count >= 3;
}

function heading(rest) {
  let n = 0;
  while (n < rest.length && n < 7 && rest[n] === '#') n++;
  if (n < 1 || n > 6 || (n < rest.length && !isBlankChar(rest[n]))) return null;
  let text = trimBlank(rest.slice(n));
  let k = text.length;
  while (k > 0 && text[k - 1] === '#') k--;
  if (k === 0) text = '';
  else if (k < text.length && isBlankChar(text[k - 1])) text = trimBlank(text.slice(0, k));
  return { level: Math.min(n, 3), text };
}

function listMarker(line) {
  const ind = indentOf(line);
  const rest = line.slice(ind);
  if ((rest[0] === '-' || rest[0] === '*') && (rest.length === 1 || isBlankChar(rest[1]))) {
    return { ordered: false, start: 0, width: ind + 2, content: rest.slice(2) };
  }
  let d = 0;
  while (d < rest.length && d < 10 && isDigit(rest[d])) d++;
  if (d >= 1 && d <= 9 && rest[d] === '.' && (rest.length === d + 1 || isBlankChar(rest[d + 1]))) {
    return { ordered: true, start: parseInt(rest.slice(0, d), 10), width: ind + d + 2, content: rest.slice(d + 2) };
  }
  return null;
}

const startsQuote = (line) => line[indentOf(line)] === '>';

function stripQuoteMarker(line) {
  let rest = line.slice(indentOf(line) + 1);
  if (isBlankChar(rest[0])) rest = rest.slice(1);
  return rest;
}

/** Past the depth limit all quote markers of a line are dropped (the quote is flattened). */
function stripAllQuoteMarkers(line) {
  let i = 0;
  while (i < line.length && (isBlankChar(line[i]) || line[i] === '>')) i++;
  return line.slice(i);
}

function stripIndent(line, count) {
  let i = 0;
  while (i < count && i < line.length && isBlankChar(line[i])) i++;
  return line.slice(i);
}

/** Does the line start a block that ends a paragraph (list items only if `lists`)? */
function interrupts(line, lists) {
  const rest = line.slice(indentOf(line));
  if (fenceLength(rest) > 0 || isRule(rest) || heading(rest) || rest[0] === '>') return true;
  if (!lists) return false;
  const m = listMarker(line);
  return m !== null && !isBlank(m.content) && (!m.ordered || m.start === 1);
}

function parseBlocks(lines, depth) {
  const blocks = [];
  const n = lines.length;
  let i = 0;
  while (i < n) {
    const line = lines[i];
    const ind = indentOf(line);
    if (ind === line.length) { i++; continue; }
    const rest = line.slice(ind);
    const fence = fenceLength(rest);
    if (fence > 0) {
      const body = [];
      i++;
      while (i < n && !isClosingFence(lines[i], fence)) { body.push(stripIndent(lines[i], ind)); i++; }
      if (i < n) i++;
      blocks.push({ type: 'code', text: body.join('\n') });
      continue;
    }
    if (isRule(rest)) { blocks.push({ type: 'rule' }); i++; continue; }
    const h = heading(rest);
    if (h) { blocks.push({ type: 'heading', level: h.level, text: h.text }); i++; continue; }
    if (rest[0] === '>') {
      const inner = [];
      const flatten = depth >= MAX_DEPTH;
      while (i < n && startsQuote(lines[i])) {
        inner.push(flatten ? stripAllQuoteMarkers(lines[i]) : stripQuoteMarker(lines[i]));
        i++;
      }
      if (flatten) for (const b of parseBlocks(inner, depth)) blocks.push(b);
      else blocks.push({ type: 'quote', children: parseBlocks(inner, depth + 1) });
      continue;
    }
    if (depth < MAX_DEPTH && listMarker(line)) { i = parseList(lines, i, depth, blocks); continue; }
    const para = [trimBlank(line)];
    i++;
    while (i < n && !isBlank(lines[i]) && !interrupts(lines[i], depth < MAX_DEPTH)) {
      para.push(trimBlank(lines[i]));
      i++;
    }
    blocks.push({ type: 'paragraph', text: para.join('\n') });
  }
  return blocks;
}

function isSibling(line, ordered) {
  const m = listMarker(line);
  return m !== null && m.ordered === ordered && !isRule(line.slice(indentOf(line)));
}

function parseList(lines, i, depth, blocks) {
  const n = lines.length;
  const first = listMarker(lines[i]);
  const list = { type: 'list', ordered: first.ordered, start: first.start, items: [] };
  while (i < n && isSibling(lines[i], list.ordered)) {
    const m = listMarker(lines[i]);
    const item = [m.content];
    i++;
    while (i < n) {
      const l = lines[i];
      const li = indentOf(l);
      if (li === l.length) {
        let j = i;
        while (j < n && isBlank(lines[j])) j++;
        if (j < n && indentOf(lines[j]) >= m.width) {
          for (; i < j; i++) item.push('');
          continue;
        }
        break;
      }
      if (li >= m.width) { item.push(l.slice(m.width)); i++; continue; }
      if (interrupts(l, false) || listMarker(l) || isBlank(item[item.length - 1])) break;
      item.push(l.slice(li)); // lazy continuation of the item's paragraph
      i++;
    }
    list.items.push(parseBlocks(item, depth + 1));
    if (i < n && isBlank(lines[i])) {
      let j = i;
      while (j < n && isBlank(lines[j])) j++;
      if (j < n && isSibling(lines[j], list.ordered)) { i = j; continue; }
      break;
    }
  }
  blocks.push(list);
  return i;
}

// ---------------------------------------------------------------- block rendering

function renderBlocks(blocks, ctx) {
  return blocks.map((b) => renderBlock(b, ctx)).join('\n');
}

function renderBlock(b, ctx) {
  switch (b.type) {
    case 'paragraph':
      return '<p>' + renderInline(parseInline(b.text), ctx) + '</p>';
    case 'heading': {
      const tag = 'h' + (b.level + 2);
      return '<' + tag + '>' + renderInline(parseInline(b.text), ctx) + '</' + tag + '>';
    }
    case 'rule':
      return '<hr>';
    case 'code':
      return '<pre><code>' + escapeHtml(b.text) + '</code></pre>';
    case 'quote': {
      const inner = renderBlocks(b.children, ctx);
      return '<blockquote>\n' + (inner === '' ? '' : inner + '\n') + '</blockquote>';
    }
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      const open = b.ordered && b.start !== 1 ? '<ol start="' + b.start + '">' : '<' + tag + '>';
      const items = b.items.map((item) => {
        const tight = item.length > 0 && item[0].type === 'paragraph'
          && item.filter((x) => x.type === 'paragraph').length === 1;
        const parts = item.map((x, k) => (k === 0 && tight ? renderInline(parseInline(x.text), ctx) : renderBlock(x, ctx)));
        return '<li>' + parts.join('\n') + '</li>';
      });
      return open + '\n' + items.join('\n') + '\n</' + tag + '>';
    }
    default:
      return '';
  }
}

function textBlocks(blocks) {
  return blocks.map(textBlock).filter((t) => t !== '').join('\n');
}

function textBlock(b) {
  const ctx = { html: false, mentions: null };
  switch (b.type) {
    case 'paragraph':
    case 'heading':
      return renderInline(parseInline(b.text), ctx);
    case 'code':
      return b.text;
    case 'quote':
      return textBlocks(b.children);
    case 'list':
      return b.items.map(textBlocks).filter((t) => t !== '').join('\n');
    default:
      return '';
  }
}

// ---------------------------------------------------------------- inline parsing

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

/** 'external' | 'internal' | null (not allowed). */
function classifyUrl(url) {
  const lower = asciiLower(url);
  if (lower.startsWith('http:') || lower.startsWith('https:') || lower.startsWith('mailto:')) return 'external';
  if (url[0] === '#' || (url[0] === '/' && url[1] !== '/')) return 'internal';
  return null;
}

/** Trims whitespace and controls; null if anything unsafe is left inside. */
function cleanUrl(url) {
  const c = Array.from(url);
  let a = 0;
  let b = c.length;
  while (a < b && (isControlOrSpace(c[a]) || isSpace(c[a]))) a++;
  while (b > a && (isControlOrSpace(c[b - 1]) || isSpace(c[b - 1]))) b--;
  for (let k = a; k < b; k++) if (isControlOrSpace(c[k]) || c[k] === '\\') return null;
  return c.slice(a, b).join('');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function personId(url) {
  const lower = asciiLower(url);
  if (!lower.startsWith('person:')) return null;
  const id = lower.slice(7);
  return UUID.test(id) ? id : null;
}

function parseInline(text) {
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

// ---------------------------------------------------------------- inline rendering

/** Walks the tokens. Inside images and mentions everything is plain text; inside a link,
 *  bare URLs are text (no nested anchors). The state changes are the same in both modes. */
function renderInline(tokens, ctx) {
  const html = ctx.html;
  const esc = html ? escapeHtml : (s) => s;
  let out = '';
  let plain = 0;
  let anchors = 0;
  const stack = [];
  for (const t of tokens) {
    const live = plain === 0 && anchors === 0;
    switch (t.t) {
      case 'text':
        out += esc(t.s);
        break;
      case 'code':
        out += html && plain === 0 ? '<code>' + esc(t.s) + '</code>' : esc(t.s);
        break;
      case 'br':
        out += plain > 0 ? ' ' : html ? '<br>' : '\n';
        break;
      case 'delim': {
        const tags = html && plain === 0;
        if (tags) for (const x of t.close) out += '</' + x + '>';
        out += t.ch.repeat(t.count);
        if (tags) for (const x of t.open) out += '<' + x + '>';
        break;
      }
      case 'autolink':
        out += html && live ? '<a href="' + esc(t.url) + '"' + EXTERNAL + '>' + esc(t.url) + '</a>' : esc(t.url);
        break;
      case 'image':
        stack.push('plain');
        plain++;
        break;
      case 'mention':
        if (live) {
          if (html) out += '<a class="mention" href="#/people/' + t.id + '" data-person="' + t.id + '">';
          out += '@';
          if (ctx.mentions) ctx.mentions.push(t.id);
          stack.push('mention');
          anchors++;
        } else {
          out += '@';
          stack.push('plain');
        }
        plain++;
        break;
      case 'link':
        out += esc(t.prefix);
        if (live && t.href !== null) {
          if (html) out += '<a href="' + esc(t.href) + '"' + (t.external ? EXTERNAL : '') + '>';
          stack.push('anchor');
          anchors++;
        } else {
          stack.push('none');
        }
        break;
      case 'end': {
        const k = stack.pop();
        if (k === 'anchor' || k === 'mention') {
          if (html) out += '</a>';
          anchors--;
        }
        if (k === 'mention' || k === 'plain') plain--;
        break;
      }
      default:
        break;
    }
  }
  return out;
}
