import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayStart, auditFilterQuery, auditPageQuery, auditExportUrl, detailsSummary, validateAuditFilters, AUDIT_ACTIONS, actionKey,
} from '../lib/audit-filters.js';

test('a calendar day starts at midnight in Stockholm, summer and winter and on the days the clocks change', () => {
  assert.equal(dayStart('2026-07-01'), '2026-06-30T22:00:00Z');
  assert.equal(dayStart('2026-01-15'), '2026-01-14T23:00:00Z');
  assert.equal(dayStart('2026-03-29'), '2026-03-28T23:00:00Z', 'summer time starts at 02:00 that day');
  assert.equal(dayStart('2026-03-30'), '2026-03-29T22:00:00Z');
  assert.equal(dayStart('2026-10-25'), '2026-10-24T22:00:00Z', 'winter time starts at 03:00 that day');
  assert.equal(dayStart('2026-10-26'), '2026-10-25T23:00:00Z');
  assert.equal(dayStart('2026-12-31', { addDays: 1 }), '2026-12-31T23:00:00Z', 'the next day may be in the next year');
});

test('what is not a real day gives no instant', () => {
  for (const bad of ['', null, undefined, '2026-02-30', '2026-13-01', '26-01-01', '2026-1-5', 'igår']) {
    assert.equal(dayStart(bad), null, String(bad));
  }
});

test('filters become the API query: days included at both ends, empty ones left out', () => {
  assert.deepEqual(auditFilterQuery({}), {});
  assert.deepEqual(auditFilterQuery({
    from: '2026-11-01', to: '2026-11-30', action: 'login.failed', person: { id: 'p-1', name: 'Anna' }, q: '  10.0.0.5 ',
  }), { from: '2026-10-31T23:00:00Z', to: '2026-11-30T23:00:00Z', action: 'login.failed', actor: 'p-1', q: '10.0.0.5' });
  assert.deepEqual(auditFilterQuery({ person: { id: 'p-2' }, personRole: 'target' }), { target: 'p-2' });
  assert.deepEqual(auditFilterQuery({ action: 'made.up', q: '   ' }), {}, 'an unknown action or blank text is no filter');
});

test('a page query adds limit and offset', () => {
  assert.deepEqual(auditPageQuery({ action: 'logout' }, 100, 50), { action: 'logout', limit: 50, offset: 100 });
});

test('the export addresses carry exactly the filters of the table', () => {
  const filters = { from: '2026-11-01', to: '2026-11-01', action: 'role.changed', person: { id: 'ab c', name: 'X' }, q: 'Åsa & co' };
  const csv = auditExportUrl('csv', filters);
  assert.equal(csv, '/api/v1/admin/audit/export?format=csv&from=2026-10-31T23%3A00%3A00Z&to=2026-11-01T23%3A00%3A00Z'
    + '&action=role.changed&actor=ab%20c&q=%C3%85sa%20%26%20co');
  const json = new URL(auditExportUrl('json', filters), 'http://x');
  const table = auditPageQuery(filters, 0, 50);
  assert.equal(json.searchParams.get('format'), 'json');
  for (const key of ['from', 'to', 'action', 'actor', 'q']) assert.equal(json.searchParams.get(key), table[key], key);
  assert.equal(json.searchParams.get('limit'), null, 'the export is not one page');
  assert.equal(auditExportUrl('csv', {}), '/api/v1/admin/audit/export?format=csv');
});

test('a to-day before the from-day, or an unreadable day, is refused', () => {
  assert.deepEqual(validateAuditFilters({ from: '2026-11-02', to: '2026-11-01' }), { to: 'audit.toBeforeFrom' });
  assert.deepEqual(validateAuditFilters({ from: '2026-11-01', to: '2026-11-01' }), {});
  assert.deepEqual(validateAuditFilters({ from: '2026-02-31' }), { from: 'audit.invalidDate' });
  assert.deepEqual(validateAuditFilters({}), {});
});

test('details are summarised in one short line', () => {
  assert.equal(detailsSummary({ reason: 'wrong-password', attempts: 3 }), 'reason: wrong-password; attempts: 3');
  assert.equal(detailsSummary({ from: 'member', to: 'admin', rule: { id: 'r1', name: 'IT-admins' } }), 'from: member; to: admin; rule: IT-admins');
  assert.equal(detailsSummary({ groups: ['a', 'b'], note: null }), 'groups: a, b; note: –');
  assert.equal(detailsSummary({}), '');
  assert.equal(detailsSummary(null), '');
  const long = detailsSummary({ text: 'å'.repeat(300) }, 20);
  assert.equal([...long].length, 20);
  assert.ok(long.endsWith('…'));
});

test('every action of the contract has a name in both languages', async () => {
  const { readFileSync } = await import('node:fs');
  const sv = JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url), 'utf8'));
  const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));
  assert.equal(AUDIT_ACTIONS.length, 26);
  for (const action of AUDIT_ACTIONS) {
    assert.ok(sv[actionKey(action)], `sv ${action}`);
    assert.ok(en[actionKey(action)], `en ${action}`);
  }
  assert.equal(sv[actionKey('login.failed')], 'Inloggning misslyckades');
});
