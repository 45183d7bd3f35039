// The knowledge bank's pure logic: the article form (parse and validate), the diff view model,
// chapter times. No DOM, so `node --test` checks it.

/** Limits as the server enforces them (Sources/CommunisServices/HowTos.swift, HowToLimits). */
export const LIMITS = { title: 200, summary: 1000, body: 20000, tags: 20, tagLength: 40 };

/** "Procapita, inloggning ,, procapita" → ["Procapita", "inloggning"] (trimmed, no duplicates by case). */
export function parseList(text) {
  const seen = new Set();
  const out = [];
  for (const part of String(text ?? '').split(/[,\n]/)) {
    const v = part.trim();
    if (v && !seen.has(v.toLowerCase())) { seen.add(v.toLowerCase()); out.push(v); }
  }
  return out;
}

/** Whether `text` is a real calendar day `YYYY-MM-DD`. */
export function isDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * Checks the editor's raw values; returns `{errors: {field: i18nKey}, article}` where `article`
 * is the request body (without workspaceId/baseRevision).
 */
export function validateArticle(values) {
  const errors = {};
  const title = String(values.title ?? '').trim();
  const summary = String(values.summary ?? '').trim();
  const body = String(values.body ?? '').trim();
  const tags = parseList(values.tags);
  const departments = parseList(values.departments);
  const reviewBy = String(values.reviewBy ?? '').trim();
  if (!title) errors.title = 'kb.error.required';
  else if (title.length > LIMITS.title) errors.title = 'kb.error.tooLong';
  if (summary.length > LIMITS.summary) errors.summary = 'kb.error.tooLong';
  if (!body) errors.body = 'kb.error.required';
  else if (body.length > LIMITS.body) errors.body = 'kb.error.tooLong';
  if (tags.length > LIMITS.tags || tags.some((t) => t.length > LIMITS.tagLength)) errors.tags = 'kb.error.tags';
  if (reviewBy && !isDay(reviewBy)) errors.reviewBy = 'kb.error.date';
  return {
    errors,
    article: { title, summary, body, tags, audience: { departments, roles: [] }, reviewBy: reviewBy || null },
  };
}

/** 65000 → "1:05", 3723000 → "1:02:03". */
export function formatOffset(ms) {
  const total = Math.max(0, Math.floor(Number(ms) / 1000) || 0);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  const pad = (n) => String(n).padStart(2, '0');
  return hours ? `${hours}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/**
 * The diff view model: only changed fields, each line with a sign and a CSS class;
 * long runs of unchanged lines folded to `context` lines around changes.
 */
export function diffModel(fields, { context = 2 } = {}) {
  const out = [];
  for (const f of fields ?? []) {
    if (!f.changed) continue;
    const lines = f.lines ?? [];
    const keep = lines.map((l, i) => l.op !== 'equal'
      || lines.slice(Math.max(0, i - context), i + context + 1).some((n) => n.op !== 'equal'));
    const rows = [];
    let folded = 0;
    lines.forEach((l, i) => {
      if (!keep[i]) { folded += 1; return; }
      if (folded) { rows.push({ kind: 'fold', count: folded }); folded = 0; }
      rows.push({ kind: l.op, sign: l.op === 'added' ? '+' : l.op === 'removed' ? '−' : ' ', text: l.text });
    });
    if (folded) rows.push({ kind: 'fold', count: folded });
    out.push({ field: f.field, rows });
  }
  return out;
}
