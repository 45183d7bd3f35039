// Granskningslogg: filters (days, action, a person as actor or target, free text), a paged
// table in Stockholm time with the action in words, and CSV/JSON export links that carry the
// very filters of the table shown.
import { h, replaceChildren } from '../../lib/dom.js';
import {
  AUDIT_ACTIONS, AUDIT_PAGE_SIZE, actionKey, auditPageQuery, auditExportUrl, detailsSummary, validateAuditFilters,
} from '../../lib/audit-filters.js';
import { formatDateTime } from '../../lib/format.js';
import { plural } from '../../lib/i18n.js';
import { field, alertBox, showFieldErrors, pager, actionButton } from '../components.js';

function actionText(t, action) {
  return t.has(actionKey(action)) ? t(actionKey(action)) : action;
}

function refText(t, ref) {
  if (!ref) return '–';
  const typeKey = ref.type ? `audit.targetType.${ref.type}` : null;
  const type = typeKey && t.has(typeKey) ? t(typeKey) : ref.type;
  return type ? `${ref.name ?? ref.id} (${type})` : String(ref.name ?? ref.id ?? '–');
}

function viaText(t, via) {
  return via ? (t.has(`audit.via.${via}`) ? t(`audit.via.${via}`) : via) : t('audit.via.direct');
}

function entryRow(ctx, e) {
  const { t, lang } = ctx;
  const details = detailsSummary(e.details);
  return h('tr', {},
    h('td', { class: 'nowrap' }, h('time', { datetime: e.at }, formatDateTime(e.at, lang))),
    h('td', {}, actionText(t, e.action)),
    // No actor: the directory sync did it, or nobody was logged in (a failed login).
    h('td', {}, e.actor?.name ?? (e.via === 'sync' ? t('audit.system') : t('audit.nobody'))),
    h('td', {}, refText(t, e.target)),
    h('td', {}, e.workspace?.name ?? '–'),
    h('td', {}, viaText(t, e.via)),
    h('td', {}, e.address || '–'),
    h('td', { class: 'audit-details', title: details || null }, details || '–'));
}

/** Person filter: search accounts, pick one; shows the choice with a button to remove it. */
function personFilter(ctx, onPick) {
  const { t, api } = ctx;
  const q = field(t, { label: t('audit.person'), name: 'audit-person-q', type: 'search', hint: t('audit.personHint') });
  const results = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'button', class: 'btn btn-secondary' }, t('audit.findPerson'));
  async function search() {
    const text = q.input.value.trim();
    if (!text) { replaceChildren(results); return; }
    try {
      const page = await api.listUsers({ q: text, limit: 8 });
      replaceChildren(results, page.items.length
        ? h('ul', { class: 'chips audit-people' }, page.items.map((p) => h('li', {},
          h('button', { type: 'button', class: 'chip', onclick: () => { onPick({ id: p.id, name: p.name }); replaceChildren(results); q.input.value = ''; } },
            p.email ? t('audit.pickPerson', { name: p.name, email: p.email }) : t('audit.pickPersonNoEmail', { name: p.name })))))
        : h('p', { class: 'empty' }, t('people.noResults')));
    } catch (err) { replaceChildren(results, h('p', { class: 'field-error' }, err.message)); }
  }
  go.addEventListener('click', search);
  q.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); search(); } });
  return h('div', { class: 'stack audit-person' }, h('div', { class: 'inline-form' }, q.wrap, go), results);
}

export async function auditTab(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  let applied = {};
  let person = null;
  const results = h('div', {});
  const csv = h('a', { class: 'btn btn-secondary', download: '' }, t('audit.exportCsv'));
  const json = h('a', { class: 'btn btn-secondary', download: '' }, t('audit.exportJson'));

  const from = field(t, { label: t('audit.from'), name: 'audit-from', type: 'date' });
  const to = field(t, { label: t('audit.to'), name: 'audit-to', type: 'date' });
  const action = field(t, { label: t('audit.action'), name: 'audit-action', control: 'select', value: '',
    options: [['', t('audit.allActions')], ...AUDIT_ACTIONS.map((a) => [a, actionText(t, a)])] });
  const text = field(t, { label: t('audit.text'), name: 'audit-q', type: 'search', hint: t('audit.textHint') });
  const personRole = field(t, { label: t('audit.personRole'), name: 'audit-person-role', control: 'select', value: 'actor',
    options: [['actor', t('audit.personRole.actor')], ['target', t('audit.personRole.target')]] });
  const chosen = h('div', { class: 'audit-chosen' });
  function showPerson() {
    replaceChildren(chosen, person
      ? h('p', {}, t('audit.chosenPerson', { name: person.name }), ' ',
        h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': t('audit.removePersonNamed', { name: person.name }),
          onclick: () => { person = null; showPerson(); } }, t('audit.removePerson')))
      : null);
  }
  const picker = personFilter(ctx, (p) => { person = p; showPerson(); });

  function currentFilters() {
    return { from: from.input.value, to: to.input.value, action: action.input.value, person, personRole: personRole.input.value, q: text.input.value };
  }

  async function load(offset) {
    try {
      const page = await api.listAudit(auditPageQuery(applied, offset, AUDIT_PAGE_SIZE));
      csv.href = auditExportUrl('csv', applied);
      json.href = auditExportUrl('json', applied);
      replaceChildren(results,
        h('p', { role: 'status', class: 'result-count' }, plural(t, 'audit.count', page.total ?? 0)),
        page.items.length
          ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'audit-table-caption' },
            h('table', { class: 'stats-table audit-table' },
              h('caption', { id: 'audit-table-caption', class: 'visually-hidden' }, t('audit.tableCaption')),
              h('thead', {}, h('tr', {}, ['time', 'action', 'actor', 'target', 'workspace', 'via', 'address', 'details']
                .map((c) => h('th', { scope: 'col' }, t(`audit.col.${c}`))))),
              h('tbody', {}, page.items.map((e) => entryRow(ctx, e)))))
          : h('p', { class: 'empty' }, t('audit.none')),
        pager(t, page, load));
    } catch (err) {
      alert.error(t, err);
    }
  }

  const form = h('form', { class: 'filters', novalidate: true, 'aria-label': t('audit.filters') },
    from.wrap, to.wrap, action.wrap,
    h('div', { class: 'filters-q stack' }, picker, chosen, personRole.wrap),
    h('div', { class: 'filters-q' }, text.wrap),
    h('div', { class: 'filters-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('audit.show')),
      actionButton(t, t('audit.clear'), async () => {
        form.reset(); person = null; showPerson(); applied = {}; await load(0);
      }, { alert, cls: 'btn btn-secondary' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    alert.clear();
    const filters = currentFilters();
    if (showFieldErrors(t, { from, to }, validateAuditFilters(filters))) return;
    applied = filters;
    load(0);
  });

  await load(0);
  return h('div', { class: 'stack' },
    h('section', { class: 'card', 'aria-labelledby': 'audit-filter-h' }, h('h2', { id: 'audit-filter-h' }, t('audit.filters')), form),
    h('section', { class: 'stack', 'aria-labelledby': 'audit-h' },
      h('div', { class: 'blog-head' }, h('h2', { id: 'audit-h' }, t('audit.title')),
        h('div', { class: 'row' }, csv, json)),
      h('p', { class: 'hint' }, t('audit.exportHint')),
      alert.el, results));
}
