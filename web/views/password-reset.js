// Password reset without a session: `#/reset` asks for a link by e-mail (the answer never
// tells whether the address has an account), `#/reset/<token>` shows whose password is
// being set and takes the new one twice; success leads to the login page.
import { h, replaceChildren } from '../lib/dom.js';
import { isValidEmail, validatePassword } from '../lib/validation.js';
import { retryAfterOf } from '../lib/wait-time.js';
import { buildHash } from '../lib/router.js';
import { formatDateTime } from '../lib/format.js';
import { field, alertBox, showFieldErrors, pageHeading } from './components.js';
import { waitNotice } from './wait-notice.js';
import { authOptions } from './login.js';

function page(t, ...content) {
  return h('section', { class: 'auth-page' },
    h('div', { class: 'card auth-card' }, content,
      h('p', { class: 'auth-links' }, h('a', { href: buildHash('login') }, t('reset.backToLogin')))));
}

async function requestPage(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('reset.requestTitle'));
  const options = await authOptions(api);
  if (!options.passwordReset) {
    return page(t, pageHeading(t('reset.requestTitle')), h('p', {}, t('reset.unavailable')));
  }
  const alert = alertBox();
  const email = field(t, { label: t('reset.email'), name: 'email', type: 'email', required: true, autocomplete: 'email' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('reset.send'));
  const wait = waitNotice(t, { button: submit, register: (fn) => ctx.onCleanup(fn) });
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, wait.el, email.wrap, submit);
  const body = h('div', { class: 'stack' }, h('p', { class: 'lead' }, t('reset.requestIntro')), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (wait.active) return;
    alert.clear();
    const value = email.input.value.trim();
    if (showFieldErrors(t, { email }, isValidEmail(value) ? {} : { email: 'validation.email' })) return;
    submit.disabled = true;
    try {
      await api.requestPasswordReset(value, ctx.lang);
      const done = h('div', { class: 'alert alert-success', role: 'status', tabindex: '-1' },
        h('p', {}, t('reset.sent', { email: value })), h('p', {}, t('reset.sentHint')));
      replaceChildren(body, done);
      done.focus();
    } catch (err) {
      if (err.code === 'too-many-attempts' || err.status === 429) { submit.disabled = false; wait.start(retryAfterOf(err)); return; }
      if (err.code === 'validation-failed') { showFieldErrors(t, { email }, { email: 'validation.email' }); return; }
      alert.error(t, err);
    } finally {
      if (!wait.active) submit.disabled = false;
    }
  });
  return page(t, pageHeading(t('reset.requestTitle')), body);
}

function expiredPage(t) {
  return page(t, pageHeading(t('reset.expiredTitle')),
    h('div', { class: 'alert alert-error', role: 'alert' }, h('p', {}, t('reset.expired'))),
    h('p', {}, h('a', { class: 'btn btn-primary', href: buildHash('passwordReset') }, t('reset.askAgain'))));
}

async function tokenPage(ctx) {
  const { t, api, route } = ctx;
  const token = route.params.token;
  ctx.setTitle(t('reset.newTitle'));
  let info;
  try {
    info = await api.getPasswordReset(token);
  } catch (err) {
    if (err.code === 'reset-invalid' || err.status === 410 || err.status === 404) return expiredPage(t);
    throw err;
  }
  const alert = alertBox();
  const next = field(t, { label: t('reset.newPassword'), name: 'new-password', type: 'password', required: true, autocomplete: 'new-password', hint: t('validation.passwordHint') });
  const repeat = field(t, { label: t('reset.repeatPassword'), name: 'repeat-password', type: 'password', required: true, autocomplete: 'new-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('reset.save'));
  // The account's address as a hidden username field, so password managers store the pair.
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: info.email, hidden: true, readOnly: true });
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, username, next.wrap, repeat.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const errors = validatePassword(next.input.value, repeat.input.value);
    if (showFieldErrors(t, { password: next, repeat }, errors)) return;
    submit.disabled = true;
    try {
      await api.completePasswordReset(token, next.input.value);
      // All of the person's sessions ended; if this browser had one, it is gone too.
      if (ctx.session) { try { ctx.setSession(await api.getSession()); } catch { ctx.setSession(null); } }
      ctx.navigate(buildHash('login', {}, { info: 'password-reset' }));
    } catch (err) {
      if (err.code === 'reset-invalid' || err.status === 410) { ctx.rerender(); return; }
      if (err.code === 'validation-failed') { showFieldErrors(t, { password: next }, { password: 'validation.passwordTooShort' }); return; }
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  return page(t, pageHeading(t('reset.newTitle')),
    h('p', { class: 'lead' }, t('reset.newIntro')),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, t('reset.account')), h('dd', {}, info.name ? `${info.name} (${info.email})` : info.email)),
      info.expiresAt ? h('div', {}, h('dt', {}, t('reset.validUntil')), h('dd', {}, formatDateTime(info.expiresAt, ctx.lang))) : null),
    form);
}

export async function renderPasswordReset(ctx) {
  return ctx.route.name === 'passwordResetToken' ? tokenPage(ctx) : requestPage(ctx);
}
