// One open thread of a workspace's discussions: its posts as a reply tree, the reply form,
// reactions, edits with their revisions, deletions and the typing indicator.
// discussion.js owns the thread list and passes the live events on to applyEvent().
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { validatePost } from '../../lib/validation.js';
import {
  postListState, applyPostEvent, typingReceived, typingCleared, typingNames, nextTypingExpiry, createTypingThrottle,
} from '../../lib/live-state.js';
import { collectPages } from '../../lib/pagination.js';
import { markdownBlock, timeEl, alertBox, showFieldErrors, errorPanel, avatar, focusWithin, restoreFocus } from '../components.js';
import { markdownEditor } from '../editor.js';
import { documentLinkButton } from '../document-link.js';
import { reactionBar, liveReactionToggle } from '../reactions.js';
import { ask } from '../dialog.js';
import { postText } from '../../lib/live-meetings.js';

const POST_PAGE = 100;
const POST_PAGES_MAX = 20;

/**
 * The view of the open thread (`initialId`, from the address, or none). `getThreads()` is
 * the section's threadListState, `alert` shows failed actions and `onBack()` returns to the
 * list. Returns `{el, openId, open(threadId, options), close(), applyEvent(ev),
 * onTyping(data), dispose()}`; `close()` returns the id of the thread it closed.
 */
export function threadView(ctx, { wsId, live, isOwner, canWrite, alert, getMembers, getThreads, initialId, onBack }) {
  const { t, api, user, lang } = ctx;
  let openId = initialId;
  let posts = null; // postListState of the open thread
  let postBuffer = null; // events that arrive while the open thread loads
  let typing = { entries: {} };
  const editing = new Map(); // postId → draft text
  const openRevisions = new Set();
  let replyTo = null; // {id, name}
  let typingTimer = null;
  const throttle = createTypingThrottle();

  const el = h('div', { class: 'thread-view stack', hidden: true });
  const postRoot = h('ul', { class: 'post-tree', 'aria-label': t('discussion.posts') });
  const postEntries = new Map(); // postId → {post, li, article, replies}
  const typingEl = h('p', { class: 'typing', role: 'status', 'aria-live': 'polite' });
  const threadHeading = h('h3', { class: 'thread-title', tabindex: '-1' });
  const threadMeta = h('p', { class: 'meta' });
  const threadBody = h('div', { class: 'stack' });

  function currentThread() {
    return getThreads().threads.find((th) => th.id === openId) ?? null;
  }

  function replyForm() {
    const formAlert = alertBox();
    const body = markdownEditor(t, { label: t('discussion.replyLabel'), name: 'reply-body', required: true,
      getMembers, excludeId: user.id, rows: 3 });
    const context = h('p', { class: 'reply-context', hidden: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('discussion.sendReply'));
    const form = h('form', { class: 'stack reply-form', novalidate: true, 'aria-label': t('discussion.replyLabel') },
      formAlert.el, context, body.wrap, documentLinkButton(ctx, body.input, () => wsId), h('div', { class: 'row' }, submit));
    body.input.addEventListener('input', () => {
      if (openId && body.input.value.trim() && throttle.ready(Date.now(), openId)) live.typing(wsId, openId);
    });
    function setReplyTo(target) {
      replyTo = target;
      if (target) {
        replaceChildren(context, t('discussion.replyingTo', { name: target.name }), ' ',
          h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => { setReplyTo(null); body.input.focus(); } },
            t('discussion.cancelReplyTo')));
        context.hidden = false;
      } else {
        replaceChildren(context);
        context.hidden = true;
      }
    }
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      if (showFieldErrors(t, { body }, validatePost({ body: body.input.value }))) return;
      const data = { threadId: openId, body: body.input.value };
      if (replyTo) data.parentId = replyTo.id;
      submit.disabled = true;
      submit.textContent = t('discussion.sending');
      try {
        await live.send('post.create', { data });
        body.input.value = '';
        setReplyTo(null);
        throttle.reset();
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        submit.disabled = false;
        submit.textContent = t('discussion.sendReply');
      }
    });
    return { form, body, setReplyTo };
  }

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  function revisionsBox(post) {
    const list = h('div', { class: 'revisions-list' });
    const details = h('details', { class: 'revisions' },
      h('summary', { 'data-focus-key': 'revisions' }, t('discussion.showRevisions')), list);
    async function load() {
      replaceChildren(list, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
      try {
        const res = await api.listRevisions(post.id);
        const items = res.items ?? [];
        replaceChildren(list, items.length
          ? h('ol', { class: 'revision-items', 'aria-label': t('discussion.revisionsTitle') }, items.map((r) => h('li', { class: 'revision' },
            h('p', { class: 'meta' }, t('discussion.revisionReplaced', { name: r.editor?.name ?? '' }), ' ', timeEl(r.replacedAt, lang)),
            markdownBlock(r.body))))
          : h('p', { class: 'empty' }, t('discussion.noRevisions')));
      } catch (err) {
        replaceChildren(list, errorPanel(t, err));
      }
    }
    details.addEventListener('toggle', () => {
      if (details.open) { openRevisions.add(post.id); load(); } else openRevisions.delete(post.id);
    });
    if (openRevisions.has(post.id)) { details.open = true; }
    return details;
  }

  function editForm(post) {
    const formAlert = alertBox();
    const body = markdownEditor(t, { label: t('discussion.editLabel'), name: `edit-${post.id}`, required: true,
      getMembers, excludeId: user.id, rows: 4, value: editing.get(post.id) ?? post.body });
    body.input.dataset.focusKey = 'edit-body';
    body.input.addEventListener('input', () => editing.set(post.id, body.input.value));
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('discussion.save'));
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => {
      editing.delete(post.id);
      refreshPost(post.id, 'edit');
    } }, t('discussion.cancel'));
    const form = h('form', { class: 'stack edit-form', novalidate: true }, formAlert.el, body.wrap, h('div', { class: 'row' }, save, cancel));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      if (showFieldErrors(t, { body }, validatePost({ body: body.input.value }))) return;
      save.disabled = true;
      try {
        await live.send('post.edit', { data: { postId: post.id, body: body.input.value } });
        editing.delete(post.id);
        refreshPost(post.id, 'edit');
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        save.disabled = false;
      }
    });
    body.input.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !e.defaultPrevented) cancel.click(); });
    return form;
  }

  function postArticle(post) {
    const own = post.author?.id === user.id;
    const headingId = `post-${post.id}-by`;
    const parts = [
      h('header', { class: 'post-head' },
        avatar(post.author?.name ?? ''),
        h('div', { class: 'post-head-text' },
          h('p', { class: 'post-author', id: headingId }, post.author?.name ?? ''),
          h('p', { class: 'meta' }, timeEl(post.createdAt, lang),
            post.editedAt && !post.deleted ? h('span', { class: 'badge' }, t('discussion.edited')) : null))),
    ];
    if (post.deleted) {
      parts.push(h('p', { class: 'post-deleted' }, t('discussion.deleted')));
    } else if (editing.has(post.id)) {
      parts.push(editForm(post));
    } else {
      parts.push(post.generated ? h('p', { class: 'post-generated' }, postText(t, post, lang)) : markdownBlock(post.body));
      if (post.editedAt) parts.push(revisionsBox(post));
      parts.push(reactionBar(ctx, post, canWrite ? liveReactionToggle(live, act, post.id) : null));
      const actions = [];
      if (canWrite) {
        actions.push(h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'reply',
          'aria-label': t('discussion.replyToNamed', { name: post.author?.name ?? '' }),
          onclick: () => { reply.setReplyTo({ id: post.id, name: post.author?.name ?? '' }); reply.body.input.focus(); } },
        t('discussion.reply')));
        if (own) {
          actions.push(h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'edit',
            onclick: () => { editing.set(post.id, post.body); refreshPost(post.id, 'edit-body'); } }, t('discussion.edit')));
        }
        if (own || isOwner) {
          actions.push(h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'delete',
            onclick: async () => {
              if (!await ask(t, t('discussion.confirmDelete'))) return;
              act(() => live.send('post.delete', { data: { postId: post.id } }));
            } }, t('discussion.delete')));
        }
      }
      if (actions.length) parts.push(h('div', { class: 'post-actions' }, actions));
    }
    return h('article', { class: `post${post.deleted ? ' post-is-deleted' : ''}`, 'aria-labelledby': headingId, 'data-post': post.id }, parts);
  }

  /** Re-renders one post in place; `focusKey` names the control to focus afterwards. */
  function refreshPost(postId, focusKey) {
    const entry = postEntries.get(postId);
    const post = posts?.posts.find((p) => p.id === postId);
    if (!entry || !post) return;
    const article = postArticle(post);
    entry.article.replaceWith(article);
    entry.article = article;
    entry.post = post;
    if (focusKey) article.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  }

  /** Brings the post tree in line with `posts`, touching only new or changed posts. */
  function syncPosts() {
    if (!posts) return;
    if (postEntries.size === 0) replaceChildren(postRoot);
    for (const post of posts.posts) {
      const entry = postEntries.get(post.id);
      if (!entry) {
        const article = postArticle(post);
        const replies = h('ul', { class: 'post-replies' });
        const li = h('li', { class: 'post-item' }, article, replies);
        const parent = post.parentId ? postEntries.get(post.parentId) : null;
        (parent ? parent.replies : postRoot).append(li);
        postEntries.set(post.id, { post, li, article, replies });
      } else if (entry.post !== post) {
        const saved = focusWithin(entry.article);
        const article = postArticle(post);
        entry.article.replaceWith(article);
        entry.article = article;
        entry.post = post;
        restoreFocus(article, saved);
      }
    }
    if (!posts.posts.length) replaceChildren(postRoot, h('li', { class: 'empty' }, t('discussion.noPosts')));
    const th = currentThread();
    if (th) {
      threadHeading.textContent = th.meeting?.id ? t('meeting.chatOf', { title: th.meeting.title ?? th.title }) : th.title;
      replaceChildren(threadMeta, t('discussion.startedBy', { name: th.author?.name ?? '' }), ' · ', timeEl(th.createdAt, lang),
        th.meeting?.id ? [' · ', h('a', { href: buildHash('meeting', { id: th.meeting.id }) }, t('meeting.openMeeting'))] : null);
    }
  }

  function renderTyping() {
    if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; }
    const now = Date.now();
    const names = openId ? typingNames(typing, now, { threadId: openId, excludeId: user.id }) : [];
    let text = '';
    if (names.length === 1) text = t('typing.one', { name: names[0] });
    else if (names.length === 2) text = t('typing.two', { first: names[0], second: names[1] });
    else if (names.length > 2) text = t('typing.many', { count: names.length });
    if (typingEl.textContent !== text) typingEl.textContent = text;
    const wait = nextTypingExpiry(typing, now);
    if (wait !== null) typingTimer = setTimeout(renderTyping, wait + 20);
  }

  function loadPosts(threadId) {
    return collectPages((page) => api.listPosts(threadId, page), { limit: POST_PAGE, maxPages: POST_PAGES_MAX });
  }

  async function open(threadId, { focus = true, updateHash = true } = {}) {
    openId = threadId;
    if (updateHash) history.replaceState(null, '', buildHash('workspace', { id: wsId }, { thread: threadId }));
    el.hidden = false;
    editing.clear();
    openRevisions.clear();
    postEntries.clear();
    posts = null;
    replyTo = null;
    reply?.setReplyTo(null);
    const th = currentThread();
    threadHeading.textContent = th?.title ?? '';
    replaceChildren(threadMeta);
    replaceChildren(postRoot, h('li', { class: 'loading', role: 'status' }, t('common.loading')));
    renderTyping();
    if (focus) threadHeading.focus();
    const seqAtStart = getThreads().lastSeq;
    postBuffer = [];
    try {
      const items = await loadPosts(threadId);
      if (openId !== threadId) return;
      posts = postListState(threadId, items, seqAtStart);
      for (const ev of postBuffer) posts = applyPostEvent(posts, ev);
      postBuffer = null;
      if (!currentThread()) {
        const fetched = await api.request('GET', `/threads/${encodeURIComponent(threadId)}`).catch(() => null);
        if (fetched && openId === threadId) { threadHeading.textContent = fetched.title; }
      }
      syncPosts();
    } catch (err) {
      postBuffer = null;
      if (openId === threadId) replaceChildren(postRoot, h('li', {}, errorPanel(t, err)));
    }
  }

  function close() {
    const was = openId;
    openId = null;
    posts = null;
    postEntries.clear();
    history.replaceState(null, '', buildHash('workspace', { id: wsId }));
    el.hidden = true;
    renderTyping();
    return was;
  }

  function applyEvent(ev) {
    if (openId) {
      if (postBuffer) postBuffer.push(ev);
      else if (posts) {
        posts = applyPostEvent(posts, ev);
        syncPosts();
      }
    }
    const author = ev.data?.post?.author?.id;
    if ((ev.type === 'post.created' || ev.type === 'thread.created') && author) {
      typing = typingCleared(typing, author);
      renderTyping();
    }
  }

  const reply = canWrite ? replyForm() : null;
  const back = h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: onBack }, `← ${t('discussion.back')}`);
  replaceChildren(threadBody, postRoot, typingEl, reply?.form);
  replaceChildren(el, h('div', { class: 'row' }, back), threadHeading, threadMeta, threadBody);

  return {
    el,
    get openId() { return openId; },
    open,
    close,
    applyEvent,
    onTyping(data) {
      typing = typingReceived(typing, data, Date.now());
      renderTyping();
    },
    dispose() {
      if (typingTimer) clearTimeout(typingTimer);
    },
  };
}
