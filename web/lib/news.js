// News (nyheter): the pure logic of the news views – order and live updates of lists, the
// editor's form (parse and validate into a NewsInput), the audience in words, the
// acknowledgement state of an item and the report's tables. No DOM, so `node --test` runs it.
import { parseList } from './knowledge.js';

export { parseList };

/** Limits as the server enforces them (docs/openapi.yaml, NewsInput). */
export const NEWS_LIMITS = { title: 200, introduction: 1000, body: 50_000, tags: 10, tagLength: 40 };

/** Newest first with pinned items on top (the order of GET /news). Returns a new array. */
export function sortNews(items) {
  const time = (n) => Date.parse(n?.publishedAt ?? n?.publishAt ?? n?.createdAt ?? '') || 0;
  return [...(items ?? [])].sort((a, b) => (Boolean(b.pinned) - Boolean(a.pinned))
    || (time(b) - time(a)) || String(b.id).localeCompare(String(a.id)));
}

/**
 * A list after a live `news.published` / `news.updated` event (data = NewsSummary): the item
 * is added or replaced and the list sorted again; an item no longer published (expired,
 * taken back) leaves it. `limit` keeps a short list short. Returns the same array when the
 * event changes nothing, so a caller can skip redrawing.
 */
export function applyNewsEvent(items, event, { limit = Infinity } = {}) {
  const type = event?.type;
  const data = event?.data;
  if ((type !== 'news.published' && type !== 'news.updated') || !data?.id) return items;
  const index = items.findIndex((n) => n.id === data.id);
  const published = !data.state || data.state === 'published';
  if (!published) return index >= 0 ? items.filter((n) => n.id !== data.id) : items;
  if (index < 0 && type === 'news.updated' && items.length >= limit) {
    // An update of an item older than the shown ones: it belongs further down, not here.
    const last = sortNews(items)[items.length - 1];
    if (sortNews([last, data])[0] === last) return items;
  }
  const next = index >= 0 ? items.map((n) => (n.id === data.id ? withReaderFields(n, data) : n)) : [...items, data];
  return sortNews(next).slice(0, limit);
}

/**
 * An item as I see it after a live event about it. The event's data is the same for every
 * reader (no acknowledgement of mine, no `canEdit`, no reactions of mine), so those stay as I
 * had them; a new revision resets my acknowledgement and marks the item as changed since.
 */
export function withReaderFields(mine, data) {
  const merged = { ...mine, ...data, canEdit: mine.canEdit, reactions: mine.reactions ?? data.reactions };
  if ((data.revision ?? mine.revision) === mine.revision) {
    merged.acknowledgedAt = mine.acknowledgedAt ?? null;
    merged.changedSinceMyAcknowledgement = Boolean(mine.changedSinceMyAcknowledgement);
  } else {
    merged.acknowledgedAt = null;
    merged.changedSinceMyAcknowledgement = Boolean(mine.acknowledgedAt || mine.changedSinceMyAcknowledgement);
  }
  return merged;
}

/** "2026-12-07T14:30" (a datetime-local value, the browser's time zone) → ISO 8601, or null. */
export function localInputToIso(value) {
  const text = String(value ?? '').trim();
  if (!text) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO 8601 → a datetime-local value in the browser's time zone ('' for none). */
export function isoToLocalInput(iso) {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Checks the editor's raw values and builds the NewsInput. `values`: title, introduction,
 * body, tags (comma text), category, publishAt / endsAt / ackDeadline (datetime-local),
 * pinned, important, allowComments, allowReactions, ackRequired (booleans), organisationIds
 * (array), departments, workplaces, titles, groups (comma text or arrays).
 * Returns `{errors: {field: i18nKey}, input}`.
 */
export function validateNews(values, { now = new Date() } = {}) {
  const errors = {};
  const text = (v) => String(v ?? '').trim();
  const list = (v) => (Array.isArray(v) ? parseList(v.join(',')) : parseList(v));
  const title = text(values.title);
  const introduction = text(values.introduction);
  const body = String(values.body ?? '');
  const tags = list(values.tags);
  const category = text(values.category);
  if (!title) errors.title = 'news.error.required';
  else if (title.length > NEWS_LIMITS.title) errors.title = 'news.error.tooLong';
  if (introduction.length > NEWS_LIMITS.introduction) errors.introduction = 'news.error.tooLong';
  if (body.length > NEWS_LIMITS.body) errors.body = 'news.error.tooLong';
  if (tags.length > NEWS_LIMITS.tags || tags.some((tag) => tag.length > NEWS_LIMITS.tagLength)) errors.tags = 'news.error.tags';
  const publishAt = localInputToIso(values.publishAt);
  const endsAt = localInputToIso(values.endsAt);
  const ackRequired = Boolean(values.ackRequired);
  const deadline = ackRequired ? localInputToIso(values.ackDeadline) : null;
  if (publishAt === undefined) errors.publishAt = 'news.error.date';
  if (endsAt === undefined) errors.endsAt = 'news.error.date';
  else if (endsAt && Date.parse(endsAt) <= Date.parse(publishAt || now.toISOString())) errors.endsAt = 'news.error.endsBeforeStart';
  if (deadline === undefined) errors.ackDeadline = 'news.error.date';
  else if (deadline && Date.parse(deadline) <= Date.parse(publishAt || now.toISOString())) errors.ackDeadline = 'news.error.deadlineBeforeStart';
  return {
    errors,
    input: {
      title, introduction, body, tags, category: category || null,
      publishAt: publishAt || null, endsAt: endsAt || null,
      pinned: Boolean(values.pinned), important: Boolean(values.important),
      allowComments: Boolean(values.allowComments), allowReactions: Boolean(values.allowReactions),
      acknowledgement: { required: ackRequired, deadline: deadline || null },
      audience: {
        organisationIds: [...new Set(values.organisationIds ?? [])],
        departments: list(values.departments), workplaces: list(values.workplaces),
        titles: list(values.titles), groups: list(values.groups),
      },
    },
  };
}

/** The editor's starting values for an item (or a new one): the inverse of validateNews. */
export function formValues(news = null) {
  const a = news?.audience ?? {};
  return {
    title: news?.title ?? '', introduction: news?.introduction ?? '', body: news?.body ?? '',
    tags: (news?.tags ?? []).join(', '), category: news?.category ?? '',
    publishAt: news?.state === 'published' ? '' : isoToLocalInput(news?.publishAt),
    endsAt: isoToLocalInput(news?.endsAt),
    pinned: Boolean(news?.pinned), important: Boolean(news?.important),
    allowComments: news ? Boolean(news.allowComments) : true, allowReactions: news ? Boolean(news.allowReactions) : true,
    ackRequired: Boolean(news?.acknowledgement?.required), ackDeadline: isoToLocalInput(news?.acknowledgement?.deadline),
    organisationIds: [...(a.organisationIds ?? [])],
    departments: (a.departments ?? []).join(', '), workplaces: (a.workplaces ?? []).join(', '),
    titles: (a.titles ?? []).join(', '), groups: (a.groups ?? []).join(', '),
  };
}

/**
 * The audience in words: "Hela koncernen", or the organisations' names, then the narrowing
 * lists ("Förvaltning: Vård- och omsorgsförvaltningen · Titel: Rektor"). `organisations` is
 * `[{id, name}]`; an unknown id is shown as it is.
 */
export function audienceSummary(t, audience, organisations = []) {
  const a = audience ?? {};
  const names = new Map((organisations ?? []).map((o) => [o.id, o.name]));
  const ids = a.organisationIds ?? [];
  const parts = [ids.length ? ids.map((id) => names.get(id) ?? id).join(', ') : t('news.audience.group')];
  for (const key of ['departments', 'workplaces', 'titles', 'groups']) {
    const values = a[key] ?? [];
    if (values.length) parts.push(t(`news.audience.${key}List`, { list: values.join(', ') }));
  }
  return parts.join(' · ');
}

/** Whether the audience is narrowed beyond organisations (not everyone in them sees it). */
export function isTargeted(audience) {
  const a = audience ?? {};
  return ['departments', 'workplaces', 'titles', 'groups'].some((k) => (a[k] ?? []).length > 0);
}

/**
 * Where I stand with an item's "läst och förstått": `{required, done, changed, deadline,
 * overdue}`. `changed`: I had acknowledged, and a material revision since asks again.
 */
export function acknowledgementState(news, now = new Date()) {
  const required = Boolean(news?.acknowledgement?.required);
  const deadline = news?.acknowledgement?.deadline ?? null;
  const done = required && Boolean(news?.acknowledgedAt);
  const changed = required && !done && Boolean(news?.changedSinceMyAcknowledgement);
  const overdue = required && !done && Boolean(deadline) && Date.parse(deadline) < now.getTime();
  return { required, done, changed, deadline, overdue };
}

/** Whole percent of `part` in `total` (0 for an empty total). */
export function percent(part, total) {
  return total > 0 ? Math.round((100 * part) / total) : 0;
}

/**
 * The report's view model: totals, the department and workplace rows (largest first, with
 * the share acknowledged) and the people split into those who have and have not
 * acknowledged, each sorted by name.
 */
export function reportModel(report) {
  const rows = (list) => [...(list ?? [])]
    .map((r) => ({ name: r.department ?? r.workplace ?? r.name ?? '', total: r.total ?? 0, acknowledged: r.acknowledged ?? 0 }))
    .map((r) => ({ ...r, missing: Math.max(0, r.total - r.acknowledged), percent: percent(r.acknowledged, r.total) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'sv'));
  const byName = (a, b) => String(a.person?.name ?? a.name ?? '').localeCompare(String(b.person?.name ?? b.name ?? ''), 'sv');
  const people = (report?.people ?? []).map((p) => ({ ...p, person: p.person ?? p }));
  const total = report?.total ?? people.length;
  const acknowledged = report?.acknowledged ?? people.filter((p) => p.acknowledgedAt).length;
  return {
    total, acknowledged, missing: Math.max(0, total - acknowledged), percent: percent(acknowledged, total),
    byDepartment: rows(report?.byDepartment), byWorkplace: rows(report?.byWorkplace),
    done: people.filter((p) => p.acknowledgedAt).sort(byName),
    notDone: people.filter((p) => !p.acknowledgedAt).sort(byName),
  };
}
