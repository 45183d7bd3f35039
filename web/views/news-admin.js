// Administration, "Nyheter" (#/admin/news): who may publish news (nyhetsredaktörer;
// administrators always may), the organisations of the installation (the municipality and
// its companies), and which organisation a person belongs to.
import { h, replaceChildren } from '../lib/dom.js';
import { field, alertBox, actionButton, errorPanel } from './components.js';
import { newsApiFor } from './news-parts.js';

const SEARCH_LIMIT = 10;

export async function newsAdminTab(ctx) {
  const { t, api: baseApi } = ctx;
  const api = newsApiFor(ctx);
  const alert = alertBox();
  const editorsEl = h('div', {});
  const orgsEl = h('div', {});
  const resultsEl = h('div', {});
  let editors = [];
  let organisations = [];

  async function loadEditors() {
    editors = (await api.editors()).items ?? [];
    replaceChildren(editorsEl, editors.length
      ? h('ul', { class: 'news-admin-list' }, editors.map((p) => h('li', {}, h('span', {}, p.name, ' '),
        actionButton(t, t('news.admin.removeEditor'), async () => {
          await api.removeEditor(p.id);
          alert.success(t('news.admin.editorRemoved', { name: p.name }));
          await loadEditors();
        }, { alert, cls: 'btn btn-small btn-ghost', ariaLabel: t('news.admin.removeEditorNamed', { name: p.name }) }))))
      : h('p', { class: 'empty' }, t('news.admin.noEditors')));
  }

  async function loadOrganisations() {
    organisations = (await api.organisations()).items ?? [];
    replaceChildren(orgsEl, h('ul', { class: 'news-admin-list' }, organisations.map((o) => h('li', {}, o.name,
      o.isMain ? [' ', h('span', { class: 'badge badge-role' }, t('news.admin.main'))] : null))));
  }

  function personRow(p) {
    const isEditor = editors.some((e) => e.id === p.id);
    const org = field(t, { label: t('news.admin.organisationOf', { name: p.name }), name: `org-${p.id}`, control: 'select',
      value: p.organisationId ?? organisations.find((o) => o.isMain)?.id ?? '',
      options: organisations.map((o) => [o.id, o.name]) });
    return h('li', { class: 'news-admin-person' },
      h('p', {}, h('strong', {}, p.name), p.department ? h('span', { class: 'muted' }, ` · ${p.department}`) : null),
      h('div', { class: 'row' },
        isEditor ? h('span', { class: 'badge badge-ok' }, t('news.admin.isEditor'))
          : actionButton(t, t('news.admin.addEditor'), async () => {
            await api.addEditor(p.id);
            alert.success(t('news.admin.editorAdded', { name: p.name }));
            await loadEditors();
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('news.admin.addEditorNamed', { name: p.name }) }),
        org.wrap,
        actionButton(t, t('news.admin.saveOrganisation'), async () => {
          const main = organisations.find((o) => o.isMain)?.id;
          await api.setPersonOrganisation(p.id, org.input.value === main ? null : org.input.value);
          alert.success(t('news.admin.organisationSaved', { name: p.name }));
        }, { alert, cls: 'btn btn-small', ariaLabel: t('news.admin.saveOrganisationNamed', { name: p.name }) })));
  }

  const q = field(t, { label: t('news.admin.findPerson'), name: 'news-admin-q', type: 'search' });
  const search = h('form', { class: 'inline-form', role: 'search', 'aria-label': t('news.admin.findPerson') },
    q.wrap, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.search')));
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    try {
      const page = await baseApi.listPeople({ q: q.input.value.trim(), limit: SEARCH_LIMIT });
      replaceChildren(resultsEl, (page.items ?? []).length
        ? h('ul', { class: 'news-admin-list' }, page.items.map(personRow))
        : h('p', { class: 'empty' }, t('news.admin.noPeople')));
    } catch (err) { replaceChildren(resultsEl, errorPanel(t, err)); }
  });

  const name = field(t, { label: t('news.admin.organisationName'), name: 'news-admin-org', attrs: { maxlength: 120 } });
  const create = h('form', { class: 'inline-form', novalidate: true }, name.wrap,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('news.admin.createOrganisation')));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const value = name.input.value.trim();
    if (!value) { name.input.focus(); return; }
    try {
      await api.createOrganisation(value);
      name.input.value = '';
      alert.success(t('news.admin.organisationCreated', { name: value }));
      await loadOrganisations();
    } catch (err) { alert.error(t, err); }
  });

  try {
    await Promise.all([loadEditors(), loadOrganisations()]);
  } catch (err) {
    return errorPanel(t, err);
  }
  return h('div', { class: 'stack' }, alert.el,
    h('section', { class: 'card', 'aria-labelledby': 'news-editors-h' },
      h('h2', { id: 'news-editors-h' }, t('news.admin.editors')), h('p', { class: 'hint' }, t('news.admin.editorsHint')), editorsEl),
    h('section', { class: 'card', 'aria-labelledby': 'news-orgs-h' },
      h('h2', { id: 'news-orgs-h' }, t('news.admin.organisations')), orgsEl, create),
    h('section', { class: 'card', 'aria-labelledby': 'news-people-h' },
      h('h2', { id: 'news-people-h' }, t('news.admin.people')), h('p', { class: 'hint' }, t('news.admin.peopleHint')), search, resultsEl));
}
