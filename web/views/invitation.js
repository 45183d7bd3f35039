// Invitation page: a guest chooses a password and enters the workspace.
import { h } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { validatePassword } from '../lib/validation.js';
import { formatDate } from '../lib/format.js';
import { field, alertBox, showFieldErrors, pageHeading, errorPanel } from './components.js';

export async function renderInvitation(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('invitation.title'));
  const token = ctx.route.params.token;
  let info;
  try {
    info = await api.getInvitation(token);
  } catch (err) {
    return h('section', { class: 'auth-page' }, h('div', { class: 'card auth-card' },
      pageHeading(t('invitation.title')), errorPanel(t, err),
      h('p', {}, h('a', { href: buildHash('login') }, t('invitation.toLogin')))));
  }
  const alert = alertBox();
  const password = field(t, { label: t('invitation.password'), name: 'password', type: 'password', required: true,
    autocomplete: 'new-password', hint: t('validation.passwordHint') });
  const repeat = field(t, { label: t('invitation.repeat'), name: 'repeat', type: 'password', required: true, autocomplete: 'new-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('invitation.submit'));
  const form = h('form', { class: 'stack', novalidate: true }, alert.el,
    h('input', { type: 'email', name: 'username', autocomplete: 'username', value: info.email, hidden: true, readOnly: true, tabindex: '-1', 'aria-hidden': 'true' }),
    password.wrap, repeat.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    if (showFieldErrors(t, { password, repeat }, validatePassword(password.input.value, repeat.input.value))) return;
    submit.disabled = true;
    try {
      const session = await api.acceptInvitation(token, password.input.value);
      ctx.setSession(session);
      ctx.navigate(buildHash('home'));
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'auth-page' },
    h('div', { class: 'card auth-card' },
      pageHeading(t('invitation.welcome', { name: info.name })),
      h('p', { class: 'lead' }, t('invitation.intro', { workspace: info.workspaceName })),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, t('invitation.email')), h('dd', {}, info.email)),
        h('div', {}, h('dt', {}, t('invitation.expires')), h('dd', {}, formatDate(info.expiresAt, ctx.lang)))),
      h('p', { class: 'hint' }, t('invitation.guestNote')),
      form));
}
