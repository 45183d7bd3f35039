// A meeting invitation link (#/meeting-invitation/<token>), public: shows the meeting, who
// invited and the guest's name; "Gå med" accepts (the server sets the session cookie) and
// goes to the meeting, where the guest waits in the lobby until a moderator admits them.
import { h } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { formatWhen } from '../lib/format.js';
import { pageHeading, errorPanel, alertBox } from './components.js';

export async function renderMeetingInvitation(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('meetingInvitation.title'));
  const token = ctx.route.params.token;
  let info;
  try {
    info = await api.getMeetingInvitation(token);
  } catch (err) {
    return h('section', { class: 'auth-page' }, h('div', { class: 'card auth-card' },
      pageHeading(t('meetingInvitation.title')), errorPanel(t, err),
      h('p', {}, h('a', { href: buildHash('login') }, t('invitation.toLogin')))));
  }
  // Read both spellings of the landing information ({meeting: {id, title}, invitedBy} and
  // {meetingId, meetingTitle, inviter}); the inviter may be a name or a PersonRef.
  const meetingId = info.meeting?.id ?? info.meetingId;
  const title = info.meeting?.title ?? info.meetingTitle ?? '';
  const by = info.invitedBy ?? info.inviter;
  const inviter = typeof by === 'string' ? by : by?.name ?? '';
  const alert = alertBox();
  const go = h('button', { type: 'button', class: 'btn btn-primary btn-block' }, t('meetingInvitation.join'));
  go.addEventListener('click', async () => {
    alert.clear();
    go.disabled = true;
    try {
      const res = await api.acceptMeetingInvitation(token);
      // The answer may carry the new session; otherwise read it (the cookie is set).
      const session = res?.csrfToken && res?.user
        ? { user: res.user, csrfToken: res.csrfToken, expiresAt: res.expiresAt }
        : await api.getSession().catch(() => null);
      ctx.setSession(session);
      ctx.navigate(buildHash('meeting', { id: res?.meetingId ?? meetingId }, { join: '1' }));
    } catch (err) {
      alert.error(t, err);
      go.disabled = false;
    }
  });
  return h('section', { class: 'auth-page' },
    h('div', { class: 'card auth-card stack' },
      h('p', { class: 'eyebrow' }, t('meetingInvitation.eyebrow')),
      pageHeading(title),
      h('p', { class: 'lead' }, t('meetingInvitation.hello', { name: info.guestName ?? '' })),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, t('meetingInvitation.workspace')), h('dd', {}, info.workspaceName ?? '')),
        info.scheduledFor
          ? h('div', {}, h('dt', {}, t('meetingInvitation.when')), h('dd', {}, formatWhen(info.scheduledFor, ctx.lang)))
          : null,
        h('div', {}, h('dt', {}, t('meetingInvitation.invitedBy')), h('dd', {}, inviter)),
        h('div', {}, h('dt', {}, t('meetingInvitation.yourName')), h('dd', {}, info.guestName ?? ''))),
      h('p', { class: 'hint' }, t('meetingInvitation.note')),
      alert.el, go));
}
