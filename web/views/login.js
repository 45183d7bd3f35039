// Login screen: one field for the directory login name or the e-mail address, the password,
// "Logga in med <leverantör>" when OpenID Connect is set up, "Glömt lösenordet?" when mail is,
// the wait after too many attempts, and the messages of `#/login?error=` / `?info=`.
import { h } from '../lib/dom.js';
import { validateLogin } from '../lib/validation.js';
import { retryAfterOf } from '../lib/wait-time.js';
import { oidcLoginHref, loginRedirectErrorKey, loginInfoKey, loginFailure } from '../lib/login-flow.js';
import { buildHash } from '../lib/router.js';
import { formatTime, formatRelative } from '../lib/format.js';
import { field, alertBox, showFieldErrors, pageHeading } from './components.js';
import { waitNotice } from './wait-notice.js';

const NO_OPTIONS = { directory: false, passwordReset: false, oidc: null };

/** GET /auth/options, or "local accounts only" when it cannot be read (older server). */
export async function authOptions(api) {
  try {
    return { ...NO_OPTIONS, ...(await api.authOptions()) };
  } catch {
    return NO_OPTIONS;
  }
}

export async function renderLogin(ctx) {
  const { t, api, route } = ctx;
  ctx.setTitle(t('login.title'));
  const options = await authOptions(api);
  const alert = alertBox();
  const redirectError = route.query?.error;
  if (redirectError) alert.error(t, t(loginRedirectErrorKey(redirectError)));
  else if (loginInfoKey(route.query?.info)) alert.success(t(loginInfoKey(route.query.info)));

  const login = field(t, {
    label: t('login.loginName'), name: 'login', required: true, autocomplete: 'username',
    hint: options.directory ? t('login.loginNameHint') : null,
    attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const password = field(t, { label: t('login.password'), name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const wait = waitNotice(t, { button: submit, register: (fn) => ctx.onCleanup(fn), doneKey: 'wait.loginAgain' });
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, wait.el, login.wrap, password.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (wait.active) return;
    alert.clear();
    const values = { login: login.input.value.trim(), password: password.input.value };
    const errors = validateLogin({ email: values.login, password: values.password });
    if (showFieldErrors(t, { login, password }, { login: errors.email, password: errors.password })) return;
    submit.disabled = true;
    try {
      const info = await api.login(values.login, values.password);
      ctx.setSession(info);
      ctx.afterLogin();
    } catch (err) {
      const failure = loginFailure(err, options);
      password.input.value = '';
      if (failure.kind === 'locked') {
        alert.error(t, t('login.lockedUntil', { time: formatTime(failure.until, ctx.lang), relative: formatRelative(failure.until, ctx.lang) }));
        login.input.focus();
        return;
      }
      if (failure.kind === 'wait') {
        submit.disabled = false;
        wait.start(retryAfterOf(err));
        login.input.focus();
        return;
      }
      alert.error(t, failure.kind === 'message' ? t(failure.key) : err);
      password.input.focus();
    } finally {
      if (!wait.active) submit.disabled = false;
    }
  });

  const alternatives = [];
  if (options.oidc?.loginUrl) {
    alternatives.push(h('p', { class: 'auth-or' }, h('span', {}, t('login.or'))),
      h('a', { class: 'btn btn-secondary btn-block', href: oidcLoginHref(options.oidc.loginUrl, ctx.returnTo) },
        t('login.oidc', { name: options.oidc.displayName || t('login.oidcFallbackName') })));
  }
  // "Glömt lösenordet?" is always there: it leads to the reset by e-mail when the server
  // offers one, else to a page that says whom to ask. Directory passwords are IT-support's.
  const forgot = h('div', { class: 'auth-links' },
    h('p', {}, h('a', { href: buildHash('passwordReset') }, t('login.forgot'))),
    options.directory ? h('p', { class: 'hint' }, t('login.forgotDirectory')) : null);
  return h('section', { class: 'auth-page' },
    h('div', { class: 'card auth-card' },
      pageHeading(t('login.title')),
      h('p', { class: 'lead' }, t('login.intro')),
      form, forgot, alternatives));
}
