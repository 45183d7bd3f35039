// "Läst och förstått" for editors (#/news/<id>/acknowledgements): how many in the audience
// have confirmed, per department and per workplace, who has and who has not, the deadline,
// and "Skicka påminnelse" to those who have not.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { formatDateTime } from '../lib/format.js';
import { reportModel } from '../lib/news.js';
import { alertBox, pageHeading, actionButton, timeEl } from './components.js';
import { newsApiFor } from './news-parts.js';

function groupTable(t, { id, caption, nameHeader, rows }) {
  if (!rows.length) return null;
  // The table's scrolling region carries the name (one region per table, not two).
  return h('div', { class: 'news-report-group' },
    h('h2', {}, caption),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-caption` },
      h('table', { class: 'stats-table news-report-table' },
        h('caption', { id: `${id}-caption`, class: 'visually-hidden' }, caption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, nameHeader),
          ['total', 'acknowledged', 'missing', 'share'].map((c) => h('th', { scope: 'col' }, t(`news.report.col.${c}`))))),
        h('tbody', {}, rows.map((r) => h('tr', {},
          h('th', { scope: 'row' }, r.name || t('news.report.unknown')),
          h('td', {}, String(r.total)), h('td', {}, String(r.acknowledged)), h('td', {}, String(r.missing)),
          h('td', {}, `${r.percent} %`)))))));
}

function peopleList(ctx, { id, title, people, withTime }) {
  const { t, lang } = ctx;
  return h('section', { class: 'news-report-people', 'aria-labelledby': id },
    h('h3', { id }, title, ' ', h('span', { class: 'muted' }, `(${people.length})`)),
    people.length
      ? h('ul', { class: 'news-report-list' }, people.map((p) => h('li', {},
        h('a', { href: buildHash('person', { id: p.person.id }) }, p.person.name ?? ''),
        h('span', { class: 'muted' }, [p.department, p.workplace].filter(Boolean).map((x) => ` · ${x}`).join('')),
        withTime && p.acknowledgedAt ? [' · ', timeEl(p.acknowledgedAt, lang)] : null)))
      : h('p', { class: 'empty' }, t('news.report.nobody')));
}

export async function renderNewsAcknowledgements(ctx) {
  const { t, lang, route } = ctx;
  const api = newsApiFor(ctx);
  const id = route.params.id;
  const [news, report] = await Promise.all([api.get(id), api.acknowledgements(id)]);
  ctx.setTitle(t('news.report.title', { title: news.title }));
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  const model = reportModel(report);

  function paint() {
    replaceChildren(body,
      h('p', { class: 'news-report-total', role: 'status' },
        t('news.report.total', { acknowledged: model.acknowledged, total: model.total, percent: model.percent })),
      report.deadline ? h('p', {}, t('news.report.deadline', { when: formatDateTime(report.deadline, lang) })) : null,
      h('p', { class: 'muted' }, t('news.report.revision', { revision: report.revision ?? news.revision })),
      groupTable(t, { id: 'news-by-dept', caption: t('news.report.byDepartment'), nameHeader: t('news.report.col.department'), rows: model.byDepartment }),
      groupTable(t, { id: 'news-by-workplace', caption: t('news.report.byWorkplace'), nameHeader: t('news.report.col.workplace'), rows: model.byWorkplace }),
      h('section', { class: 'news-report-who', 'aria-labelledby': 'news-who-h' },
        h('h2', { id: 'news-who-h' }, t('news.report.people')),
        h('div', { class: 'layout-two' },
          peopleList(ctx, { id: 'news-not-done-h', title: t('news.report.notDone'), people: model.notDone, withTime: false }),
          peopleList(ctx, { id: 'news-done-h', title: t('news.report.done'), people: model.done, withTime: true }))));
  }
  paint();
  const remind = model.missing > 0 ? actionButton(t, t('news.report.remind'), async () => {
    const res = await api.remind(id);
    alert.success(plural(t, 'news.report.reminded', res?.reminded ?? 0));
  }, { alert, cls: 'btn btn-primary' }) : null;
  return h('section', { class: 'news-report' },
    h('p', { class: 'crumbs' }, h('a', { href: buildHash('newsArticle', { id }) }, `← ${news.title}`)),
    pageHeading(t('news.report.heading')),
    h('p', { class: 'lead' }, news.title),
    report.required === false ? h('p', { role: 'status' }, t('news.report.notRequired')) : null,
    alert.el,
    remind ? h('div', { class: 'actions' }, remind) : null,
    body);
}
