// The notification centre: mentions, replies, news, meetings started ("Gå med"), review
// reminders and acknowledgements due, newest first, with "Markera alla som lästa". New ones arrive live (the header count is kept by app.js). What each
// kind says and links to is decided in lib/notifications.js.
import { h, replaceChildren } from '../lib/dom.js';
import { describeNotification } from '../lib/notifications.js';
import { pageHeading, pager, alertBox, errorPanel, actionButton, avatar, timeEl } from './components.js';
import { buildHash } from '../lib/router.js';

const PAGE = 20;

function notificationItem(ctx, n) {
  const { t, lang } = ctx;
  const { text, href, excerpt } = describeNotification(t, n);
  return h('li', { class: `notification notification-${n.kind}${n.read ? '' : ' notification-unread'}` },
    // A reminder has no actor: the avatar shows the knowledge bank's mark instead of initials.
    n.actor ? avatar(n.actor.name ?? '') : h('span', { class: 'avatar', 'aria-hidden': 'true' }, '✓'),
    h('div', { class: 'notification-text' },
      h('p', { class: 'notification-title' },
        href ? h('a', { href }, text) : text,
        n.read ? null : h('span', { class: 'badge badge-role' }, t('notifications.new'))),
      excerpt ? h('p', { class: 'excerpt' }, excerpt) : null,
      n.kind === 'meeting-started' && href
        ? h('p', {}, h('a', { class: 'btn btn-small notif-join', href, 'aria-label': t('notif.joinLabel', { title: n.excerpt ?? '' }) }, t('notif.join')))
        : null,
      h('p', { class: 'meta' }, timeEl(n.createdAt, lang))));
}

export async function renderNotifications(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('notifications.title'));
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  let offset = 0;

  async function load(o) {
    offset = o;
    let page;
    try {
      page = await api.listNotifications({ limit: PAGE, offset });
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(body, errorPanel(t, err));
      return;
    }
    ctx.setUnread(page.unread ?? 0);
    replaceChildren(body,
      page.items.length
        ? h('ul', { class: 'notification-list', 'aria-label': t('notifications.title') }, page.items.map((n) => notificationItem(ctx, n)))
        : h('p', { class: 'empty' }, t('notifications.none')),
      pager(t, page, load));
  }

  const markRead = actionButton(t, t('notifications.markRead'), async () => {
    await api.markNotificationsRead();
    ctx.setUnread(0);
    await load(offset);
    alert.success(t('notifications.marked'));
  }, { alert, cls: 'btn btn-secondary' });

  if (ctx.live) {
    const off = ctx.live.on('notification', () => { if (offset === 0) load(0); });
    ctx.onCleanup(off);
  }
  await load(0);
  return h('div', { class: 'notifications-page' },
    h('div', { class: 'hero' }, pageHeading(t('notifications.title')), h('p', { class: 'lead' }, t('notif.intro'))),
    h('div', { class: 'card stack' },
      h('div', { class: 'row' }, markRead, h('a', { href: buildHash('profile', {}, { section: 'notifications' }) }, t('notif.settingsLink'))),
      alert.el, body));
}
