// The meeting's chat: its discussion thread in the workspace (so it stays afterwards).
// Posts are read over HTTP, new ones follow the workspace's live topic and are written
// with `post.create`. A guest who is not a member of the workspace cannot read the thread:
// a short note says so instead.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { postListState, applyPostEvent } from '../../lib/live-state.js';
import { collectPages } from '../../lib/pagination.js';
import { validatePost } from '../../lib/validation.js';
import { markdownBlock, timeEl, alertBox, showFieldErrors, field } from '../components.js';
import { subscribeFirst } from '../live-section.js';
import { postText, meetingChatEvent } from '../../lib/live-meetings.js';

const SUBSCRIBE_WAIT_MS = 4000;

/** How often a reader who cannot follow the workspace live (a meeting guest) reads the chat again. */
const POLL_MS = 5000;

export function meetingChat(ctx, { workspaceId, threadId, meetingId = null, meetingGuest = false }) {
  const { t, api, lang } = ctx;
  const live = ctx.live;
  let posts = null;
  let buffer = [];
  let subscribed = false;
  let poll = null;
  const offs = [];
  const list = h('ol', { class: 'chat-list', 'aria-label': t('meeting.chat.posts') });
  const alert = alertBox();
  const body = field(t, { label: t('meeting.chat.label'), name: 'meeting-chat', control: 'textarea', attrs: { rows: 2 } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('meeting.chat.send'));
  const form = h('form', { class: 'stack chat-form', novalidate: true, 'aria-label': t('meeting.chat.label') }, alert.el, body.wrap, submit);
  const threadLink = h('p', { class: 'meta', hidden: true },
    h('a', { href: buildHash('workspace', { id: workspaceId }, { thread: threadId }) }, t('meeting.chat.openThread')));
  const el = h('section', { class: 'card meeting-chat', 'aria-labelledby': 'chat-h' },
    h('h2', { id: 'chat-h' }, t('meeting.chat.title')), list, form, threadLink);

  function renderPosts() {
    const items = (posts?.posts ?? []).filter((p) => !p.deleted);
    replaceChildren(list, items.length
      ? items.map((p) => h('li', { class: 'chat-post' },
        h('p', { class: 'meta' }, h('strong', {}, p.author?.name ?? ''), ' ', timeEl(p.createdAt, lang)),
        p.generated ? h('p', { class: 'post-generated' }, postText(t, p, lang)) : markdownBlock(p.body)))
      : h('li', { class: 'empty' }, t('meeting.chat.empty')));
    list.scrollTop = list.scrollHeight;
  }

  function noAccess() {
    replaceChildren(el, h('h2', { id: 'chat-h' }, t('meeting.chat.title')), h('p', { class: 'hint' }, t('meeting.chat.guestNote')));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    if (showFieldErrors(t, { body }, validatePost({ body: body.input.value }))) return;
    submit.disabled = true;
    try {
      await live.send('post.create', { data: { threadId, body: body.input.value } });
      body.input.value = '';
      if (!subscribed) await reread();
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });

  if (live) {
    // A meeting guest gets the chat's posts as meeting.chat while in the meeting.
    offs.push(live.on('meeting', ({ meetingId: mId, type, data }) => {
      const ev = mId === meetingId ? meetingChatEvent(type, data) : null;
      if (!ev) return;
      if (!posts) { buffer.push(ev); return; }
      posts = applyPostEvent(posts, ev);
      renderPosts();
    }));
    offs.push(live.on('event', (ev) => {
      if (ev.workspaceId !== workspaceId) return;
      if (!posts) { buffer.push(ev); return; }
      const before = posts;
      posts = applyPostEvent(posts, ev);
      if (posts.posts !== before.posts) renderPosts();
    }));
  }

  (async () => {
    replaceChildren(list, h('li', { class: 'loading', role: 'status' }, t('common.loading')));
    let seq = 0;
    if (live) {
      try {
        seq = await subscribeFirst(live, workspaceId, SUBSCRIBE_WAIT_MS);
        subscribed = true;
      } catch { /* not a member: reading below decides */ }
    }
    try {
      const items = await collectPages((page) => api.listPosts(threadId, page), { limit: 100, maxPages: 5 });
      posts = postListState(threadId, items, seq);
      for (const ev of buffer.splice(0)) posts = applyPostEvent(posts, ev);
      renderPosts();
      form.hidden = !live;
      threadLink.hidden = meetingGuest;
      // Not following the workspace (a meeting guest may read only this thread): read it again now and then.
      if (!subscribed) poll = setInterval(() => { reread().catch(() => {}); }, POLL_MS);
    } catch (err) {
      if (err.code === 'forbidden' || err.code === 'not-found' || err.status === 403 || err.status === 404) noAccess();
      else {
        replaceChildren(list);
        alert.error(t, err);
      }
    }
  })();

  async function reread() {
    const items = await collectPages((page) => api.listPosts(threadId, page), { limit: 100, maxPages: 5 });
    const before = posts;
    posts = postListState(threadId, items, 0);
    if (JSON.stringify(before?.posts) !== JSON.stringify(posts.posts)) renderPosts();
  }

  return {
    el,
    dispose() {
      if (poll) clearInterval(poll);
      for (const off of offs) off();
      if (subscribed && live) live.unsubscribe(workspaceId);
    },
  };
}
