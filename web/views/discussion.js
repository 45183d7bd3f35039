// Discussions of one workspace: the thread list, an open thread with its replies, the forms
// to start a thread and to reply, reactions, edits and deletions, "Närvarande nu" and the
// typing indicator. Members read over HTTP once and then follow the live connection;
// non-members of an open workspace read over HTTP only, without live updates or forms.
// State changes go through the pure reducers in lib/live-state.js.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { validatePost, validateThread, THREAD_TITLE_MAX } from '../lib/validation.js';
import {
  threadListState, applyThreadEvent, postListState, applyPostEvent, postTree, hasReacted,
  applyPresence, presentList, typingReceived, typingCleared, typingNames, nextTypingExpiry, createTypingThrottle,
} from '../lib/live-state.js';
import { topicFor } from '../lib/socket.js';
import { markdownBlock, timeEl, field, alertBox, showFieldErrors, errorPanel, avatar, keepFocus, focusWithin, restoreFocus } from './components.js';
import { markdownEditor } from './editor.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😄', '🎉', '👀', '🙏'];
const THREAD_LIMIT = 100;
const POST_PAGE = 100;
const POST_PAGES_MAX = 20;
const SUBSCRIBE_WAIT_MS = 4000;


/**
 * Builds the discussion parts of a workspace page. Returns `{presenceEl, el, dispose}`;
 * `presenceEl` is null for non-members. `onRemoved()` runs when the live connection says
 * the person was removed or the workspace deleted.
 */
export function discussionSection(ctx, ws, { onRemoved } = {}) {
  const { t, api, user, lang } = ctx;
  const live = ctx.live;
  const wsId = ws.id;
  const isMember = Boolean(ws.myRole);
  const isOwner = ws.myRole === 'owner';
  const canWrite = isMember && Boolean(live);
  const alert = alertBox();

  let threads = threadListState([], 0);
  let posts = null; // postListState of the open thread
  let openId = ctx.route.query.thread || null;
  let presence = { byId: {} };
  let typing = { entries: {} };
  let loaded = false;
  const threadBuffer = [];
  let postBuffer = null; // events that arrive while the open thread loads
  const editing = new Map(); // postId → draft text
  const openRevisions = new Set();
  let replyTo = null; // {id, name}
  let typingTimer = null;
  const throttle = createTypingThrottle();
  const disposers = [];
  let membersCache = null;
  const getMembers = () => {
    membersCache ??= api.listMembers(wsId, { limit: 100 }).then((page) => page.items.map((m) => m.person))
      .catch((err) => { membersCache = null; throw err; });
    return membersCache;
  };

  // ------------------------------------------------------------ presence
  const presenceList = h('ul', { class: 'presence-list' });
  const presenceEl = isMember && live
    ? h('section', { class: 'card presence', 'aria-labelledby': 'presence-h' },
      h('h2', { id: 'presence-h' }, t('presence.title')), presenceList)
    : null;

  function renderPresence() {
    const people = presentList(presence, lang);
    replaceChildren(presenceList, people.length
      ? people.map((p) => h('li', { class: `presence-person presence-${p.status === 'away' ? 'away' : 'online'}` },
        h('span', { class: 'presence-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'presence-name' }, p.name),
        p.personId === user.id ? h('span', { class: 'presence-you' }, ` (${t('workspace.you')})`) : null,
        h('span', { class: 'presence-status' }, t(`presence.${p.status === 'away' ? 'away' : 'online'}`))))
      : h('li', { class: 'empty' }, t('presence.nobody')));
  }

  // ------------------------------------------------------------ layout
  const heading = h('h2', { id: 'discussions-h', tabindex: '-1' }, t('discussion.title'));
  const listView = h('div', { class: 'thread-list-view stack' });
  const threadView = h('div', { class: 'thread-view stack', hidden: true });
  const threadListEl = h('div', { class: 'thread-list-body' }, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  const el = h('section', { class: 'card discussions', 'aria-labelledby': 'discussions-h' },
    heading, alert.el, listView, threadView);

  // ------------------------------------------------------------ new thread form
  function newThreadForm() {
    const formAlert = alertBox();
    const title = field(t, { label: t('discussion.threadTitle'), name: 'thread-title', required: true,
      attrs: { maxlength: THREAD_TITLE_MAX } });
    const body = markdownEditor(t, { label: t('discussion.firstPost'), name: 'thread-body', required: true,
      getMembers, excludeId: user.id });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('discussion.startThread'));
    const form = h('form', { class: 'stack new-thread', novalidate: true, 'aria-labelledby': 'new-thread-h' },
      h('h3', { id: 'new-thread-h' }, t('discussion.newThread')), formAlert.el, title.wrap, body.wrap, h('div', { class: 'row' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      const values = { title: title.input.value.trim(), body: body.input.value };
      if (showFieldErrors(t, { title, body }, validateThread(values))) return;
      submit.disabled = true;
      submit.textContent = t('discussion.sending');
      try {
        const ack = await live.send('thread.create', { topic: topicFor(wsId), data: values });
        title.input.value = '';
        body.input.value = '';
        const id = ack?.result?.thread?.id;
        if (id) openThread(id);
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        submit.disabled = false;
        submit.textContent = t('discussion.startThread');
      }
    });
    return form;
  }

  // ------------------------------------------------------------ thread list
  function renderThreadList() {
    keepFocus(threadListEl, () => {
      const items = threads.threads;
      replaceChildren(threadListEl, items.length
        ? h('ul', { class: 'thread-list', 'aria-label': t('discussion.title') }, items.map((th) => h('li', { class: 'thread-item' },
          h('a', {
            class: 'thread-link', href: buildHash('workspace', { id: wsId }, { thread: th.id }), 'data-focus-key': `thread-${th.id}`,
            onclick: (e) => { e.preventDefault(); openThread(th.id); },
          }, th.title),
          h('p', { class: 'meta' },
            h('span', {}, t('discussion.startedBy', { name: th.author?.name ?? '' })),
            h('span', {}, plural(t, 'discussion.postCount', th.postCount ?? 0)),
            h('span', {}, t('discussion.lastActivity'), ' ', timeEl(th.lastActivityAt, lang))))))
        : h('p', { class: 'empty' }, t('discussion.none')));
    });
  }

  // ------------------------------------------------------------ open thread
  const postRoot = h('ul', { class: 'post-tree', 'aria-label': t('discussion.posts') });
  const postEntries = new Map(); // postId → {post, li, article, replies}
  const typingEl = h('p', { class: 'typing', role: 'status', 'aria-live': 'polite' });
  const threadHeading = h('h3', { class: 'thread-title', tabindex: '-1' });
  const threadMeta = h('p', { class: 'meta' });
  const threadBody = h('div', { class: 'stack' });
  let reply = null;

  function currentThread() {
    return threads.threads.find((th) => th.id === openId) ?? null;
  }

  function replyForm() {
    const formAlert = alertBox();
    const body = markdownEditor(t, { label: t('discussion.replyLabel'), name: 'reply-body', required: true,
      getMembers, excludeId: user.id, rows: 3 });
    const context = h('p', { class: 'reply-context', hidden: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('discussion.sendReply'));
    const form = h('form', { class: 'stack reply-form', novalidate: true, 'aria-label': t('discussion.replyLabel') },
      formAlert.el, context, body.wrap, h('div', { class: 'row' }, submit));
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

  function reactionBar(post) {
    const mine = (emoji) => hasReacted(post, emoji, user.id);
    const toggle = (emoji) => act(() => live.send(mine(emoji) ? 'reaction.remove' : 'reaction.add',
      { data: { targetId: post.id, emoji } }));
    const existing = (post.reactions ?? []).map((r) => (canWrite
      ? h('button', {
        type: 'button', class: `reaction${mine(r.emoji) ? ' reaction-mine' : ''}`, 'aria-pressed': mine(r.emoji) ? 'true' : 'false',
        'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }),
        'data-focus-key': `react-${r.emoji}`, onclick: () => toggle(r.emoji),
      }, h('span', { 'aria-hidden': 'true' }, r.emoji), ' ', h('span', { 'aria-hidden': 'true' }, String(r.count)))
      : h('span', { class: 'reaction', role: 'img', 'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }) },
        `${r.emoji} ${r.count}`)));
    const picker = canWrite
      ? h('details', { class: 'react-picker' },
        h('summary', { 'data-focus-key': 'react-picker' }, t('discussion.react')),
        h('div', { class: 'react-options' }, QUICK_REACTIONS.map((emoji) => h('button', {
          type: 'button', class: 'reaction', 'aria-label': t('discussion.reactWith', { emoji }), 'data-focus-key': `pick-${emoji}`,
          'aria-pressed': mine(emoji) ? 'true' : 'false', onclick: () => toggle(emoji),
        }, emoji))))
      : null;
    if (!existing.length && !picker) return null;
    return h('div', { class: 'reactions', role: 'group', 'aria-label': t('discussion.reactions') }, existing, picker);
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
      parts.push(markdownBlock(post.body));
      if (post.editedAt) parts.push(revisionsBox(post));
      parts.push(reactionBar(post));
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
            onclick: () => {
              if (!window.confirm(t('discussion.confirmDelete'))) return;
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
      threadHeading.textContent = th.title;
      replaceChildren(threadMeta, t('discussion.startedBy', { name: th.author?.name ?? '' }), ' · ', timeEl(th.createdAt, lang));
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

  async function loadPosts(threadId) {
    const items = [];
    let total = Infinity;
    for (let page = 0; page < POST_PAGES_MAX && items.length < total; page++) {
      const res = await api.listPosts(threadId, { limit: POST_PAGE, offset: page * POST_PAGE });
      items.push(...(res.items ?? []));
      total = res.total ?? items.length;
      if (!res.items?.length) break;
    }
    return items;
  }

  async function openThread(threadId, { focus = true, updateHash = true } = {}) {
    openId = threadId;
    if (updateHash) history.replaceState(null, '', buildHash('workspace', { id: wsId }, { thread: threadId }));
    listView.hidden = true;
    threadView.hidden = false;
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
    const seqAtStart = threads.lastSeq;
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

  function closeThread() {
    const was = openId;
    openId = null;
    posts = null;
    postEntries.clear();
    history.replaceState(null, '', buildHash('workspace', { id: wsId }));
    threadView.hidden = true;
    listView.hidden = false;
    renderThreadList();
    renderTyping();
    const link = threadListEl.querySelector(`[data-focus-key="thread-${was}"]`);
    (link ?? heading).focus?.();
  }

  // ------------------------------------------------------------ live events
  function applyEvent(ev) {
    const before = threads;
    threads = applyThreadEvent(threads, ev);
    if (threads.threads !== before.threads && !listView.hidden) renderThreadList();
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

  async function loadThreads(lastSeq) {
    const res = await api.listThreads(wsId, { limit: THREAD_LIMIT });
    threads = threadListState(res.items ?? [], lastSeq);
    for (const ev of threadBuffer.splice(0)) applyEvent(ev);
    loaded = true;
    renderThreadList();
  }

  async function reloadAll(seq) {
    loaded = false;
    try {
      await loadThreads(seq);
      if (openId) await openThread(openId, { focus: false, updateHash: false });
    } catch (err) {
      alert.error(t, err);
    }
  }

  if (isMember && live) {
    disposers.push(
      live.on('event', (ev) => {
        if (ev.workspaceId !== wsId) return;
        if (!loaded) threadBuffer.push(ev); else applyEvent(ev);
      }),
      live.on('presence', (msg) => {
        if (msg.workspaceId !== wsId) return;
        presence = applyPresence(presence, msg);
        renderPresence();
      }),
      live.on('typing', (msg) => {
        if (msg.workspaceId !== wsId) return;
        typing = typingReceived(typing, msg.data, Date.now());
        renderTyping();
      }),
      live.on('reload', (msg) => { if (msg.workspaceId === wsId) reloadAll(msg.seq); }),
      live.on('unsubscribed', (msg) => { if (msg.workspaceId === wsId) onRemoved?.(msg.reason); }),
    );
  }

  // ------------------------------------------------------------ assemble and start
  const back = h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: closeThread }, `← ${t('discussion.back')}`);
  if (canWrite) {
    reply = replyForm();
    replaceChildren(listView, newThreadForm(), h('h3', { class: 'list-heading' }, t('discussion.allThreads')), threadListEl);
  } else {
    replaceChildren(listView,
      h('p', { class: 'hint' }, isMember ? t('discussion.offline') : t('discussion.readOnly')), threadListEl);
  }
  replaceChildren(threadBody, postRoot, typingEl, reply?.form);
  replaceChildren(threadView, h('div', { class: 'row' }, back), threadHeading, threadMeta, threadBody);
  if (presenceEl) renderPresence();

  async function start() {
    try {
      let seq = 0;
      if (isMember && live) {
        // Subscribe first so nothing written between the page load and the subscription
        // is missed; if the connection is slow, load anyway (the reducers are idempotent).
        const timeout = new Promise((resolve) => { setTimeout(() => resolve(null), SUBSCRIBE_WAIT_MS); });
        const ack = await Promise.race([live.subscribe(wsId).catch(() => null), timeout]);
        seq = Number.isInteger(ack?.seq) ? ack.seq : 0;
      }
      await loadThreads(seq);
      if (openId) await openThread(openId, { focus: false, updateHash: false });
    } catch (err) {
      if (err?.code === 'forbidden' || err?.code === 'not-member' || err?.status === 403) {
        replaceChildren(listView, h('p', { class: 'empty' }, t('discussion.membersOnly')));
      } else {
        replaceChildren(threadListEl, errorPanel(t, err));
      }
    }
  }
  start();

  return {
    el,
    presenceEl,
    dispose() {
      for (const off of disposers) off();
      if (typingTimer) clearTimeout(typingTimer);
      if (isMember && live) live.unsubscribe(wsId);
    },
  };
}
