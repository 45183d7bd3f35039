// Pieces shared by the news views and the start page's news section: the API for a view,
// an item's badges and tag links, one entry of a news list, and following the live
// `news.published` / `news.updated` events.
import { h } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { newsApi } from '../lib/news-api.js';
import { acknowledgementState } from '../lib/news.js';
import { formatDateTime } from '../lib/format.js';
import { timeEl } from './components.js';

/** The news API for a view's context. */
export function newsApiFor(ctx) {
  return newsApi(ctx.api, { getCsrfToken: () => ctx.session?.csrfToken ?? null });
}

/** Whether the viewer may write news (GET /session's `canPublishNews`). */
export function canPublish(ctx) {
  return Boolean(ctx.session?.canPublishNews);
}

/**
 * Makes sure the session says whether I may write news: the login's answer (POST /session)
 * may not carry `canPublishNews`, GET /session does. Asks once, only when it is missing.
 */
export async function ensureNewsSession(ctx) {
  const session = ctx.session;
  if (!session || session.canPublishNews !== undefined) return;
  try {
    const fresh = await ctx.api.getSession();
    session.canPublishNews = Boolean(fresh?.canPublishNews);
    if (fresh?.organisationId !== undefined) session.organisationId = fresh.organisationId;
  } catch { /* the "Skriv nyhet" links stay hidden; the server decides anyway */ }
}

/** "Viktigt", "Fäst", and for editors the state when it is not published. */
export function newsBadges(t, news) {
  return [
    news.important ? h('span', { class: 'badge news-important' }, t('news.important')) : null,
    news.pinned ? h('span', { class: 'badge news-pinned' }, t('news.pinned')) : null,
    news.state && news.state !== 'published' ? h('span', { class: 'badge badge-draft' }, t(`news.state.${news.state}`)) : null,
  ];
}

/** The tags as links that filter the news page. */
export function tagLinks(t, tags) {
  if (!(tags ?? []).length) return null;
  return h('ul', { class: 'news-tags', 'aria-label': t('news.tags') }, tags.map((tag) => h('li', {},
    h('a', { class: 'badge news-tag', href: buildHash('news', {}, { tag }) }, `#${tag}`))));
}

/** "Bekräfta senast 10 dec. 2026 12:00" and friends, or null when nothing is asked of me. */
export function acknowledgementBadge(ctx, news) {
  const { t, lang } = ctx;
  const s = acknowledgementState(news);
  if (!s.required) return null;
  if (s.done) return h('span', { class: 'badge badge-ok' }, t('news.ack.doneShort'));
  const text = s.changed ? t('news.ack.changedShort')
    : s.deadline ? t('news.ack.dueBy', { when: formatDateTime(s.deadline, lang) }) : t('news.ack.due');
  return h('span', { class: `badge ${s.overdue ? 'badge-danger' : 'badge-pending'}` }, text);
}

/** One entry of a news list (the news page and the start page). */
export function newsItem(ctx, news, { headingLevel = 'h3', showIntro = true, audience = null } = {}) {
  const { t, lang } = ctx;
  const titleId = `news-item-${news.id}`;
  return h('li', { class: `news-item${news.important ? ' news-item-important' : ''}${news.pinned ? ' news-item-pinned' : ''}`, 'data-news': news.id },
    h('article', { 'aria-labelledby': titleId },
      h(headingLevel, { class: 'news-item-title', id: titleId },
        h('a', { href: buildHash('newsArticle', { id: news.id }) }, news.title)),
      h('p', { class: 'meta' },
        newsBadges(t, news),
        news.category ? h('span', { class: 'news-category' }, news.category) : null,
        news.author?.name ? h('span', {}, news.author.name) : null,
        news.publishedAt || news.publishAt ? timeEl(news.publishedAt ?? news.publishAt, lang) : null,
        acknowledgementBadge(ctx, news)),
      showIntro && news.introduction ? h('p', { class: 'news-intro' }, news.introduction) : null,
      audience ? h('p', { class: 'meta news-audience' }, t('news.audienceLabel'), ' ', audience) : null,
      tagLinks(t, news.tags)));
}

/**
 * Calls `onEvent(msg)` for every live news event while the view is shown, and `onResume()`
 * when the connection comes back after a break (events sent meanwhile are not replayed:
 * the view reads its list again).
 */
export function followNews(ctx, { onEvent, onResume }) {
  const live = ctx.live;
  if (!live) return;
  let interrupted = false;
  const offMessage = live.on('message', (msg) => {
    if (msg?.type === 'news.published' || msg?.type === 'news.updated') onEvent(msg);
  });
  const offState = live.on('state', (state) => {
    if (state === 'reconnecting') interrupted = true;
    else if (state === 'open' && interrupted) { interrupted = false; onResume?.(); }
  });
  ctx.onCleanup(() => { offMessage(); offState(); });
}
