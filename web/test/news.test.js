// News (nyheter): list order and live updates, the editor's validation, the audience in
// words, the acknowledgement state, the report's tables, the line diff a reader sees after a
// material revision, and the API client's requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sortNews, applyNewsEvent, validateNews, formValues, audienceSummary, isTargeted, acknowledgementState, reportModel,
  localInputToIso, isoToLocalInput, percent,
} from '../lib/news.js';
import { lineDiff, revisionChanges, comparedRevisions } from '../lib/news-diff.js';
import { diffModel } from '../lib/knowledge.js';
import { newsApi, newsFeedUrl } from '../lib/news-api.js';
import { createApi } from '../lib/api.js';
import { parseHash, buildHash } from '../lib/router.js';
import { navLinks, currentSection } from '../views/header.js';

const t = Object.assign((key, params = {}) => `${key}${Object.keys(params).length ? JSON.stringify(params) : ''}`, { has: () => true, lang: 'sv' });
const item = (id, publishedAt, extra = {}) => ({ id, title: id, publishedAt, state: 'published', ...extra });

test('pinned items come first, then the newest', () => {
  const list = sortNews([item('a', '2026-12-01T10:00:00Z'), item('b', '2026-12-03T10:00:00Z'),
    item('c', '2026-11-01T10:00:00Z', { pinned: true }), item('d', '2026-12-02T10:00:00Z')]);
  assert.deepEqual(list.map((n) => n.id), ['c', 'b', 'd', 'a']);
});

test('a published item appears in its place; an update replaces it; an ended one leaves', () => {
  let list = [item('p', '2026-11-01T00:00:00Z', { pinned: true }), item('a', '2026-12-01T00:00:00Z')];
  list = applyNewsEvent(list, { type: 'news.published', data: item('n', '2026-12-05T00:00:00Z') });
  assert.deepEqual(list.map((n) => n.id), ['p', 'n', 'a']);
  list = applyNewsEvent(list, { type: 'news.updated', data: item('a', '2026-12-01T00:00:00Z', { title: 'Ny rubrik' }) });
  assert.equal(list.find((n) => n.id === 'a').title, 'Ny rubrik');
  list = applyNewsEvent(list, { type: 'news.updated', data: item('n', '2026-12-05T00:00:00Z', { state: 'expired' }) });
  assert.deepEqual(list.map((n) => n.id), ['p', 'a']);
});

test('a short list stays short, and other events change nothing (same array back)', () => {
  const list = [item('a', '2026-12-02T00:00:00Z'), item('b', '2026-12-01T00:00:00Z')];
  const next = applyNewsEvent(list, { type: 'news.published', data: item('c', '2026-12-03T00:00:00Z') }, { limit: 2 });
  assert.deepEqual(next.map((n) => n.id), ['c', 'a']);
  assert.equal(applyNewsEvent(list, { type: 'post.created', data: { id: 'x' } }), list);
  // An update of an older item than those shown does not push into a full short list.
  assert.equal(applyNewsEvent(list, { type: 'news.updated', data: item('old', '2025-01-01T00:00:00Z') }, { limit: 2 }), list);
});

test('a live event keeps what is mine: my acknowledgement, until a new revision resets it', () => {
  const ackReq = { required: true, deadline: null };
  const mine = item('a', '2026-12-01T00:00:00Z', { revision: 1, acknowledgement: ackReq, acknowledgedAt: '2026-12-02T00:00:00Z',
    changedSinceMyAcknowledgement: false, canEdit: true, reactions: [{ emoji: '👍', count: 1, mine: true }] });
  const neutral = { acknowledgedAt: null, changedSinceMyAcknowledgement: false, canEdit: false, reactions: [] };
  let [n] = applyNewsEvent([mine], { type: 'news.updated', data: item('a', '2026-12-01T00:00:00Z', { ...neutral, revision: 1, title: 'Stavfel rättat' }) });
  assert.equal(n.title, 'Stavfel rättat');
  assert.equal(n.acknowledgedAt, '2026-12-02T00:00:00Z');
  assert.equal(n.canEdit, true);
  assert.equal(n.reactions[0].mine, true);
  [n] = applyNewsEvent([mine], { type: 'news.updated', data: item('a', '2026-12-01T00:00:00Z', { ...neutral, revision: 2 }) });
  assert.equal(n.acknowledgedAt, null);
  assert.equal(n.changedSinceMyAcknowledgement, true);
  assert.equal(acknowledgementState(n).changed, true);
});

test('datetime-local values round-trip through ISO 8601; nonsense is an error', () => {
  const iso = localInputToIso('2026-12-10T09:30');
  assert.match(iso, /^2026-12-\d\dT\d\d:30:00\.000Z$/);
  assert.equal(isoToLocalInput(iso), '2026-12-10T09:30');
  assert.equal(localInputToIso(''), null);
  assert.equal(localInputToIso('i morgon'), undefined);
  assert.equal(isoToLocalInput(null), '');
});

test('the editor form: required title, limits, dates in order, a NewsInput out', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const ok = validateNews({
    title: '  Ny rutin för läkemedel ', introduction: 'Kort', body: '# Rubrik\n\nText', tags: 'rutin, Läkemedel, rutin',
    category: 'Vård', publishAt: '', endsAt: '', pinned: true, important: true, allowComments: false, allowReactions: true,
    ackRequired: true, ackDeadline: '2026-12-20T12:00', organisationIds: ['o1', 'o1'],
    departments: ['Vård- och omsorgsförvaltningen'], workplaces: '', titles: 'Sjuksköterska, Undersköterska', groups: [],
  }, { now });
  assert.deepEqual(ok.errors, {});
  assert.equal(ok.input.title, 'Ny rutin för läkemedel');
  assert.deepEqual(ok.input.tags, ['rutin', 'Läkemedel']);
  assert.equal(ok.input.publishAt, null);
  assert.equal(ok.input.acknowledgement.required, true);
  assert.ok(ok.input.acknowledgement.deadline.startsWith('2026-12-20'));
  assert.deepEqual(ok.input.audience, { organisationIds: ['o1'], departments: ['Vård- och omsorgsförvaltningen'], workplaces: [],
    titles: ['Sjuksköterska', 'Undersköterska'], groups: [] });

  const bad = validateNews({ title: ' ', tags: Array.from({ length: 11 }, (_, i) => `t${i}`).join(','),
    publishAt: '2026-12-10T10:00', endsAt: '2026-12-09T10:00', ackRequired: true, ackDeadline: 'snart', introduction: 'x'.repeat(1001) }, { now });
  assert.deepEqual(bad.errors, { title: 'news.error.required', tags: 'news.error.tags', endsAt: 'news.error.endsBeforeStart',
    ackDeadline: 'news.error.date', introduction: 'news.error.tooLong' });
  // Without "läst och förstått" the deadline is not asked for (nor sent).
  const noAck = validateNews({ title: 'x', ackRequired: false, ackDeadline: 'snart' }, { now });
  assert.deepEqual(noAck.errors, {});
  assert.deepEqual(noAck.input.acknowledgement, { required: false, deadline: null });
});

test('an item\'s values fill the form again and validate back to the same input', () => {
  const news = { title: 'T', introduction: 'I', body: 'B', tags: ['a', 'b'], category: null, state: 'published',
    publishAt: '2026-12-01T08:00:00Z', endsAt: null, pinned: false, important: true, allowComments: true, allowReactions: false,
    acknowledgement: { required: false, deadline: null },
    audience: { organisationIds: [], departments: ['Bildningsförvaltningen'], workplaces: [], titles: [], groups: [] } };
  const values = formValues(news);
  assert.equal(values.publishAt, '', 'a published item is not published again at its old time');
  const { errors, input } = validateNews(values);
  assert.deepEqual(errors, {});
  assert.deepEqual(input.audience, news.audience);
  assert.deepEqual(input.tags, news.tags);
  assert.equal(formValues().allowComments, true);
});

test('the audience in words: the group, organisations by name, and the narrowing lists', () => {
  const orgs = [{ id: 'o1', name: 'Katrineholms kommun' }, { id: 'o2', name: 'Katrineholm Vatten AB' }];
  assert.equal(audienceSummary(t, { organisationIds: [] }, orgs), 'news.audience.group');
  assert.equal(audienceSummary(t, { organisationIds: ['o2', 'o1'], departments: ['Vård'], titles: ['Rektor', 'Lärare'] }, orgs),
    'Katrineholm Vatten AB, Katrineholms kommun · news.audience.departmentsList{"list":"Vård"} · news.audience.titlesList{"list":"Rektor, Lärare"}');
  assert.equal(isTargeted({ organisationIds: ['o1'] }), false);
  assert.equal(isTargeted({ workplaces: ['Stadshuset'] }), true);
});

test('läst och förstått: asked, done, changed since I confirmed, overdue', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  assert.equal(acknowledgementState({ acknowledgement: { required: false } }, now).required, false);
  const asked = acknowledgementState({ acknowledgement: { required: true, deadline: '2026-12-10T12:00:00Z' }, acknowledgedAt: null }, now);
  assert.deepEqual(asked, { required: true, done: false, changed: false, deadline: '2026-12-10T12:00:00Z', overdue: false });
  const changed = acknowledgementState({ acknowledgement: { required: true, deadline: '2026-12-01T12:00:00Z' },
    acknowledgedAt: null, changedSinceMyAcknowledgement: true }, now);
  assert.equal(changed.changed, true);
  assert.equal(changed.overdue, true);
  assert.equal(acknowledgementState({ acknowledgement: { required: true, deadline: '2026-12-01T12:00:00Z' },
    acknowledgedAt: '2026-11-30T12:00:00Z' }, now).overdue, false);
});

test('the report: totals, departments largest first with shares, people split and sorted', () => {
  const model = reportModel({ required: true, total: 4, acknowledged: 1,
    byDepartment: [{ department: 'Bildning', total: 1, acknowledged: 0 }, { department: 'Vård', total: 3, acknowledged: 1 }],
    byWorkplace: [{ workplace: 'Järvenhemmet', total: 2, acknowledged: 1 }],
    people: [{ person: { id: '2', name: 'Sara Nilsson' }, acknowledgedAt: '2026-12-07T10:00:00Z' },
      { person: { id: '3', name: 'Björn Eriksson' }, acknowledgedAt: null },
      { person: { id: '1', name: 'Fatima Ali' }, acknowledgedAt: null }] });
  assert.equal(model.percent, 25);
  assert.equal(model.missing, 3);
  assert.deepEqual(model.byDepartment.map((r) => [r.name, r.total, r.acknowledged, r.missing, r.percent]),
    [['Vård', 3, 1, 2, 33], ['Bildning', 1, 0, 1, 0]]);
  assert.deepEqual(model.byWorkplace.map((r) => r.name), ['Järvenhemmet']);
  assert.deepEqual(model.notDone.map((p) => p.person.name), ['Björn Eriksson', 'Fatima Ali']);
  assert.deepEqual(model.done.map((p) => p.person.name), ['Sara Nilsson']);
  assert.equal(percent(0, 0), 0);
});

test('the line diff: a changed line is its removal then its addition; equal lines stay', () => {
  assert.deepEqual(lineDiff('a\nb\nc', 'a\nB\nc\nd'), [
    { op: 'equal', text: 'a' }, { op: 'removed', text: 'b' }, { op: 'added', text: 'B' }, { op: 'equal', text: 'c' },
    { op: 'added', text: 'd' }]);
  assert.deepEqual(lineDiff('', 'ny'), [{ op: 'added', text: 'ny' }]);
  assert.deepEqual(lineDiff('x\r\ny', 'x\ny'), [{ op: 'equal', text: 'x' }, { op: 'equal', text: 'y' }]);
  const many = lineDiff('1\n2\n3\n4\n5\n6\n7\n8', '1\n2\n3\n4\nfem\n6\n7\n8');
  assert.deepEqual(many.filter((l) => l.op !== 'equal'), [{ op: 'removed', text: '5' }, { op: 'added', text: 'fem' }]);
});

test('what changed since I confirmed: the revisions compared, in the knowledge bank\'s diff rows', () => {
  const revisions = [
    { revision: 2, title: 'Rutin', body: 'Steg 1\nSteg 2 ändrat\nSteg 3' },
    { revision: 1, title: 'Rutin', body: 'Steg 1\nSteg 2\nSteg 3' },
  ];
  const pair = comparedRevisions(revisions, 2);
  assert.deepEqual([pair.from.revision, pair.to.revision], [1, 2]);
  assert.equal(comparedRevisions(revisions, 1), null);
  assert.equal(comparedRevisions([...revisions, { revision: 3, title: 'R', body: '' }], 3, 1).from.revision, 1);
  // One item per save: a revision's last save is its text, on both sides.
  const saves = [
    { revision: 1, title: 'R', body: 'v1' }, { revision: 1, title: 'R', body: 'v1 rättad' },
    { revision: 2, title: 'R', body: 'v2' }, { revision: 2, title: 'R', body: 'v2 rättad' },
  ];
  const last = comparedRevisions(saves, 2);
  assert.deepEqual([last.from.body, last.to.body], ['v1 rättad', 'v2 rättad']);
  const fields = revisionChanges(pair.from, pair.to);
  assert.deepEqual(fields.map((f) => [f.field, f.changed]), [['title', false], ['introduction', false], ['body', true]]);
  const rows = diffModel(fields)[0].rows;
  assert.deepEqual(rows.map((r) => `${r.sign}${r.text}`), [' Steg 1', '−Steg 2', '+Steg 2 ändrat', ' Steg 3']);
});

test('the news API client sends what the design says', async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body, type: init.headers['Content-Type'], csrf: init.headers['X-CSRF-Token'] });
    return { ok: true, status: 200, text: async () => '{"ok":true}', headers: { get: () => null } };
  };
  const news = newsApi(createApi({ fetchImpl, getCsrfToken: () => 'tok' }), { getCsrfToken: () => 'tok', fetchImpl });
  await news.list({ limit: 5, tag: 'vård och omsorg', state: '' });
  await news.update('n1', { title: 'T' }, true);
  await news.acknowledge('n1');
  await news.react('n1', '👍', false);
  await news.setPersonOrganisation('p1', null);
  const file = { type: 'image/png', size: 3 };
  await news.uploadImage('n1', file);
  assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
    'GET /api/v1/news?limit=5&tag=v%C3%A5rd%20och%20omsorg',
    'PUT /api/v1/news/n1',
    'POST /api/v1/news/n1/acknowledgement',
    `DELETE /api/v1/news/n1/reactions/${encodeURIComponent('👍')}`,
    'PUT /api/v1/admin/people/p1/organisation',
    'POST /api/v1/news/n1/image',
  ]);
  assert.deepEqual(JSON.parse(calls[1].body), { title: 'T', material: true });
  assert.deepEqual(JSON.parse(calls[4].body), { organisationId: null });
  assert.equal(calls[5].body, file);
  assert.equal(calls[5].type, 'image/png');
  assert.equal(calls[5].csrf, 'tok');
  assert.equal(newsFeedUrl(), '/feeds/news.atom');
  assert.equal(newsFeedUrl({ tag: 'IT', organisationId: 'o1' }), '/feeds/news.atom?organisationId=o1&tag=IT');
});

test('routes: the news page, an item, the editor and the report; "Nyheter" in the menu for employees', () => {
  assert.equal(parseHash('#/news').name, 'news');
  assert.equal(parseHash('#/news/new').name, 'newsNew');
  assert.deepEqual(parseHash('#/news/abc').params, { id: 'abc' });
  assert.equal(parseHash('#/news/abc/edit').name, 'newsEdit');
  assert.equal(parseHash('#/news/abc/acknowledgements').name, 'newsAcknowledgements');
  assert.equal(buildHash('newsAcknowledgements', { id: 'x' }), '#/news/x/acknowledgements');
  assert.ok(navLinks({ role: 'member' }).some(([name]) => name === 'news'));
  assert.ok(!navLinks({ role: 'guest' }).some(([name]) => name === 'news'));
  assert.equal(currentSection('newsArticle'), 'news');
  assert.equal(parseHash('#/admin/news').name, 'adminNews');
  assert.equal(currentSection('adminNews'), 'admin');
});
