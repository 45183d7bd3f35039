// Discussions of one workspace: the thread list, an open thread with its replies, the forms
// to start a thread and to reply, reactions, edits and deletions, "Närvarande nu" and the
// typing indicator. Members read over HTTP once and then follow the live connection;
// non-members of an open workspace read over HTTP only, without live updates or forms.
// State changes go through the pure reducers in lib/live-state.js.
//
// This file owns the thread list state, presence and the live connection; the views are in
// discussion/: thread-list.js (the list and the new thread form) and thread-view.js (one
// open thread).
import { h, replaceChildren } from '../lib/dom.js';
import { threadListState, applyThreadEvent, applyPresence, presentList } from '../lib/live-state.js';
import { alertBox } from './components.js';
import { membersLoader, subscribeFirst } from './live-section.js';
import { threadListView } from './discussion/thread-list.js';
import { threadView } from './discussion/thread-view.js';

const THREAD_LIMIT = 100;
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
  let presence = { byId: {} };
  let loaded = false;
  const threadBuffer = [];
  const disposers = [];
  const getMembers = membersLoader(api, wsId);

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
  // The thread view is built first: its reply form takes the first generated field ids.
  const heading = h('h2', { id: 'discussions-h', tabindex: '-1' }, t('discussion.title'));
  const thread = threadView(ctx, {
    wsId, live, isOwner, canWrite, alert, getMembers, getThreads: () => threads,
    initialId: ctx.route.query.thread || null, onBack: closeThread,
  });
  const list = threadListView(ctx, { wsId, live, isMember, canWrite, getMembers, onOpen: openThread });
  const el = h('section', { class: 'card discussions', 'aria-labelledby': 'discussions-h' },
    heading, alert.el, list.el, thread.el);

  function openThread(threadId, options) {
    list.el.hidden = true;
    return thread.open(threadId, options);
  }

  function closeThread() {
    const was = thread.close();
    list.el.hidden = false;
    list.render(threads);
    (list.threadLink(was) ?? heading).focus?.();
  }

  // ------------------------------------------------------------ live events
  function applyEvent(ev) {
    const before = threads;
    threads = applyThreadEvent(threads, ev);
    if (threads.threads !== before.threads && !list.el.hidden) list.render(threads);
    thread.applyEvent(ev);
  }

  async function loadThreads(lastSeq) {
    const res = await api.listThreads(wsId, { limit: THREAD_LIMIT });
    threads = threadListState(res.items ?? [], lastSeq);
    for (const ev of threadBuffer.splice(0)) applyEvent(ev);
    loaded = true;
    list.render(threads);
  }

  async function reloadAll(seq) {
    loaded = false;
    try {
      await loadThreads(seq);
      if (thread.openId) await openThread(thread.openId, { focus: false, updateHash: false });
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
        thread.onTyping(msg.data);
      }),
      live.on('reload', (msg) => { if (msg.workspaceId === wsId) reloadAll(msg.seq); }),
      live.on('unsubscribed', (msg) => { if (msg.workspaceId === wsId) onRemoved?.(msg.reason); }),
    );
  }

  // ------------------------------------------------------------ start
  if (presenceEl) renderPresence();

  async function start() {
    try {
      const seq = isMember && live ? await subscribeFirst(live, wsId, SUBSCRIBE_WAIT_MS) : 0;
      await loadThreads(seq);
      if (thread.openId) await openThread(thread.openId, { focus: false, updateHash: false });
    } catch (err) {
      list.showLoadError(err);
    }
  }
  start();

  return {
    el,
    presenceEl,
    dispose() {
      for (const off of disposers) off();
      thread.dispose();
      if (isMember && live) live.unsubscribe(wsId);
    },
  };
}
