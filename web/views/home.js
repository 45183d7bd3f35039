// Start page: the home feed ("Flöde", live for my workspaces), my workspaces, discover,
// people search and the create form.
import { h, replaceChildren, uid } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { plainText } from '../lib/markdown.js';
import { feedState, appendFeedSlice, applyFeedEvent } from '../lib/live-state.js';
import { blogTitlesFromFeed } from '../lib/blog-state.js';
import { validateWorkspace, VISIBILITIES, WORKSPACE_NAME_MAX } from '../lib/validation.js';
import { field, alertBox, showFieldErrors, pager, pageHeading, visibilityText, errorPanel, timeEl } from './components.js';
import { searchBox } from './search.js';
import { liveNow } from './home/live-now.js';
import { postText } from '../lib/live-meetings.js';
import { homeNews, followedNews } from './news-home.js';

const PAGE = 12;
const FEED_PAGE = 10;
const EXCERPT_MAX = 200;
/** At most this many workspaces are followed live from the start page (command burst is 40). */
const LIVE_WORKSPACES_MAX = 30;
const SUBSCRIBE_WAIT_MS = 3000;

function excerpt(body) {
  const text = plainText(body ?? '').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX - 1)}…` : text;
}

function feedItem(ctx, item, blogTitles) {
  const { t, lang } = ctx;
  const ws = item.workspace ?? {};
  const post = item.data?.post;
  const thread = item.data?.thread;
  const blogPost = item.data?.blogPost;
  const who = post?.author?.name ?? thread?.author?.name ?? blogPost?.author?.name ?? '';
  const threadId = thread?.id ?? post?.threadId;
  let href = ws.id ? buildHash('workspace', { id: ws.id }, threadId ? { thread: threadId } : {}) : null;
  let what;
  let text = post && !post.deleted ? postText(t, post, lang) : '';
  if (item.type === 'thread.created' && thread?.meeting?.id) {
    // A meeting's chat: said as the meeting, and leading to it.
    what = t('feed.meetingCreated', { name: who, title: thread.meeting.title ?? '' });
    href = buildHash('meeting', { id: thread.meeting.id });
  } else if (item.type === 'thread.created') what = t('feed.threadCreated', { name: who, title: thread?.title ?? '' });
  else if (item.type === 'post.created') what = t('feed.postCreated', { name: who });
  else if (item.type === 'blog.published' && blogPost?.deleted) {
    // The post was deleted since: the server blanks its title and text in the stored events.
    what = t('feed.blogPublishedDeleted', { name: who });
    href = null;
  } else if (item.type === 'blog.published' && blogPost) {
    what = t('feed.blogPublished', { name: who, title: blogPost.title ?? '' });
    href = ws.id ? buildHash('workspaceBlogPost', { id: ws.id, postId: blogPost.id }) : null;
    text = blogPost.body;
  } else if (item.type === 'blog.commented' && post) {
    // The feed item carries the comment only; the post's title is known when its
    // publication is in the feed too.
    const title = blogTitles.get(post.threadId);
    what = title ? t('feed.blogCommentedTitle', { name: who, title }) : t('feed.blogCommented', { name: who });
    href = ws.id && post.threadId ? buildHash('workspaceBlogPost', { id: ws.id, postId: post.threadId }) : null;
  } else what = t('feed.other', { name: who });
  return h('li', { class: 'feed-item' },
    h('p', { class: 'feed-what' }, href ? h('a', { href }, what) : what),
    text ? h('p', { class: 'excerpt' }, excerpt(text)) : null,
    h('p', { class: 'meta' },
      ws.name ? h('span', {}, t('feed.in', { workspace: ws.name })) : null,
      timeEl(item.createdAt, lang)));
}

/** The home feed: newest first, "Visa fler" for older items, live items added on top. */
function homeFeed(ctx, names) {
  const { t, api } = ctx;
  const list = h('ol', { class: 'feed-list', 'aria-label': t('feed.title') });
  const status = h('div', {});
  const more = h('button', { type: 'button', class: 'btn btn-secondary', hidden: true }, t('feed.more'));
  const followed = ctx.user?.role === 'guest' ? null : followedNews(ctx);
  const section = h('section', { class: 'card feed', 'aria-labelledby': 'feed-h' },
    h('h2', { id: 'feed-h' }, t('feed.title')), followed?.section, status, list, more);
  let feed = feedState();

  function paint() {
    const titles = blogTitlesFromFeed(feed.items);
    replaceChildren(list, feed.items.map((item) => feedItem(ctx, item, titles)));
    replaceChildren(status, feed.items.length ? null : h('p', { class: 'empty' }, t('feed.empty')));
    more.hidden = !feed.next;
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    const count = feed.items.length;
    try {
      feed = appendFeedSlice(feed, await api.getFeed({ before: feed.next, limit: FEED_PAGE }));
      paint();
      // Keep keyboard users in place: focus the first newly shown item's link.
      list.children[count]?.querySelector('a')?.focus();
      if (!list.children[count]) more.focus();
    } catch (err) {
      replaceChildren(status, errorPanel(t, err));
    } finally {
      more.disabled = false;
    }
  });

  async function load() {
    followed?.load();
    try {
      feed = feedState(await api.getFeed({ limit: FEED_PAGE }));
      paint();
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(status, errorPanel(t, err));
    }
  }

  /** Follows my workspaces live: subscribe, then add their feed events on top. */
  async function follow(mine) {
    const live = ctx.live;
    if (!live) return;
    let page;
    try { page = await mine; } catch { return; }
    if (!ctx.isCurrent()) return;
    for (const ws of page.items) names.set(ws.id, ws.name);
    const off = live.on('event', (ev) => {
      if (!names.has(ev.workspaceId)) return;
      const next = applyFeedEvent(feed, { ...ev, workspaceName: names.get(ev.workspaceId) });
      if (next !== feed) { feed = next; paint(); }
    });
    const ids = [...names.keys()];
    const acks = ids.map((id) => live.subscribe(id).catch(() => null));
    ctx.onCleanup(() => { off(); for (const id of ids) live.unsubscribe(id); });
    // Wait (briefly) for the subscriptions; items seen twice are shown once.
    await Promise.race([Promise.all(acks), new Promise((r) => { setTimeout(r, SUBSCRIBE_WAIT_MS); })]);
  }

  return { section, load, follow };
}

export function workspaceCard(t, ws) {
  const titleId = uid('ws');
  return h('li', { class: 'card ws-card' },
    h('h3', { id: titleId, class: 'ws-card-title' },
      h('a', { href: buildHash('workspace', { id: ws.id }) }, ws.name)),
    ws.description ? h('p', { class: 'ws-card-desc' }, ws.description) : null,
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-${ws.visibility}` }, visibilityText(t, ws.visibility)),
      h('span', {}, plural(t, 'workspace.memberCount', ws.memberCount ?? 0)),
      ws.myRole ? h('span', { class: 'badge badge-role' }, t(`wsRole.${ws.myRole}`)) : null,
      ws.myRequestPending ? h('span', { class: 'badge badge-pending' }, t('workspace.requestPending')) : null,
      ws.hasGuests ? h('span', { class: 'badge badge-guest' }, t('workspace.hasGuestsBadge')) : null));
}

/** The first PAGE of a longer first page (fetched once for the list and the live feed). */
function firstPage(page) {
  return { ...page, items: page.items.slice(0, PAGE), limit: PAGE };
}

/** A section listing one scope of workspaces with its own pager. */
function workspaceList(ctx, { scope, title, empty, headingId }) {
  const { t, api } = ctx;
  const list = h('div', { class: 'ws-list-body' });
  const section = h('section', { class: 'block', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title), list);
  async function load(offset, first) {
    try {
      const page = first ? firstPage(await first) : await api.listWorkspaces({ scope, limit: PAGE, offset });
      replaceChildren(list,
        page.items.length
          ? h('ul', { class: 'card-grid', 'aria-label': title }, page.items.map((ws) => workspaceCard(t, ws)))
          : h('p', { class: 'empty' }, empty),
        pager(t, page, load));
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(list, errorPanel(t, err));
    }
  }
  return { section, load };
}

function peopleSearch(ctx) {
  const { t } = ctx;
  const q = field(t, { label: t('home.peopleSearchLabel'), name: 'q', type: 'search' });
  const form = h('form', { role: 'search', class: 'stack', 'aria-label': t('home.peopleSearchTitle') },
    q.wrap, h('button', { type: 'submit', class: 'btn btn-primary' }, t('home.peopleSearchSubmit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(buildHash('people', {}, { q: q.input.value.trim() }));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'people-search-h' },
    h('h2', { id: 'people-search-h' }, t('home.peopleSearchTitle')),
    h('p', { class: 'hint' }, t('home.peopleSearchHint')), form);
}

function createForm(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  const name = field(t, { label: t('workspace.name'), name: 'name', required: true,
    attrs: { maxlength: WORKSPACE_NAME_MAX } });
  const description = field(t, { label: t('workspace.description'), name: 'description', control: 'textarea' });
  const visibility = field(t, { label: t('workspace.visibility'), name: 'visibility', control: 'select', value: 'open',
    options: VISIBILITIES.map((v) => [v, t(`visibility.${v}`)]),
    hint: t('workspace.visibilityHint') });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('home.createSubmit'));
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, name.wrap, description.wrap, visibility.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const values = { name: name.input.value.trim(), description: description.input.value, visibility: visibility.input.value };
    if (showFieldErrors(t, { name, description, visibility }, validateWorkspace(values))) return;
    submit.disabled = true;
    try {
      const ws = await api.createWorkspace(values);
      ctx.navigate(buildHash('workspace', { id: ws.id }));
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'create-ws-h' },
    h('h2', { id: 'create-ws-h' }, t('home.createTitle')), form);
}

export async function renderHome(ctx) {
  const { t, user } = ctx;
  ctx.setTitle(t('home.title'));
  const isGuest = user.role === 'guest';
  const firstName = String(user.name ?? '').split(' ')[0];
  const mine = workspaceList(ctx, { scope: 'mine', title: t('home.mine'), empty: t('home.mineEmpty'), headingId: 'mine-h' });
  const names = new Map(); // the workspaces followed live: id → name
  const feed = homeFeed(ctx, names);
  const now = liveNow(ctx, names);
  // One request for my workspaces: the list shows its first page, the feed follows them all.
  const minePage = ctx.api.listWorkspaces({ scope: 'mine', limit: LIVE_WORKSPACES_MAX });
  minePage.catch(() => {}); // each user of it handles the failure
  // Subscribe before the feed is read, so nothing written in between is missed.
  const following = feed.follow(minePage);
  const loads = [mine.load(0, minePage), following.then(() => Promise.all([feed.load(), now.load()]))];
  let discover = null;
  // News (nyheter) at the top: employees only, as the news page.
  const news = isGuest ? null : homeNews(ctx);
  if (news) loads.push(news.load());
  if (!isGuest) {
    discover = workspaceList(ctx, { scope: 'discover', title: t('home.discover'), empty: t('home.discoverEmpty'), headingId: 'discover-h' });
    loads.push(discover.load(0));
  }
  await Promise.all(loads);
  return h('div', { class: 'home' },
    h('div', { class: 'hero' },
      pageHeading(t('home.greeting', { name: firstName })),
      h('p', { class: 'lead' }, isGuest ? t('home.introGuest') : t('home.intro')),
      searchBox(t, { navigate: ctx.navigate, cls: 'home-search' })),
    h('div', { class: 'layout-two' },
      h('div', { class: 'col-main' }, news?.section, now.section, feed.section, mine.section, discover?.section),
      isGuest ? null : h('div', { class: 'col-side' }, peopleSearch(ctx), createForm(ctx))));
}
