// The knowledge bank (Kunskapsbank): list with filters, article page, editor, history with a
// diff between two revisions. Thin: rules and shapes live in lib/knowledge.js.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { formatDay } from '../lib/format.js';
import { plural } from '../lib/i18n.js';
import { validateArticle, diffModel } from '../lib/knowledge.js';
import { alertBox, field, showFieldErrors, pageHeading, markdownBlock, timeEl, actionButton, pager } from './components.js';
import { articleRecordings, recordingsEditor } from './knowledge/recordings.js';
import { guideRecordings } from './knowledge/guide-recordings.js';
import { ask } from './dialog.js';
import { documentLinkButton } from './document-link.js';

function badges(t, a) {
  return [
    a.status === 'archived' ? h('span', { class: 'badge kb-archived' }, t('kb.status.archived')) : null,
    a.reviewDue ? h('span', { class: 'badge kb-due' }, t('kb.reviewDue')) : null,
  ];
}

function scopeText(t, a) {
  return a.workspaceId ? t('kb.scope.workspace', { name: a.workspaceName ?? '' }) : t('kb.scope.organisation');
}

/** #/knowledge?workspace=&tag=&status= */
export async function renderKnowledge(ctx) {
  const { api, t, route } = ctx;
  ctx.setTitle(t('kb.title'));
  const q = route.query;
  const query = { workspace: q.workspace, tag: q.tag, limit: 20, offset: q.offset };
  if (q.status === 'archived') query.status = 'archived';
  else if (q.status === 'all') query.includeArchived = 'true';
  if (q.forMe === 'true') query.forMe = 'true';
  const [page, due, spaces] = await Promise.all([
    api.listArticles(query), api.reviewDueArticles(), api.listWorkspaces({ limit: 100 }),
  ]);
  const go = (changes) => ctx.navigate(buildHash('knowledge', {}, { ...q, offset: '', ...changes }));
  const tag = field(t, { label: t('kb.filter.tag'), name: 'tag', value: q.tag ?? '' });
  const status = field(t, { label: t('kb.filter.status'), name: 'status', control: 'select', value: q.status ?? '',
    options: [['', t('kb.status.current')], ['archived', t('kb.status.archived')], ['all', t('kb.status.all')]] });
  const workspace = field(t, { label: t('kb.filter.workspace'), name: 'workspace', control: 'select', value: q.workspace ?? '',
    options: [['', t('kb.filter.allScopes')], ['organisation', t('kb.scope.organisation')],
      ...(spaces.items ?? []).map((w) => [w.id, w.name])] });
  const filters = h('form', { class: 'card kb-filters', onsubmit: (e) => {
    e.preventDefault();
    go({ tag: tag.input.value.trim(), status: status.input.value, workspace: workspace.input.value });
  } }, tag.wrap, status.wrap, workspace.wrap, h('button', { type: 'submit', class: 'btn' }, t('kb.filter.apply')));
  const items = (page.items ?? []).map((a) => h('li', { class: 'kb-item' },
    h('a', { href: buildHash('article', { id: a.id }) }, a.title), ' ', ...badges(t, a),
    h('p', { class: 'muted' }, scopeText(t, a), ' · ', (a.tags ?? []).join(', ')),
    a.summary ? h('p', {}, a.summary) : null));
  const dueList = (due.items ?? []).length
    ? h('section', { class: 'card kb-due-list' }, h('h2', {}, t('kb.dueTitle')),
      h('ul', {}, due.items.map((a) => h('li', {}, h('a', { href: buildHash('article', { id: a.id }) }, a.title),
        ' ', t('kb.reviewByDate', { date: formatDay(a.reviewBy, ctx.lang) })))))
    : null;
  const canWrite = ctx.user?.role !== 'guest' || (spaces.items ?? []).length > 0;
  const recordings = guideRecordings(ctx, q.workspace ?? '');
  await recordings.ready;
  return h('section', { class: 'kb' },
    pageHeading(t('kb.title')),
    h('p', {}, t('kb.intro')),
    canWrite ? h('p', { class: 'row' },
      h('a', { class: 'btn', href: buildHash('knowledgeNew', {}, { workspace: q.workspace && q.workspace !== 'organisation' ? q.workspace : '' }) }, t('kb.new')),
      h('a', { class: 'btn btn-secondary', href: buildHash('guideRecorder', {}, { workspace: q.workspace && q.workspace !== 'organisation' ? q.workspace : '' }) }, t('recording.guide.new')))
      : null,
    dueList, filters,
    items.length ? h('ul', { class: 'kb-list' }, items) : h('p', { class: 'muted' }, t('kb.empty')),
    pager(t, page, (offset) => go({ offset: String(offset) })),
    recordings.el);
}

/** #/knowledge/:id */
export async function renderArticle(ctx) {
  const { api, t, lang, route } = ctx;
  const a = await api.getArticle(route.params.id);
  ctx.setTitle(a.title);
  const alert = alertBox();
  const actions = [];
  if (a.canEdit) actions.push(h('a', { class: 'btn', href: buildHash('articleEdit', { id: a.id }) }, t('kb.edit')));
  actions.push(h('a', { class: 'btn btn-secondary', href: buildHash('articleHistory', { id: a.id }) }, t('kb.history')));
  if (a.canManage) {
    actions.push(a.status === 'archived'
      ? actionButton(t, t('kb.restoreCurrent'), async () => { await api.restoreArticleCurrent(a.id); ctx.rerender(); }, { alert, cls: 'btn btn-secondary' })
      : actionButton(t, t('kb.archive'), async () => { await api.archiveArticle(a.id); ctx.rerender(); }, { alert, cls: 'btn btn-secondary' }));
    actions.push(actionButton(t, t('kb.delete'), async () => {
      if (!await ask(t, t('kb.deleteConfirm'))) return;
      await api.deleteArticle(a.id);
      ctx.navigate(buildHash('knowledge'));
    }, { alert, cls: 'btn btn-ghost' }));
  }
  return h('article', { class: 'kb-article' },
    a.status === 'archived' ? h('div', { class: 'alert alert-warning kb-archived-banner', role: 'status' }, t('kb.archivedBanner')) : null,
    a.reviewDue ? h('div', { class: 'alert alert-warning kb-due-banner' }, t('kb.reviewDueBanner', { date: formatDay(a.reviewBy, lang) })) : null,
    h('p', { class: 'eyebrow' }, h('a', { href: buildHash('knowledge') }, t('kb.title')), ' · ', scopeText(t, a)),
    pageHeading(a.title),
    a.summary ? h('p', { class: 'lead' }, a.summary) : null,
    h('p', { class: 'muted' }, t('kb.meta', { owner: a.owner?.name ?? '', revision: a.revision }), ' ', timeEl(a.updatedAt, lang),
      a.reviewBy ? ` · ${t('kb.reviewByDate', { date: formatDay(a.reviewBy, lang) })}` : ''),
    (a.tags ?? []).length ? h('p', { class: 'kb-tags' }, (a.tags).map((tag) => h('a', { class: 'badge', href: buildHash('knowledge', {}, { tag }) }, tag))) : null,
    markdownBlock(a.body),
    articleRecordings(t, a.recordings),
    alert.el,
    h('div', { class: 'actions' }, actions));
}

/** #/knowledge/new?workspace= and #/knowledge/:id/edit */
export async function renderArticleEditor(ctx) {
  const { api, t, route } = ctx;
  const editing = route.name === 'articleEdit';
  const existing = editing ? await api.getArticle(route.params.id) : null;
  const spaces = await api.listWorkspaces({ limit: 100 });
  ctx.setTitle(editing ? t('kb.editTitle') : t('kb.new'));
  // Ask before showing the form, not on save: the article says whether I may edit it; a
  // new guide needs somewhere to live (a guest writes only in their workspaces).
  const writable = (spaces.items ?? []).filter((w) => w.myRole);
  if (editing ? !existing.canEdit : ctx.user?.role === 'guest' && !writable.length) {
    return h('section', { class: 'card' }, pageHeading(editing ? t('kb.editTitle') : t('kb.new')),
      h('p', { role: 'status' }, t(editing ? 'kb.mayNotEdit' : 'kb.mayNotWrite')),
      h('p', {}, h('a', { href: editing ? buildHash('article', { id: existing.id }) : buildHash('knowledge') },
        editing ? existing.title : t('kb.title'))));
  }
  const alert = alertBox();
  const v = existing ?? {};
  const fields = {
    title: field(t, { label: t('kb.field.title'), name: 'title', value: v.title ?? '', required: true, attrs: { maxlength: 200 } }),
    summary: field(t, { label: t('kb.field.summary'), name: 'summary', control: 'textarea', value: v.summary ?? '' }),
    body: field(t, { label: t('kb.field.body'), name: 'body', control: 'textarea', value: v.body ?? '', required: true, hint: t('kb.field.bodyHint'), attrs: { rows: 12 } }),
    tags: field(t, { label: t('kb.field.tags'), name: 'tags', value: (v.tags ?? []).join(', '), hint: t('kb.field.tagsHint') }),
    departments: field(t, { label: t('kb.field.departments'), name: 'departments', value: (v.audience?.departments ?? []).join(', '), hint: t('kb.field.departmentsHint') }),
    reviewBy: field(t, { label: t('kb.field.reviewBy'), name: 'reviewBy', type: 'date', value: v.reviewBy ?? '' }),
  };
  fields.body.wrap.append(documentLinkButton(ctx, fields.body.input,
    () => (editing ? v.workspaceId ?? null : scope?.input.value || route.query.workspace || null)));
  const scope = editing ? null : field(t, { label: t('kb.field.scope'), name: 'workspaceId', control: 'select', value: route.query.workspace ?? '',
    options: [...(ctx.user?.role !== 'guest' ? [['', t('kb.scope.organisation')]] : []), ...writable.map((w) => [w.id, w.name])] });
  const recordings = recordingsEditor(ctx, { initial: v.recordings ?? [], workspaceId: editing ? v.workspaceId ?? null : scope.input.value || null, alert });
  scope?.input.addEventListener('change', () => recordings.setWorkspace(scope.input.value));
  // "Skriv en lathund med den här inspelningen": the recording comes attached, chapters and all.
  if (!editing && route.query.recording) {
    try { await recordings.attach(route.query.recording); } catch (err) { alert.error(t, err); }
  }
  const submit = h('button', { type: 'submit', class: 'btn' }, t('kb.save'));
  const form = h('form', { class: 'card kb-editor', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    alert.clear();
    const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value]));
    const { errors, article } = validateArticle(values);
    if (showFieldErrors(t, fields, errors)) return;
    article.recordings = recordings.value();
    // The editor keeps the audience roles it was given (it edits departments only).
    if (existing) article.audience.roles = existing.audience?.roles ?? [];
    submit.disabled = true;
    try {
      const saved = editing
        ? await api.updateArticle(existing.id, { ...article, baseRevision: existing.revision })
        : await api.createArticle({ ...article, workspaceId: scope.input.value || null });
      ctx.navigate(buildHash('article', { id: saved.id }));
    } catch (err) {
      if (err?.code === 'conflict') alert.error(t, t('kb.conflict'));
      else alert.error(t, err);
    } finally { submit.disabled = false; }
  } },
  scope?.wrap, ...Object.values(fields).map((f) => f.wrap), recordings.el, alert.el,
  h('div', { class: 'actions' }, submit,
    h('a', { class: 'btn btn-ghost', href: existing ? buildHash('article', { id: existing.id }) : buildHash('knowledge') }, t('kb.cancel'))));
  return h('section', {}, pageHeading(editing ? t('kb.editTitle') : t('kb.new')), form);
}

/** #/knowledge/:id/history?from=&to= */
export async function renderArticleHistory(ctx) {
  const { api, t, lang, route } = ctx;
  const id = route.params.id;
  const [a, history] = await Promise.all([api.getArticle(id), api.listArticleRevisions(id)]);
  ctx.setTitle(t('kb.historyTitle', { title: a.title }));
  const revisions = history.items ?? [];
  const latest = revisions[0]?.number ?? 1;
  const to = Number(route.query.to) || latest;
  const from = Number(route.query.from) || Math.max(1, to - 1);
  const alert = alertBox();
  const options = revisions.map((r) => [String(r.number), `${r.number} · ${r.author?.name ?? ''}`]);
  const fromField = field(t, { label: t('kb.diff.from'), name: 'from', control: 'select', value: String(from), options });
  const toField = field(t, { label: t('kb.diff.to'), name: 'to', control: 'select', value: String(to), options });
  const diffEl = h('div', { class: 'kb-diff', 'aria-live': 'polite' });
  if (revisions.length > 1 || from !== to) {
    const diff = await api.articleDiff(id, from, to);
    const model = diffModel(diff.fields);
    replaceChildren(diffEl, model.length
      ? model.map((f) => h('section', { class: 'kb-diff-field' }, h('h3', {}, t(`kb.field.${f.field}`)),
        h('pre', {}, f.rows.map((r) => r.kind === 'fold'
          ? h('div', { class: 'diff-fold' }, plural(t, 'kb.diff.folded', r.count))
          : h('div', { class: `diff-${r.kind}` }, h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, r.sign),
            r.kind === 'added' || r.kind === 'removed' ? h('span', { class: 'visually-hidden' }, `${t(`kb.diff.${r.kind}`)}: `) : null, r.text)))))
      : h('p', { class: 'muted' }, t('kb.diff.none')));
  }
  const compare = h('form', { class: 'kb-compare', onsubmit: (e) => {
    e.preventDefault();
    ctx.navigate(buildHash('articleHistory', { id }, { from: fromField.input.value, to: toField.input.value }));
  } }, fromField.wrap, toField.wrap, h('button', { type: 'submit', class: 'btn' }, t('kb.diff.show')));
  const rows = revisions.map((r) => h('li', { class: 'kb-revision' },
    h('strong', {}, t('kb.revision', { number: r.number })), ' ', r.author?.name ?? '', ' ', timeEl(r.createdAt, lang),
    r.restoredFrom ? ` · ${t('kb.restoredFrom', { number: r.restoredFrom })}` : '',
    a.canEdit && r.number !== a.revision
      ? actionButton(t, t('kb.restoreRevision', { number: r.number }), async () => {
        await api.restoreArticleRevision(id, r.number, a.revision);
        ctx.navigate(buildHash('article', { id }));
      }, { alert, cls: 'btn btn-ghost' })
      : null));
  return h('section', { class: 'kb-history' },
    h('p', { class: 'eyebrow' }, h('a', { href: buildHash('article', { id }) }, a.title)),
    pageHeading(t('kb.historyTitle', { title: a.title })),
    compare, diffEl, alert.el,
    h('h2', {}, t('kb.revisions')), h('ol', { class: 'kb-revisions', reversed: true }, rows));
}
