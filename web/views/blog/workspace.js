// The blog of a workspace: the list of posts and one post with its reactions and comments.
// Live for members, like the discussions; read-only over HTTP for non-members of an open
// workspace. State changes go through the pure reducers in lib/blog-state.js.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { plural } from '../../lib/i18n.js';
import { validatePost } from '../../lib/validation.js';
import {
  blogListState, applyBlogListEvent, upsertBlogPost, blogPostState, applyBlogPostEvent, withComment,
  canEditBlogPost, canDeleteBlogPost,
} from '../../lib/blog-state.js';
import { topicFor } from '../../lib/socket.js';
import { markdownBlock, timeEl, alertBox, showFieldErrors, errorPanel, avatar, keepFocus, focusWithin, restoreFocus } from '../components.js';
import { markdownEditor } from '../editor.js';
import { reactionBar, liveReactionToggle } from '../reactions.js';
import { membersLoader, subscribeFirst } from '../live-section.js';
import { LIST_LIMIT, postMeta, listItem, notFoundNotice, loadPostWithComments } from './common.js';
import { blogForm } from './form.js';
import { ask } from '../dialog.js';

const SUBSCRIBE_WAIT_MS = 3000;

function deletedNotice(t, backHref) {
  return h('div', { class: 'stack' },
    h('p', { role: 'status', class: 'empty' }, t('blog.deletedText')),
    h('p', {}, h('a', { href: backHref }, t('blog.backToList'))));
}

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
  const getMembers = membersLoader(api, wsId);

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
        headingText: t('blog.newPost'), name: 'blog-new', getMembers, workspaceId: wsId,
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
        onclick: async () => {
          if (!await ask(t, t('blog.confirmDelete'))) return;
          act(async () => { await live.send('blog.delete', { data: { id: post.id } }); ctx.navigate(listHref); });
        } }, t('discussion.delete')));
    }
    const toggle = canWrite && post.status === 'published' ? liveReactionToggle(live, act, post.id) : null;
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
        post, headingText: t('blog.editPost'), name: 'blog-edit', getMembers, workspaceId: wsId,
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
    const toggle = canWrite && !comment.deleted ? liveReactionToggle(live, act, comment.id) : null;
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

  const loadPost = () => loadPostWithComments((page) => api.getBlogPost(postId, page));

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
      const seq = isMember && live ? await subscribeFirst(live, wsId, SUBSCRIBE_WAIT_MS) : 0;
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
