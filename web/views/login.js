// Login screen.
import { h } from '../lib/dom.js';
import { validateLogin } from '../lib/validation.js';
import { field, alertBox, showFieldErrors, pageHeading } from './components.js';

export async function renderLogin(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('login.title'));
  const alert = alertBox();
  const email = field(t, { label: t('login.email'), name: 'email', type: 'email', required: true, autocomplete: 'username' });
  const password = field(t, { label: t('login.password'), name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, email.wrap, password.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const values = { email: email.input.value.trim(), password: password.input.value };
    if (showFieldErrors(t, { email, password }, validateLogin(values))) return;
    submit.disabled = true;
    try {
      const info = await api.login(values.email, values.password);
      ctx.setSession(info);
      ctx.afterLogin();
    } catch (err) {
      alert.error(t, err);
      password.input.value = '';
      password.input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'auth-page' },
    h('div', { class: 'card auth-card' },
      pageHeading(t('login.title')),
      h('p', { class: 'lead' }, t('login.intro')),
      form));
}
