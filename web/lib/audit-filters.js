// The audit log's filters: from the form's values (calendar days in Stockholm, an action,
// a person as actor or target, free text) to the query of GET /admin/audit and to the
// export addresses, which must carry exactly the same filters. Also the short summary of
// an entry's details. Pure (no DOM), tested with node --test.
import { API_BASE, queryString } from './api.js';

/** Every action the server writes (docs: identity contract), in the order of the select. */
export const AUDIT_ACTIONS = [
  'login.succeeded', 'login.failed', 'logout', 'session.ended',
  'password.changed', 'password.reset-requested', 'password.reset',
  'account.created', 'account.updated', 'account.disabled', 'account.enabled', 'role.changed',
  'membership.added', 'membership.removed', 'membership.role-changed',
  'group-rule.created', 'group-rule.deleted', 'directory.sync',
  'token.created', 'token.deleted',
  'recording.started', 'recording.shared', 'recording.deleted',
  'workspace.deleted', 'audit.exported', 'mail.failed',
];

/** How an entry came about (`via`); '' means directly by the actor. */
export const AUDIT_VIA = ['hand', 'rule', 'sync', 'login'];

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_TIME_ZONE = 'Europe/Stockholm';

/** The i18n key of an action's name ("Inloggning lyckades"). */
export function actionKey(action) {
  return `audit.action.${action}`;
}

function zoneOffsetMs(instant, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a calendar day ("2026-03-29") begins in `timeZone`, as ISO 8601 without
 * fractional seconds ("2026-03-28T23:00:00Z"); null for anything that is not a real day.
 * `addDays` moves the day first (the end of a "to" day is the start of the next).
 */
export function dayStart(day, { timeZone = AUDIT_TIME_ZONE, addDays = 0 } = {}) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day ?? '').trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const wall = Date.UTC(y, mo - 1, d + addDays);
  // Two rounds: the offset at the first guess may differ from the one at the true instant
  // on the days the clocks change.
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The filters as API query fields: `{from, to, action, actor | target, q}` with empty ones
 * left out. `from`/`to` are calendar days, both included: `to` becomes the start of the next.
 * `person` is `{id, name}` and `personRole` 'actor' (did it) or 'target' (was affected).
 */
export function auditFilterQuery({ from, to, action, person, personRole = 'actor', q } = {}) {
  const query = {};
  const fromIso = dayStart(from);
  const toIso = dayStart(to, { addDays: 1 });
  if (fromIso) query.from = fromIso;
  if (toIso) query.to = toIso;
  if (action && AUDIT_ACTIONS.includes(action)) query.action = action;
  if (person?.id) query[personRole === 'target' ? 'target' : 'actor'] = person.id;
  const text = String(q ?? '').trim();
  if (text) query.q = text;
  return query;
}

/** Problems with the filters as `{field: i18nKey}` (an unreadable day, or to before from). */
export function validateAuditFilters({ from, to } = {}) {
  const errors = {};
  if (from && !dayStart(from)) errors.from = 'audit.invalidDate';
  if (to && !dayStart(to)) errors.to = 'audit.invalidDate';
  if (!errors.from && !errors.to && from && to && dayStart(to) < dayStart(from)) errors.to = 'audit.toBeforeFrom';
  return errors;
}

/** Query of one page of the log: the filters plus limit and offset. */
export function auditPageQuery(filters, offset = 0, limit = AUDIT_PAGE_SIZE) {
  return { ...auditFilterQuery(filters), limit, offset };
}

/** Address of the export ("csv" or "json") with the same filters as the page shown. */
export function auditExportUrl(format, filters) {
  return `${API_BASE}/admin/audit/export${queryString({ format, ...auditFilterQuery(filters) })}`;
}

function valueText(value) {
  if (value === null || value === undefined) return '–';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object') {
    if (typeof value.name === 'string') return value.name;
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * An entry's details in one short line: "reason: wrong-password; attempts: 3", nested
 * references by their name, cut at `max` characters with "…". '' when there are none.
 */
export function detailsSummary(details, max = 140) {
  if (!details || typeof details !== 'object') return '';
  const text = Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${valueText(v)}`)
    .join('; ');
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
