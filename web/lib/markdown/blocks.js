// Block structure: paragraphs, headings, rules, fenced code, quotes and lists.
// A line-based parser; the twin of Sources/CommunisMarkdown/BlockParser.swift.
import { MAX_DEPTH, isBlankChar, isDigit } from './characters.js';

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

export function parseDocument(source) {
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
