// The list side of a workspace's discussions: the threads and the form to start one.
// discussion.js owns the thread list state and passes it to render().
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { plural } from '../../lib/i18n.js';
import { validateThread, THREAD_TITLE_MAX } from '../../lib/validation.js';
import { topicFor } from '../../lib/socket.js';
import { timeEl, field, alertBox, showFieldErrors, errorPanel, keepFocus } from '../components.js';
import { markdownEditor } from '../editor.js';
import { documentLinkButton } from '../document-link.js';

/**
 * The thread list view; the form to start a thread only if `canWrite`. `onOpen(threadId)`
 * opens a thread. Returns `{el, render(threads), threadLink(id), showLoadError(err)}`.
 */
export function threadListView(ctx, { wsId, live, isMember, canWrite, getMembers, onOpen }) {
  const { t, user, lang } = ctx;
  const el = h('div', { class: 'thread-list-view stack' });
  const threadListEl = h('div', { class: 'thread-list-body' }, h('p', { class: 'loading', role: 'status' }, t('common.loading')));

  function newThreadForm() {
    const formAlert = alertBox();
    const title = field(t, { label: t('discussion.threadTitle'), name: 'thread-title', required: true,
      attrs: { maxlength: THREAD_TITLE_MAX } });
    const body = markdownEditor(t, { label: t('discussion.firstPost'), name: 'thread-body', required: true,
      getMembers, excludeId: user.id });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('discussion.startThread'));
    const form = h('form', { class: 'stack new-thread', novalidate: true, 'aria-labelledby': 'new-thread-h' },
      h('h3', { id: 'new-thread-h' }, t('discussion.newThread')), formAlert.el, title.wrap, body.wrap,
      documentLinkButton(ctx, body.input, () => wsId), h('div', { class: 'row' }, submit));
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
        if (id) onOpen(id);
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        submit.disabled = false;
        submit.textContent = t('discussion.startThread');
      }
    });
    return form;
  }

  /** `threads` is the section's threadListState. */
  function render(threads) {
    keepFocus(threadListEl, () => {
      const items = threads.threads;
      replaceChildren(threadListEl, items.length
        ? h('ul', { class: 'thread-list', 'aria-label': t('discussion.title') }, items.map((th) => h('li', { class: 'thread-item' },
          h('a', {
            class: 'thread-link', href: buildHash('workspace', { id: wsId }, { thread: th.id }), 'data-focus-key': `thread-${th.id}`,
            onclick: (e) => { e.preventDefault(); onOpen(th.id); },
          }, th.meeting?.id ? t('meeting.chatOf', { title: th.meeting.title ?? th.title }) : th.title),
          th.meeting?.id
            ? h('p', { class: 'meta' }, h('span', { class: 'badge badge-live' }, t('meeting.chat.title')), ' ',
              h('a', { href: buildHash('meeting', { id: th.meeting.id }) }, t('meeting.openMeeting')))
            : null,
          h('p', { class: 'meta' },
            h('span', {}, t('discussion.startedBy', { name: th.author?.name ?? '' })),
            h('span', {}, plural(t, 'discussion.postCount', th.postCount ?? 0)),
            h('span', {}, t('discussion.lastActivity'), ' ', timeEl(th.lastActivityAt, lang))))))
        : h('p', { class: 'empty' }, t('discussion.none')));
    });
  }

  /** The link to a thread in the list, or null. */
  function threadLink(threadId) {
    return threadListEl.querySelector(`[data-focus-key="thread-${threadId}"]`);
  }

  function showLoadError(err) {
    if (err?.code === 'forbidden' || err?.code === 'not-member' || err?.status === 403) {
      replaceChildren(el, h('p', { class: 'empty' }, t('discussion.membersOnly')));
    } else {
      replaceChildren(threadListEl, errorPanel(t, err));
    }
  }

  if (canWrite) {
    replaceChildren(el, newThreadForm(), h('h3', { class: 'list-heading' }, t('discussion.allThreads')), threadListEl);
  } else {
    replaceChildren(el, h('p', { class: 'hint' }, isMember ? t('discussion.offline') : t('discussion.readOnly')), threadListEl);
  }
  return { el, render, threadLink, showLoadError };
}
