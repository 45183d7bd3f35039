// My profile: edit own details, change password, my blog and the feed key for RSS/Atom.
import { h, replaceChildren } from '../lib/dom.js';
import { parseCompetences, validatePassword } from '../lib/validation.js';
import { personalFeedTemplate } from '../lib/blog-state.js';
import { field, alertBox, showFieldErrors, pageHeading, avatar, roleText } from './components.js';
import { personalBlogSection, hasPersonalBlog } from './blog.js';

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

  const alert = alertBox();
  const f = {
    title: field(t, { label: t('person.title'), name: 'title', value: me.title ?? '', autocomplete: 'organization-title' }),
    department: field(t, { label: t('person.department'), name: 'department', value: me.department ?? '' }),
    workplace: field(t, { label: t('person.workplace'), name: 'workplace', value: me.workplace ?? '' }),
    phone: field(t, { label: t('person.phone'), name: 'phone', type: 'tel', value: me.phone ?? '', autocomplete: 'tel' }),
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
      const updated = await api.updateMe({
        title: f.title.input.value.trim(),
        department: f.department.input.value.trim(),
        workplace: f.workplace.input.value.trim(),
        phone: f.phone.input.value.trim(),
        presentation: f.presentation.input.value,
        competences: parseCompetences(f.competences.input.value),
      });
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

  return h('div', { class: 'profile-page' },
    h('div', { class: 'card profile-head' },
      avatar(me.name, 'avatar-xl'),
      h('div', {},
        pageHeading(t('profile.title')),
        h('p', { class: 'lead' }, me.name),
        h('p', { class: 'person-sub' }, me.email, ' · ', roleText(t, me.role)),
        h('p', { class: 'hint' }, t('profile.nameHint')))),
    h('div', { class: 'layout-two' },
      h('section', { class: 'card col-main', 'aria-labelledby': 'details-h' }, h('h2', { id: 'details-h' }, t('profile.details')), form),
      h('div', { class: 'col-side' },
        h('section', { class: 'card', 'aria-labelledby': 'pw-h' }, h('h2', { id: 'pw-h' }, t('profile.passwordTitle')), pwForm),
        feedTokenSection(ctx, me))),
    blog);
}
