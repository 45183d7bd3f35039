// My profile: edit own details (those from the directory read-only), change password (local
// accounts only), my logins ("Mina inloggningar"), my API tokens ("Mina API-nycklar"), my
// blog and the feed key for RSS/Atom.
import { h, replaceChildren } from '../lib/dom.js';
import { parseCompetences, validatePassword } from '../lib/validation.js';
import { personalFeedTemplate } from '../lib/blog-state.js';
import { buildHash } from '../lib/router.js';
import { field, alertBox, showFieldErrors, pageHeading, avatar, roleText, actionButton } from './components.js';
import { personalBlogSection, hasPersonalBlog } from './blog.js';
import { sessionItem, sessionLabel } from './sessions.js';
import { authOptions } from './login.js';
import { apiTokensSection, focusTokensSection } from './api-tokens.js';
import { notificationSettingsSection, notificationSettingsLink, focusNotificationSettings } from './notifications-settings.js';
import { pushDeviceControl } from './push-device.js';

const PROFILE_FIELDS = ['title', 'department', 'workplace', 'phone'];

/** "Hämtas från kommunens katalog" or "Hämtas från <leverantör>" for a managed field. */
function managedNote(t, me, providerName) {
  return me.managedBy === 'oidc' ? t('profile.fromProvider', { name: providerName }) : t('profile.fromDirectory');
}

/**
 * "Mina inloggningar": every session of mine with "Logga ut" for the others, and "Logga ut
 * överallt", which ends this one too and leads to the login page.
 */
function sessionsSection(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  const list = h('div', {});
  async function load() {
    try {
      const res = await api.mySessions();
      // This device first, then the others as the server orders them.
      const items = [...(res?.items ?? [])].sort((a, b) => Number(Boolean(b.current)) - Number(Boolean(a.current)));
      replaceChildren(list, items.length
        ? h('ul', { class: 'session-list' }, items.map((s) => sessionItem(ctx, s, s.current ? null
          : actionButton(t, t('sessions.logout'), async () => {
            await api.endMySession(s.id);
            alert.success(t('sessions.ended', { what: sessionLabel(t, s) }));
            await load();
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('sessions.logoutNamed', { what: sessionLabel(t, s) }),
            focusKey: `session-${s.id}`, focusFallback: 'my-sessions-h' }))))
        : h('p', { class: 'empty' }, t('sessions.none')));
    } catch (err) {
      alert.error(t, err);
    }
  }
  const everywhere = actionButton(t, t('sessions.logoutEverywhere'), async () => {
    await api.endAllMySessions();
    ctx.setSession(null);
    ctx.navigate(buildHash('login', {}, { info: 'signed-out-everywhere' }));
  }, { alert, cls: 'btn btn-danger' });
  load();
  return h('section', { class: 'card', 'aria-labelledby': 'my-sessions-h' },
    h('h2', { id: 'my-sessions-h', tabindex: '-1', 'data-focus-key': 'my-sessions-h' }, t('sessions.title')),
    h('p', { class: 'hint' }, t('sessions.intro')),
    alert.el, list,
    h('div', { class: 'stack session-everywhere' }, h('p', { class: 'hint' }, t('sessions.everywhereHint')),
      h('div', { class: 'row' }, everywhere)));
}

/**
 * "Flödesnyckel för RSS/Atom": creates a personal feed token (a new one revokes the old) and
 * shows the feed addresses to copy. The token is shown once; it is not kept in the page.
 */
function feedTokenSection(ctx, me) {
  const { t, api } = ctx;
  const alert = alertBox();
  const result = h('div', { class: 'stack' });
  const create = h('button', { type: 'button', class: 'btn btn-secondary' }, t('feedToken.create'));
  const copyRow = (f) => {
    const copy = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, t('feedToken.copy'));
    const copied = h('span', { class: 'hint', role: 'status' });
    copy.addEventListener('click', async () => {
      f.input.select();
      try { await navigator.clipboard.writeText(f.input.value); } catch { document.execCommand?.('copy'); }
      copied.textContent = t('feedToken.copied');
    });
    return h('div', { class: 'stack feed-url' }, f.wrap, h('div', { class: 'row' }, copy, copied));
  };
  create.addEventListener('click', async () => {
    alert.clear();
    create.disabled = true;
    try {
      const res = await api.createFeedToken();
      const workspaces = field(t, { label: t('feedToken.workspaceUrl'), name: 'feed-url-ws', value: res.feedUrl,
        hint: t('feedToken.workspaceHint'), attrs: { readonly: true } });
      const parts = [h('p', { role: 'status' }, t('feedToken.created')), copyRow(workspaces)];
      if (hasPersonalBlog(me, me)) {
        const people = field(t, { label: t('feedToken.personUrl'), name: 'feed-url-person', value: personalFeedTemplate(res.feedUrl, res.token),
          hint: t('feedToken.personHint'), attrs: { readonly: true } });
        parts.push(copyRow(people));
      }
      replaceChildren(result, parts);
      create.textContent = t('feedToken.replace');
      workspaces.input.focus();
    } catch (err) {
      alert.error(t, err);
    } finally {
      create.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'feed-token-h' },
    h('h2', { id: 'feed-token-h' }, t('feedToken.title')),
    h('p', {}, t('feedToken.text')),
    h('p', { class: 'hint' }, t('feedToken.replaceText')),
    alert.el, h('div', { class: 'row' }, create), result);
}

export async function renderProfile(ctx) {
  const { t, api } = ctx;
  ctx.setTitle(t('profile.title'));
  const me = await api.getMe();
  const managed = new Set(Array.isArray(me.managedFields) ? me.managedFields : []);
  const options = me.managedBy === 'oidc' ? await authOptions(api) : null;
  const providerName = options?.oidc?.displayName || t('login.oidcFallbackName');
  // A field the directory fills is shown read-only with a note saying where it comes from.
  const fixed = (name) => (managed.has(name)
    ? { attrs: { readonly: true }, hint: managedNote(t, me, providerName) } : {});

  const alert = alertBox();
  const f = {
    title: field(t, { label: t('person.title'), name: 'title', value: me.title ?? '', autocomplete: 'organization-title', ...fixed('title') }),
    department: field(t, { label: t('person.department'), name: 'department', value: me.department ?? '', ...fixed('department') }),
    workplace: field(t, { label: t('person.workplace'), name: 'workplace', value: me.workplace ?? '', ...fixed('workplace') }),
    phone: field(t, { label: t('person.phone'), name: 'phone', type: 'tel', value: me.phone ?? '', autocomplete: 'tel', ...fixed('phone') }),
    presentation: field(t, { label: t('person.presentation'), name: 'presentation', control: 'textarea', value: me.presentation ?? '' }),
    competences: field(t, { label: t('person.competences'), name: 'competences', value: (me.competences ?? []).join(', '),
      hint: t('profile.competencesHint') }),
  };
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('profile.save'));
  const form = h('form', { class: 'stack', novalidate: true }, alert.el,
    h('div', { class: 'grid-2' }, f.title.wrap, f.phone.wrap, f.department.wrap, f.workplace.wrap),
    f.presentation.wrap, f.competences.wrap, save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    save.disabled = true;
    try {
      const changes = { presentation: f.presentation.input.value, competences: parseCompetences(f.competences.input.value) };
      for (const name of PROFILE_FIELDS) if (!managed.has(name)) changes[name] = f[name].input.value.trim();
      const updated = await api.updateMe(changes);
      if (ctx.session) ctx.setSession({ ...ctx.session, user: updated });
      f.competences.input.value = (updated.competences ?? []).join(', ');
      alert.success(t('profile.saved'));
    } catch (err) {
      alert.error(t, err);
    } finally {
      save.disabled = false;
    }
  });

  const pwAlert = alertBox();
  const current = field(t, { label: t('profile.currentPassword'), name: 'current-password', type: 'password', required: true, autocomplete: 'current-password' });
  const next = field(t, { label: t('profile.newPassword'), name: 'new-password', type: 'password', required: true, autocomplete: 'new-password', hint: t('validation.passwordHint') });
  const repeat = field(t, { label: t('profile.repeatPassword'), name: 'repeat-password', type: 'password', required: true, autocomplete: 'new-password' });
  const pwSubmit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('profile.changePassword'));
  const pwForm = h('form', { class: 'stack', novalidate: true }, pwAlert.el, current.wrap, next.wrap, repeat.wrap, pwSubmit);
  pwForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    pwAlert.clear();
    const errors = validatePassword(next.input.value, repeat.input.value);
    if (!current.input.value) errors.current = 'validation.required';
    if (showFieldErrors(t, { current, password: next, repeat }, errors)) return;
    pwSubmit.disabled = true;
    try {
      await api.changePassword(current.input.value, next.input.value);
      pwForm.reset();
      pwAlert.success(t('profile.passwordChanged'));
    } catch (err) {
      pwAlert.error(t, err);
    } finally {
      pwSubmit.disabled = false;
    }
  });

  const blog = hasPersonalBlog(me, me) ? await personalBlogSection(ctx, me, { headingId: 'my-blog-h' }) : null;
  // Directory and OIDC people change their password where they log in, not here.
  const passwordPart = me.managedBy
    ? h('p', {}, me.managedBy === 'oidc' ? t('profile.passwordAtProvider', { name: providerName }) : t('profile.passwordInDirectory'))
    : pwForm;
  const nameHint = me.managedBy === 'oidc' ? t('profile.nameFromProvider', { name: providerName })
    : me.managedBy ? t('profile.nameFromDirectory') : t('profile.nameHint');

  const page = h('div', { class: 'profile-page' },
    h('div', { class: 'card profile-head' },
      avatar(me.name, 'avatar-xl'),
      h('div', {},
        pageHeading(t('profile.title')),
        h('p', { class: 'lead' }, me.name),
        h('p', { class: 'person-sub' }, [me.email, roleText(t, me.role)].filter(Boolean).join(' · ')),
        me.login ? h('p', { class: 'person-sub' }, t('profile.loginName', { login: me.login })) : null,
        h('p', { class: 'hint' }, nameHint))),
    h('div', { class: 'layout-two' },
      h('section', { class: 'card col-main', 'aria-labelledby': 'details-h' }, h('h2', { id: 'details-h' }, t('profile.details')), form),
      h('div', { class: 'col-side' },
        h('section', { class: 'card', 'aria-labelledby': 'pw-h' }, h('h2', { id: 'pw-h' }, t('profile.passwordTitle')), passwordPart),
        feedTokenSection(ctx, me))),
    // The settings table only on #/profile?section=notifications (it has a "Spara" of its own);
    // this device's push switch right after it.
    ctx.route?.query?.section === 'notifications' ? notificationSettingsSection(ctx) : notificationSettingsLink(ctx),
    pushDeviceControl(ctx),
    sessionsSection(ctx),
    apiTokensSection(ctx),
    blog);
  if (ctx.route?.query?.section === 'tokens') focusTokensSection(ctx, page);
  if (ctx.route?.query?.section === 'notifications') focusNotificationSettings(ctx, page);
  return page;
}
