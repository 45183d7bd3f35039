// What changed in a news item since the revision a reader acknowledged: a line diff of the
// title, the introduction and the body between two entries of GET /news/{id}/revisions, in the shape the
// knowledge bank's diff view model takes (`[{field, changed, lines: [{op, text}]}]`). Pure.

/** Lines compared cell by cell at most; beyond that the changed middle is shown as replaced. */
const MAX_CELLS = 4_000_000;

function splitLines(text) {
  const s = String(text ?? '').replace(/\r\n?/g, '\n');
  return s === '' ? [] : s.split('\n');
}

/**
 * The line diff of `before` → `after`: `[{op: 'equal'|'removed'|'added', text}]` in reading
 * order (a changed line is its removal followed by its addition). A longest common
 * subsequence over the lines between the common start and end.
 */
export function lineDiff(before, after) {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA -= 1; endB -= 1; }
  const out = a.slice(0, start).map((text) => ({ op: 'equal', text }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    out.push(...midA.map((text) => ({ op: 'removed', text })), ...midB.map((text) => ({ op: 'added', text })));
  } else {
    // lcs[i][j]: the longest common subsequence of midA[i..] and midB[j..].
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) { out.push({ op: 'equal', text: midA[i] }); i += 1; j += 1; }
      else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push({ op: 'added', text: midB[j] }); j += 1; }
      else { out.push({ op: 'removed', text: midA[i] }); i += 1; }
    }
    // Removals read before the additions that replace them.
    reorderRuns(out, start);
  }
  out.push(...a.slice(endA).map((text) => ({ op: 'equal', text })));
  return out;
}

/** Within each run of changed lines from `from` on, puts the removed lines before the added ones. */
function reorderRuns(lines, from) {
  let i = from;
  while (i < lines.length) {
    if (lines[i].op === 'equal') { i += 1; continue; }
    let j = i;
    while (j < lines.length && lines[j].op !== 'equal') j += 1;
    const run = lines.slice(i, j);
    lines.splice(i, run.length, ...run.filter((l) => l.op === 'removed'), ...run.filter((l) => l.op === 'added'));
    i = j;
  }
}

/** The title, introduction and body changes between two revision entries. */
export function revisionChanges(older, newer) {
  return ['title', 'introduction', 'body'].map((field) => {
    const lines = lineDiff(older?.[field], newer?.[field]);
    return { field, changed: lines.some((l) => l.op !== 'equal'), lines };
  });
}

/**
 * The two texts to compare for a reader: from the one they acknowledged (when known) or else
 * the last text of the revision before the current one, to the current text. `revisions` is
 * the endpoint's items, one per save, oldest first (`revision` is the number after that save,
 * so a revision may have several items: its last is its final text). Returns `{from, to}`
 * (entries) or null when there is nothing earlier.
 */
export function comparedRevisions(revisions, current, acknowledgedRevision = null) {
  // A stable sort: saves within one revision keep their order.
  const sorted = [...(revisions ?? [])].sort((a, b) => a.revision - b.revision);
  const lastOf = (test) => [...sorted].reverse().find(test);
  const to = lastOf((r) => r.revision === current) ?? sorted[sorted.length - 1];
  if (!to) return null;
  const from = acknowledgedRevision !== null && acknowledgedRevision !== undefined
    ? lastOf((r) => r.revision === acknowledgedRevision && r.revision < to.revision)
    : lastOf((r) => r.revision < to.revision);
  return from ? { from, to } : null;
}
