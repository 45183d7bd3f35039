// "Nyheter" at the top of the start page: the newest items for me, pinned on top, important
// ones marked, and live – a published item appears without reload.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { applyNewsEvent } from '../lib/news.js';
import { errorPanel } from './components.js';
import { newsApiFor, canPublish, ensureNewsSession, newsItem, followNews } from './news-parts.js';

/** How many items the start page shows ("Alla nyheter" leads to the rest). */
export const HOME_NEWS = 5;

export function homeNews(ctx) {
  const { t } = ctx;
  const api = newsApiFor(ctx);
  const list = h('ol', { class: 'news-list news-list-home', 'aria-label': t('news.title') });
  const status = h('div', {});
  const links = h('p', { class: 'news-home-links' }, h('a', { href: buildHash('news') }, t('news.all')));
  const section = h('section', { class: 'card news-home', 'aria-labelledby': 'home-news-h' },
    h('div', { class: 'news-home-head' }, h('h2', { id: 'home-news-h' }, t('news.title')), links),
    status, list);
  let items = [];
  let during = null; // events that arrive while the list is being read, applied to what it reads

  function paint() {
    replaceChildren(list, items.map((n) => newsItem(ctx, n, { headingLevel: 'h3' })));
    replaceChildren(status, items.length ? null : h('p', { class: 'empty' }, t('news.emptyHome')));
  }

  async function read() {
    during = [];
    try {
      items = (await api.list({ limit: HOME_NEWS })).items ?? [];
      for (const msg of during) items = applyNewsEvent(items, msg, { limit: HOME_NEWS });
      paint();
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(status, errorPanel(t, err));
    } finally {
      during = null;
    }
  }

  /** Follows the live news events first, then reads the list (nothing published in between is missed). */
  async function load() {
    followNews(ctx, {
      onEvent(msg) {
        during?.push(msg);
        const next = applyNewsEvent(items, msg, { limit: HOME_NEWS });
        if (next !== items) { items = next; paint(); }
      },
      onResume: read,
    });
    await Promise.all([read(), ensureNewsSession(ctx).then(() => {
      if (canPublish(ctx)) links.prepend(h('a', { class: 'btn btn-small btn-secondary', href: buildHash('newsNew') }, t('news.write')));
    })]);
  }

  return { section, load };
}

/**
 * "Nyheter du följer" in the start page's feed: the newest items with a tag or category I
 * follow (GET /news?followed=true), read again when news is published or revised. Shows
 * nothing while I follow no tag or category, or none of their items reach me.
 */
export function followedNews(ctx) {
  const { t } = ctx;
  const api = newsApiFor(ctx);
  const list = h('ol', { class: 'news-list news-list-followed', 'aria-labelledby': 'followed-news-h' });
  const section = h('div', { class: 'news-followed', hidden: true },
    h('h3', { id: 'followed-news-h' }, t('news.followed')), list);
  async function read() {
    try {
      const items = (await api.list({ followed: true, limit: HOME_NEWS })).items ?? [];
      replaceChildren(list, items.map((n) => newsItem(ctx, n, { headingLevel: 'h4', showIntro: false })));
      section.hidden = !items.length;
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      section.hidden = true;
    }
  }
  async function load() {
    followNews(ctx, { onEvent: () => { read(); }, onResume: read });
    await read();
  }
  return { section, load };
}
