// The news page (#/news): pinned items first, then the newest, "Viktigt" marked; filters for
// a tag (the tags on each item are links), an organisation and words; for editors also the
// unpublished states and "Skriv nyhet". Live: a published item appears without reload.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { applyNewsEvent, audienceSummary } from '../lib/news.js';
import { newsFeedUrl } from '../lib/news-api.js';
import { field, pager, pageHeading, errorPanel } from './components.js';
import { followButton } from './notifications-follow.js';
import { newsApiFor, canPublish, ensureNewsSession, newsItem, followNews } from './news-parts.js';

const PAGE = 10;
const STATES = ['', 'draft', 'scheduled', 'expired', 'all'];

export async function renderNews(ctx) {
  const { t, route } = ctx;
  const news = newsApiFor(ctx);
  const q = route.query;
  await ensureNewsSession(ctx);
  const editor = canPublish(ctx);
  ctx.setTitle(t('news.title'));
  const offset = Math.max(0, Number(q.offset) || 0);
  const query = { limit: PAGE, offset, tag: q.tag, q: q.q, organisationId: q.organisationId,
    state: editor && STATES.includes(q.state) ? q.state : undefined };
  const [page, orgs] = await Promise.all([news.list(query), news.organisations().catch(() => ({ items: [] }))]);
  const organisations = orgs.items ?? [];
  const go = (changes) => ctx.navigate(buildHash('news', {}, { ...q, offset: '', ...changes }));

  const words = field(t, { label: t('news.filter.words'), name: 'q', type: 'search', value: q.q ?? '' });
  const org = field(t, { label: t('news.filter.organisation'), name: 'organisationId', control: 'select', value: q.organisationId ?? '',
    options: [['', t('news.filter.allOrganisations')], ...organisations.map((o) => [o.id, o.name])] });
  const state = editor ? field(t, { label: t('news.filter.state'), name: 'state', control: 'select', value: q.state ?? '',
    options: STATES.map((s) => [s, t(`news.filter.state.${s || 'published'}`)]) }) : null;
  const filters = h('form', { class: 'card news-filters', role: 'search', 'aria-label': t('news.filter.label'), onsubmit: (e) => {
    e.preventDefault();
    go({ q: words.input.value.trim(), organisationId: org.input.value, state: state?.input.value ?? '' });
  } }, words.wrap, organisations.length > 1 ? org.wrap : null, state?.wrap, h('button', { type: 'submit', class: 'btn' }, t('news.filter.apply')));

  const tagNote = q.tag
    ? h('p', { class: 'news-tag-filter' }, t('news.filter.tagShown', { tag: q.tag }), ' ',
      h('a', { href: buildHash('news', {}, { ...q, tag: '', offset: '' }) }, t('news.filter.allTags')), ' ',
      followButton(ctx, 'tag', q.tag, t('news.followTag', { tag: q.tag })))
    : null;

  let items = page.items ?? [];
  const list = h('ol', { class: 'news-list', 'aria-label': t('news.listLabel') });
  const status = h('div', {});
  const paint = () => {
    replaceChildren(list, items.map((n) => newsItem(ctx, n, {
      headingLevel: 'h2', audience: editor ? audienceSummary(t, n.audience, organisations) : null })));
    replaceChildren(status, items.length ? null : h('p', { class: 'empty' }, t('news.empty')));
  };
  paint();
  // Live on the plain first page (a filtered or later page keeps what it asked for).
  const plain = !offset && !q.tag && !q.q && !q.organisationId && !query.state;
  if (plain) {
    followNews(ctx, {
      onEvent(msg) {
        const next = applyNewsEvent(items, msg, { limit: PAGE });
        if (next !== items) { items = next; paint(); }
      },
      async onResume() {
        try { items = (await news.list(query)).items ?? []; paint(); } catch (err) { replaceChildren(status, errorPanel(t, err)); }
      },
    });
  }
  return h('section', { class: 'news-page' },
    pageHeading(t('news.title')),
    h('p', { class: 'lead' }, t('news.intro')),
    editor ? h('p', { class: 'row' }, h('a', { class: 'btn btn-primary', href: buildHash('newsNew') }, t('news.write'))) : null,
    filters, tagNote, status, list,
    pager(t, page, (next) => go({ offset: String(next) })),
    h('p', { class: 'hint news-feed-link' }, h('a', { href: newsFeedUrl({ organisationId: q.organisationId, tag: q.tag }) }, t('news.atom'))));
}
