// Blogs: a workspace's blog (live for members, like the discussions) and a person's own
// blog (employees only, over HTTP). Lists with excerpts, one post with its Markdown,
// reactions and comments, and the form to write, save as draft and publish.
// State changes go through the pure reducers in lib/blog-state.js.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { validateBlogPost, validatePost, BLOG_TITLE_MAX } from '../lib/validation.js';
import { hasReacted } from '../lib/live-state.js';
import {
  blogListState, applyBlogListEvent, upsertBlogPost, removeBlogPost, blogPostState, applyBlogPostEvent, withComment,
  blogExcerpt, canEditBlogPost, canDeleteBlogPost, blogPostHash, blogPostDate,
} from '../lib/blog-state.js';
import { topicFor } from '../lib/socket.js';
import { markdownBlock, timeEl, field, alertBox, showFieldErrors, errorPanel, avatar, keepFocus, focusWithin, restoreFocus, pageHeading } from './components.js';
import { markdownEditor } from './editor.js';
import { QUICK_REACTIONS } from './discussion.js';

const LIST_LIMIT = 50;
const COMMENT_PAGE = 100;
const COMMENT_PAGES_MAX = 20;
const PERSONAL_PAGES_MAX = 20;
const SUBSCRIBE_WAIT_MS = 3000;


function draftBadge(t, post) {
  return post.status === 'draft' ? h('span', { class: 'badge badge-draft' }, t('blog.draft')) : null;
}

/** "Anna Lindqvist · 2026-11-26 18:02 · Utkast" */
function postMeta(ctx, post, { withAuthor = true } = {}) {
  const { t, lang } = ctx;
  return h('p', { class: 'meta' },
    withAuthor ? h('span', { class: 'blog-author' }, post.author?.name ?? '') : null,
    h('span', {}, post.status === 'draft' ? t('blog.savedAt') : t('blog.publishedAt'), ' ', timeEl(blogPostDate(post), lang)),
    draftBadge(t, post));
}

function reactionSummary(t, post) {
  const list = post.reactions ?? [];
  if (!list.length) return null;
  return h('span', { class: 'blog-reactions' }, list.map((r) => h('span', {
    class: 'reaction reaction-static', role: 'img', 'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }),
  }, `${r.emoji} ${r.count}`)));
}

/** Reactions of one post or comment: toggle buttons and a picker when `toggle` is given. */
function reactionBar(ctx, item, toggle) {
  const { t, user } = ctx;
  const mine = (emoji) => hasReacted(item, emoji, user.id);
  const existing = (item.reactions ?? []).map((r) => (toggle
    ? h('button', {
      type: 'button', class: `reaction${mine(r.emoji) ? ' reaction-mine' : ''}`, 'aria-pressed': mine(r.emoji) ? 'true' : 'false',
      'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }),
      'data-focus-key': `react-${r.emoji}`, onclick: () => toggle(r.emoji, !mine(r.emoji)),
    }, h('span', { 'aria-hidden': 'true' }, r.emoji), ' ', h('span', { 'aria-hidden': 'true' }, String(r.count)))
    : h('span', { class: 'reaction', role: 'img', 'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }) },
      `${r.emoji} ${r.count}`)));
  const picker = toggle
    ? h('details', { class: 'react-picker' },
      h('summary', { 'data-focus-key': 'react-picker' }, t('discussion.react')),
      h('div', { class: 'react-options' }, QUICK_REACTIONS.map((emoji) => h('button', {
        type: 'button', class: 'reaction', 'aria-label': t('discussion.reactWith', { emoji }), 'data-focus-key': `pick-${emoji}`,
        'aria-pressed': mine(emoji) ? 'true' : 'false', onclick: () => toggle(emoji, !mine(emoji)),
      }, emoji))))
    : null;
  if (!existing.length && !picker) return null;
  return h('div', { class: 'reactions', role: 'group', 'aria-label': t('discussion.reactions') }, existing, picker);
}

/**
 * The write form: title and Markdown body, "Spara utkast" and "Publicera" for new posts and
 * drafts, "Spara ändringar" for published ones. `onSave({title, body}, publish)` resolves
 * with the saved post. Pressing Enter in the title saves a draft (the first button), never
 * publishes by accident.
 */
export function blogForm(ctx, { post = null, headingText, name, getMembers = null, onSave, onCancel = null, onSaved = null }) {
  const { t, user } = ctx;
  const formAlert = alertBox();
  const headingId = `${name}-h`;
  const title = field(t, { label: t('blog.titleLabel'), name: `${name}-title`, required: true, value: post?.title ?? '',
    attrs: { maxlength: BLOG_TITLE_MAX } });
  const body = markdownEditor(t, { label: t('blog.bodyLabel'), name: `${name}-body`, required: true, rows: 8,
    getMembers, excludeId: user.id, value: post?.body ?? '' });
  const isDraft = !post || post.status === 'draft';
  const buttons = isDraft
    ? [h('button', { type: 'submit', class: 'btn btn-secondary', name: 'action', value: 'draft' }, t('blog.saveDraft')),
      h('button', { type: 'submit', class: 'btn btn-primary', name: 'action', value: 'publish' }, t('blog.publish'))]
    : [h('button', { type: 'submit', class: 'btn btn-primary', name: 'action', value: 'save' }, t('blog.saveChanges'))];
  if (onCancel) buttons.push(h('button', { type: 'button', class: 'btn btn-ghost', onclick: onCancel }, t('discussion.cancel')));
  const form = h('form', { class: 'stack blog-form', novalidate: true, 'aria-labelledby': headingId },
    h('h3', { id: headingId, class: 'blog-form-title' }, headingText), formAlert.el, title.wrap, body.wrap,
    h('div', { class: 'row' }, buttons));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formAlert.clear();
    const action = e.submitter?.value ?? (isDraft ? 'draft' : 'save');
    const values = { title: title.input.value.trim(), body: body.input.value };
    if (showFieldErrors(t, { title, body }, validateBlogPost(values))) return;
    for (const b of buttons) b.disabled = true;
    try {
      const saved = await onSave(values, action === 'publish');
      if (!post) { title.input.value = ''; body.input.value = ''; }
      formAlert.success(saved?.status === 'published' ? t('blog.published') : t('blog.draftSaved'));
      onSaved?.(saved);
    } catch (err) {
      formAlert.error(t, err);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  body.input.addEventListener('keydown', (e) => { if (e.key === 'Escape' && onCancel && !e.defaultPrevented) onCancel(); });
  return { form, title, body, alert: formAlert };
}

/** One entry of a blog list: title (link), author, date, draft badge, excerpt, reactions, comments. */
function listItem(ctx, post, { showAuthor = true, showComments = true, actions = null } = {}) {
  const { t } = ctx;
  const titleId = `blog-item-${post.id}`;
  const counts = [
    showComments && post.status !== 'draft' ? h('span', {}, plural(t, 'blog.commentCount', post.commentCount ?? 0)) : null,
    reactionSummary(t, post),
  ].filter(Boolean);
  return h('li', { class: `blog-item${post.status === 'draft' ? ' blog-item-draft' : ''}`, 'data-blog-post': post.id },
    h('article', { 'aria-labelledby': titleId },
      h('h3', { class: 'blog-item-title', id: titleId },
        h('a', { href: blogPostHash(post), 'data-focus-key': `post-${post.id}` }, post.title)),
      postMeta(ctx, post, { withAuthor: showAuthor }),
      post.body ? h('p', { class: 'excerpt' }, blogExcerpt(post.body)) : null,
      counts.length ? h('p', { class: 'meta' }, counts) : null,
      actions));
}

function deletedNotice(t, backHref) {
  return h('div', { class: 'stack' },
    h('p', { role: 'status', class: 'empty' }, t('blog.deletedText')),
    h('p', {}, h('a', { href: backHref }, t('blog.backToList'))));
}

function notFoundNotice(t, backHref) {
  return h('div', { class: 'stack' },
    h('p', { role: 'alert' }, t('blog.notFound')),
    h('p', {}, h('a', { href: backHref }, t('blog.backToList'))));
}

// ====================================================================== workspace blog

/**
 * The blog of a workspace: the list (`postId` null) or one post. Members read over HTTP once
 * and then follow the live connection; non-members of an open workspace read only.
 * Returns `{el, dispose}`.
 */
export function workspaceBlogSection(ctx, ws, { postId = null, onRemoved } = {}) {
  const { t, api, user } = ctx;
  const live = ctx.live;
  const wsId = ws.id;
  const isMember = Boolean(ws.myRole);
  const isOwner = ws.myRole === 'owner';
  const canWrite = isMember && Boolean(live);
  const listHref = buildHash('workspaceBlog', { id: wsId });
  const alert = alertBox();
  const disposers = [];
  const buffer = [];
  let loaded = false;
  let list = null; // blogListState, list mode
  let open = null; // blogPostState, post mode
  let editing = false;
  let membersCache = null;
  const getMembers = () => {
    membersCache ??= api.listMembers(wsId, { limit: 100 }).then((page) => page.items.map((m) => m.person))
      .catch((err) => { membersCache = null; throw err; });
    return membersCache;
  };

  const feedHref = `/feeds/workspaces/${encodeURIComponent(wsId)}/blog.atom`;
  const feedInfo = ws.visibility === 'open'
    ? h('p', { class: 'blog-feed' },
      h('a', { href: feedHref, type: 'application/atom+xml', class: 'feed-link' },
        h('span', { class: 'feed-icon', 'aria-hidden': 'true' }), t('blog.atomLink')))
    : h('p', { class: 'hint blog-feed' }, t('blog.atomClosed'), ' ', h('a', { href: buildHash('profile') }, t('blog.atomTokenLink')));
  const heading = h('h2', { id: 'blog-h', tabindex: '-1' }, t('blog.title'));
  const content = h('div', { class: 'stack' }, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  const el = h('section', { class: 'card blog', 'aria-labelledby': 'blog-h' },
    h('div', { class: 'blog-head' }, heading, feedInfo), alert.el, content);

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  const save = (values, publish, id) => live.send('blog.save', {
    topic: topicFor(wsId), data: { ...(id ? { id } : {}), ...values, ...(publish ? { publish: true } : {}) },
  }).then((ack) => ack?.result);

  // ------------------------------------------------------------ list mode
  const listEl = h('div', { class: 'blog-list-body' });

  function renderList() {
    keepFocus(listEl, () => {
      replaceChildren(listEl, list.posts.length
        ? h('ul', { class: 'blog-list', 'aria-label': t('blog.listLabel') }, list.posts.map((p) => listItem(ctx, p)))
        : h('p', { class: 'empty' }, t('blog.none')));
    });
  }

  function buildList() {
    const parts = [];
    if (canWrite) {
      const write = blogForm(ctx, {
        headingText: t('blog.newPost'), name: 'blog-new', getMembers,
        onSave: (values, publish) => save(values, publish),
        onSaved: (post) => { if (post && list) { list = upsertBlogPost(list, post); renderList(); } },
      });
      parts.push(h('details', { class: 'blog-write' },
        h('summary', {}, t('blog.writePost')), write.form));
    } else {
      parts.push(h('p', { class: 'hint' }, isMember ? t('discussion.offline') : t('blog.readOnly')));
    }
    parts.push(listEl);
    replaceChildren(content, parts);
  }

  // ------------------------------------------------------------ post mode
  const articleEl = h('div', {});
  const commentsEl = h('ol', { class: 'comment-list', 'aria-labelledby': 'comments-h' });
  const commentsHeading = h('h4', { id: 'comments-h', class: 'comments-title' });
  const commentEntries = new Map(); // id → {comment, li}
  let commentForm = null;

  function articleFor(post) {
    const own = canEditBlogPost(post, user.id);
    const actions = [];
    if (canWrite && own) {
      actions.push(h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'edit',
        onclick: () => { editing = true; renderArticle(); articleEl.querySelector('input')?.focus(); } }, t('discussion.edit')));
      if (post.status === 'draft') {
        actions.push(h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'publish',
          onclick: () => act(async () => {
            const saved = await save({ title: post.title, body: post.body }, true, post.id);
            if (saved) { open = { ...open, post: saved }; renderOpen(); alert.success(t('blog.published')); }
          }) }, t('blog.publish')));
      }
    }
    if (canWrite && canDeleteBlogPost(post, { userId: user.id, isOwner })) {
      actions.push(h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'delete',
        onclick: () => {
          if (!window.confirm(t('blog.confirmDelete'))) return;
          act(async () => { await live.send('blog.delete', { data: { id: post.id } }); ctx.navigate(listHref); });
        } }, t('discussion.delete')));
    }
    const toggle = canWrite && post.status === 'published'
      ? (emoji, add) => act(() => live.send(add ? 'reaction.add' : 'reaction.remove', { data: { targetId: post.id, emoji } }))
      : null;
    return h('article', { class: 'blog-post', 'aria-labelledby': 'blog-post-title' },
      h('h3', { class: 'blog-post-title', id: 'blog-post-title', tabindex: '-1' }, post.title),
      h('div', { class: 'post-head' }, avatar(post.author?.name ?? ''), postMeta(ctx, post)),
      markdownBlock(post.body),
      reactionBar(ctx, post, toggle),
      actions.length ? h('div', { class: 'post-actions' }, actions) : null);
  }

  function renderArticle() {
    const post = open.post;
    if (editing) {
      const f = blogForm(ctx, {
        post, headingText: t('blog.editPost'), name: 'blog-edit', getMembers,
        onSave: (values, publish) => save(values, publish, post.id),
        onSaved: (saved) => {
          if (!saved) return;
          editing = false;
          open = { ...open, post: { ...saved, commentCount: Math.max(saved.commentCount ?? 0, open.comments.length) } };
          renderOpen();
          articleEl.querySelector('[data-focus-key="edit"]')?.focus();
        },
        onCancel: () => { editing = false; renderArticle(); articleEl.querySelector('[data-focus-key="edit"]')?.focus(); },
      });
      replaceChildren(articleEl, f.form);
      return;
    }
    keepFocus(articleEl, () => replaceChildren(articleEl, articleFor(post)));
  }

  function commentArticle(comment) {
    const headingId = `comment-${comment.id}-by`;
    const toggle = canWrite && !comment.deleted
      ? (emoji, add) => act(() => live.send(add ? 'reaction.add' : 'reaction.remove', { data: { targetId: comment.id, emoji } }))
      : null;
    return h('article', { class: `post${comment.deleted ? ' post-is-deleted' : ''}`, 'aria-labelledby': headingId, 'data-comment': comment.id },
      h('header', { class: 'post-head' },
        avatar(comment.author?.name ?? ''),
        h('div', { class: 'post-head-text' },
          h('p', { class: 'post-author', id: headingId }, comment.author?.name ?? ''),
          h('p', { class: 'meta' }, timeEl(comment.createdAt, ctx.lang)))),
      comment.deleted ? h('p', { class: 'post-deleted' }, t('discussion.deleted')) : markdownBlock(comment.body),
      comment.deleted ? null : reactionBar(ctx, comment, toggle));
  }

  function syncComments() {
    if (commentEntries.size === 0) replaceChildren(commentsEl);
    for (const c of open.comments) {
      const entry = commentEntries.get(c.id);
      if (!entry) {
        const li = h('li', { class: 'post-item' }, commentArticle(c));
        commentsEl.append(li);
        commentEntries.set(c.id, { comment: c, li });
      } else if (entry.comment !== c) {
        const saved = focusWithin(entry.li);
        replaceChildren(entry.li, commentArticle(c));
        entry.comment = c;
        restoreFocus(entry.li, saved);
      }
    }
    if (!open.comments.length) replaceChildren(commentsEl, h('li', { class: 'empty' }, t('blog.noComments')));
    commentsHeading.textContent = plural(t, 'blog.commentCount', Math.max(open.post.commentCount ?? 0, open.comments.length));
  }

  function buildCommentForm() {
    const formAlert = alertBox();
    const body = markdownEditor(t, { label: t('blog.commentLabel'), name: 'blog-comment', required: true,
      getMembers, excludeId: user.id, rows: 3 });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('blog.sendComment'));
    const form = h('form', { class: 'stack reply-form', novalidate: true, 'aria-label': t('blog.commentLabel') },
      formAlert.el, body.wrap, h('div', { class: 'row' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      if (showFieldErrors(t, { body }, validatePost({ body: body.input.value }))) return;
      submit.disabled = true;
      submit.textContent = t('discussion.sending');
      try {
        const ack = await live.send('blog.comment', { data: { blogPostId: open.post.id, body: body.input.value } });
        body.input.value = '';
        if (ack?.result?.post && open) { open = withComment(open, ack.result.post); syncComments(); }
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        submit.disabled = false;
        submit.textContent = t('blog.sendComment');
      }
    });
    return form;
  }

  function renderOpen() {
    if (open.deleted) {
      replaceChildren(content, h('p', { class: 'crumbs' }, h('a', { href: listHref }, `← ${t('blog.backToList')}`)),
        deletedNotice(t, listHref));
      return;
    }
    renderArticle();
    const published = open.post.status === 'published';
    if (!content.contains(articleEl)) {
      commentForm = canWrite && published ? buildCommentForm() : null;
      replaceChildren(content,
        h('p', { class: 'crumbs' }, h('a', { href: listHref }, `← ${t('blog.backToList')}`)),
        articleEl,
        h('section', { class: 'comments stack', 'aria-labelledby': 'comments-h', hidden: !published },
          commentsHeading, commentsEl, commentForm));
    } else if (published && canWrite && !commentForm) {
      // A draft was just published: comments are open now.
      commentForm = buildCommentForm();
      const section = content.querySelector('.comments');
      section.hidden = false;
      section.append(commentForm);
    }
    syncComments();
  }

  async function loadPost() {
    const first = await api.getBlogPost(postId, { limit: COMMENT_PAGE, offset: 0 });
    const comments = [...(first.comments?.items ?? [])];
    const total = first.comments?.total ?? comments.length;
    for (let page = 1; page < COMMENT_PAGES_MAX && comments.length < total; page++) {
      const res = await api.getBlogPost(postId, { limit: COMMENT_PAGE, offset: page * COMMENT_PAGE });
      if (!res.comments?.items?.length) break;
      comments.push(...res.comments.items);
    }
    return { post: first.blogPost, comments };
  }

  // ------------------------------------------------------------ live events
  function applyEvent(ev) {
    if (list) {
      const before = list;
      list = applyBlogListEvent(list, ev);
      if (list.posts !== before.posts) renderList();
    }
    if (open) {
      const before = open;
      open = applyBlogPostEvent(open, ev);
      if (open.deleted && !before.deleted) { renderOpen(); return; }
      if (open.post !== before.post && !editing) renderOpen();
      else if (open.comments !== before.comments) syncComments();
    }
  }

  async function load(seq) {
    loaded = false;
    if (postId) {
      commentEntries.clear();
      const { post, comments } = await loadPost();
      open = blogPostState(post, comments, seq);
      if (!ctx.isCurrent()) return;
      renderOpen();
    } else {
      const res = await api.listWorkspaceBlog(wsId, { limit: LIST_LIMIT });
      list = blogListState(res.items ?? [], seq);
      if (!content.contains(listEl)) buildList();
      renderList();
    }
    loaded = true;
    for (const ev of buffer.splice(0)) applyEvent(ev);
  }

  if (isMember && live) {
    disposers.push(
      live.on('event', (ev) => {
        if (ev.workspaceId !== wsId) return;
        if (!loaded) buffer.push(ev); else applyEvent(ev);
      }),
      live.on('reload', (msg) => { if (msg.workspaceId === wsId) load(msg.seq).catch((err) => alert.error(t, err)); }),
      live.on('unsubscribed', (msg) => { if (msg.workspaceId === wsId) onRemoved?.(msg.reason); }),
    );
  }

  async function start() {
    try {
      let seq = 0;
      if (isMember && live) {
        // Subscribe first so nothing written between the page load and the subscription is
        // missed; if the connection is slow, load anyway (the reducers are idempotent).
        const timeout = new Promise((resolve) => { setTimeout(() => resolve(null), SUBSCRIBE_WAIT_MS); });
        const ack = await Promise.race([live.subscribe(wsId).catch(() => null), timeout]);
        seq = Number.isInteger(ack?.seq) ? ack.seq : 0;
      }
      await load(seq);
      if (postId && ctx.isCurrent()) articleEl.querySelector('.blog-post-title')?.focus();
    } catch (err) {
      if (postId && (err?.code === 'not-found' || err?.status === 404)) replaceChildren(content, notFoundNotice(t, listHref));
      else if (err?.code === 'forbidden' || err?.status === 403) replaceChildren(content, h('p', { class: 'empty' }, t('blog.membersOnly')));
      else replaceChildren(content, errorPanel(t, err));
    }
  }
  start();

  return {
    el,
    dispose() {
      for (const off of disposers) off();
      if (isMember && live) live.unsubscribe(wsId);
    },
  };
}

// ====================================================================== personal blog

/** Whether `viewer` may see personal blogs and `person` has one (employees only). */
export function hasPersonalBlog(viewer, person) {
  return Boolean(viewer && person && viewer.role !== 'guest' && person.role !== 'guest');
}

async function loadPersonalPosts(api, personId, { stopAt } = {}) {
  const items = [];
  let total = Infinity;
  for (let page = 0; page < PERSONAL_PAGES_MAX && items.length < total; page++) {
    const res = await api.listPersonalBlog(personId, { limit: LIST_LIMIT, offset: page * LIST_LIMIT });
    items.push(...(res.items ?? []));
    total = res.total ?? items.length;
    if (!res.items?.length || (stopAt && items.some((p) => p.id === stopAt))) break;
  }
  return items;
}

function personalSave(api, values, publish, id) {
  const payload = { ...values, ...(publish ? { publish: true } : {}) };
  return id ? api.updatePersonalPost(id, payload) : api.createPersonalPost(payload);
}

/**
 * A person's blog as a section of their profile: published posts; for my own blog also my
 * drafts, the "Skriv inlägg" form and edit / publish / delete on each post.
 */
export async function personalBlogSection(ctx, person, { headingId = 'personal-blog-h' } = {}) {
  const { t, api, user } = ctx;
  const mine = person.id === user.id;
  const alert = alertBox();
  const listEl = h('div', { class: 'blog-list-body' });
  const editingIds = new Set();
  let list = blogListState([], 0);

  function itemActions(post) {
    if (!mine) return null;
    return h('div', { class: 'post-actions' },
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `edit-${post.id}`,
        'aria-label': t('blog.editNamed', { title: post.title }),
        onclick: () => { editingIds.add(post.id); render(); listEl.querySelector(`[data-blog-post="${post.id}"] input`)?.focus(); } },
      t('discussion.edit')),
      post.status === 'draft'
        ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': `publish-${post.id}`,
          'aria-label': t('blog.publishNamed', { title: post.title }),
          onclick: () => act(async () => {
            list = upsertBlogPost(list, await personalSave(api, { title: post.title, body: post.body }, true, post.id));
            render();
            alert.success(t('blog.published'));
            listEl.querySelector(`[data-focus-key="post-${post.id}"]`)?.focus();
          }) }, t('blog.publish'))
        : null,
      h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': `delete-${post.id}`,
        'aria-label': t('blog.deleteNamed', { title: post.title }),
        onclick: () => {
          if (!window.confirm(t('blog.confirmDelete'))) return;
          act(async () => {
            await api.deletePersonalPost(post.id);
            list = removeBlogPost(list, post.id);
            render();
            alert.success(t('blog.deleted'));
          });
        } }, t('discussion.delete')));
  }

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  function render() {
    keepFocus(listEl, () => {
      replaceChildren(listEl, list.posts.length
        ? h('ul', { class: 'blog-list', 'aria-label': t('blog.listLabel') }, list.posts.map((p) => {
          if (!editingIds.has(p.id)) return listItem(ctx, p, { showAuthor: false, showComments: false, actions: itemActions(p) });
          const f = blogForm(ctx, {
            post: p, headingText: t('blog.editPost'), name: `blog-edit-${p.id}`,
            onSave: (values, publish) => personalSave(api, values, publish, p.id),
            onSaved: (saved) => { editingIds.delete(p.id); list = upsertBlogPost(list, saved); render(); listEl.querySelector(`[data-focus-key="post-${p.id}"]`)?.focus(); },
            onCancel: () => { editingIds.delete(p.id); render(); listEl.querySelector(`[data-focus-key="edit-${p.id}"]`)?.focus(); },
          });
          return h('li', { class: 'blog-item', 'data-blog-post': p.id }, f.form);
        }))
        : h('p', { class: 'empty' }, mine ? t('blog.noneMine') : t('blog.nonePerson')));
    });
  }

  let content;
  try {
    list = blogListState(await loadPersonalPosts(api, person.id), 0);
    render();
    content = listEl;
  } catch (err) {
    content = errorPanel(t, err);
  }
  const write = mine
    ? blogForm(ctx, {
      headingText: t('blog.writePersonal'), name: 'personal-new',
      onSave: (values, publish) => personalSave(api, values, publish),
      onSaved: (post) => { if (post) { list = upsertBlogPost(list, post); render(); } },
    })
    : null;
  return h('section', { class: 'card blog personal-blog', 'aria-labelledby': headingId },
    h('div', { class: 'blog-head' },
      h('h2', { id: headingId }, mine ? t('blog.myBlog') : t('blog.personBlog', { name: person.name }))),
    mine ? h('p', { class: 'hint' }, t('blog.personalHint')) : null,
    alert.el,
    write ? h('details', { class: 'blog-write' }, h('summary', {}, t('blog.writePersonal')), write.form) : null,
    content);
}

/** One post of a person's blog on its own page (`#/people/<id>/blog/<postId>`). */
export async function personalBlogPostPage(ctx, person, postId) {
  const { t, api, user } = ctx;
  const mine = person.id === user.id;
  const back = buildHash('person', { id: person.id });
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: back }, `← ${t('blog.backToPerson', { name: person.name })}`));
  const items = await loadPersonalPosts(api, person.id, { stopAt: postId });
  let post = items.find((p) => p.id === postId) ?? null;
  if (!post) return h('div', {}, crumbs, h('section', { class: 'card' }, pageHeading(t('blog.notFoundTitle')), notFoundNotice(t, back)));
  ctx.setTitle(post.title);
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  const card = h('article', { class: 'card blog blog-post', 'aria-labelledby': 'blog-post-h1' });
  let editing = false;

  function paint() {
    const headingEl = pageHeading(post.title);
    headingEl.id = 'blog-post-h1';
    if (editing) {
      const f = blogForm(ctx, {
        post, headingText: t('blog.editPost'), name: 'blog-edit',
        onSave: (values, publish) => personalSave(api, values, publish, post.id),
        onSaved: (saved) => { post = saved; editing = false; paint(); card.querySelector('[data-focus-key="edit"]')?.focus(); },
        onCancel: () => { editing = false; paint(); card.querySelector('[data-focus-key="edit"]')?.focus(); },
      });
      replaceChildren(body, f.form);
    } else {
      const actions = mine ? [
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'edit',
          onclick: () => { editing = true; paint(); card.querySelector('input')?.focus(); } }, t('discussion.edit')),
        post.status === 'draft'
          ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'publish',
            onclick: async () => {
              alert.clear();
              try { post = await personalSave(api, { title: post.title, body: post.body }, true, post.id); paint(); alert.success(t('blog.published')); } catch (err) { alert.error(t, err); }
            } }, t('blog.publish'))
          : null,
        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'delete',
          onclick: async () => {
            if (!window.confirm(t('blog.confirmDelete'))) return;
            alert.clear();
            try { await api.deletePersonalPost(post.id); ctx.navigate(back); } catch (err) { alert.error(t, err); }
          } }, t('discussion.delete')),
      ] : [];
      replaceChildren(body,
        h('div', { class: 'post-head' }, avatar(post.author?.name ?? ''), postMeta(ctx, post)),
        markdownBlock(post.body),
        reactionBar(ctx, post, null),
        actions.length ? h('div', { class: 'post-actions' }, actions) : null);
    }
    keepFocus(card, () => replaceChildren(card, h('p', { class: 'eyebrow' }, t('blog.personBlog', { name: person.name })),
      headingEl, alert.el, body));
  }
  paint();
  return h('div', { class: 'blog-page' }, crumbs, card);
}
