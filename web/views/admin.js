// Administration of user accounts (admins only).
import { h, replaceChildren } from '../lib/dom.js';
import { ROLES, validateNewUser, validatePassword } from '../lib/validation.js';
import { formatDateTime } from '../lib/format.js';
import { plural } from '../lib/i18n.js';
import { field, alertBox, showFieldErrors, pager, pageHeading, errorPanel, avatar, roleText, actionButton } from './components.js';
import { notAllowedPage } from './people.js';

const PAGE = 20;

function isLocked(u) {
  return Boolean(u.lockedUntil) && new Date(u.lockedUntil).getTime() > Date.now();
}

export async function renderAdmin(ctx) {
  const { t, api, user } = ctx;
  ctx.setTitle(t('admin.title'));
  if (user.role !== 'admin') return notAllowedPage(t, 'admin.notAllowed');
  const alert = alertBox();
  const results = h('div', {});
  let lastQuery = '';
  let lastOffset = 0;

  function userRow(u) {
    const roleField = field(t, { label: t('admin.role'), name: 'role', control: 'select', value: u.role,
      options: ROLES.map((r) => [r, roleText(t, r)]) });
    const pw = field(t, { label: t('admin.newPassword'), name: 'reset-password', type: 'password', autocomplete: 'new-password' });
    const status = [];
    if (u.disabled) status.push(h('span', { class: 'badge badge-danger' }, t('admin.disabled')));
    if (isLocked(u)) status.push(h('span', { class: 'badge badge-pending' }, t('admin.lockedUntil', { date: formatDateTime(u.lockedUntil, ctx.lang) })));
    if (!status.length) status.push(h('span', { class: 'badge badge-ok' }, t('admin.active')));
    const pwForm = h('form', { class: 'inline-form', novalidate: true }, pw.wrap,
      h('button', { type: 'submit', class: 'btn btn-small btn-secondary' }, t('admin.resetPassword')));
    pwForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      alert.clear();
      if (showFieldErrors(t, { password: pw }, validatePassword(pw.input.value))) return;
      try {
        await api.resetPassword(u.id, pw.input.value);
        pw.input.value = '';
        alert.success(t('admin.passwordReset', { name: u.name }));
      } catch (err) { alert.error(t, err); }
    });
    return h('li', { class: 'card admin-user' },
      h('div', { class: 'admin-user-head' },
        avatar(u.name),
        h('div', {},
          h('h3', { class: 'person-name' }, u.name),
          h('p', { class: 'person-sub' }, u.email),
          h('p', { class: 'person-sub' }, [u.title, u.department].filter(Boolean).join(' · ')),
          h('p', { class: 'meta' }, h('span', { class: `badge badge-${u.role}` }, roleText(t, u.role)), status,
            h('span', {}, t('admin.lastLogin', { date: u.lastLoginAt ? formatDateTime(u.lastLoginAt, ctx.lang) : t('admin.never') }))))),
      h('details', { class: 'admin-user-manage' },
        h('summary', {}, t('admin.manage'), h('span', { class: 'visually-hidden' }, `: ${u.name}`)),
        h('div', { class: 'admin-user-actions' },
        h('div', { class: 'inline-form' }, roleField.wrap,
          actionButton(t, t('admin.saveRole'), async () => {
            await api.updateUser(u.id, { role: roleField.input.value });
            alert.success(t('admin.roleSaved', { name: u.name }));
            await load(lastOffset);
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('admin.saveRoleNamed', { name: u.name }) })),
        h('div', { class: 'row' },
          actionButton(t, u.disabled ? t('admin.enable') : t('admin.disable'), async () => {
            await api.updateUser(u.id, { disabled: !u.disabled });
            await load(lastOffset);
          }, { alert, cls: `btn btn-small ${u.disabled ? 'btn-secondary' : 'btn-danger'}` }),
          isLocked(u) ? actionButton(t, t('admin.unlock'), async () => {
            await api.unlockUser(u.id);
            await load(lastOffset);
          }, { alert, cls: 'btn btn-small btn-secondary' }) : null),
        pwForm)));
  }

  async function load(offset) {
    lastOffset = offset;
    try {
      const page = await api.listUsers({ q: lastQuery, limit: PAGE, offset });
      replaceChildren(results,
        h('p', { role: 'status', class: 'result-count' }, plural(t, 'admin.count', page.total)),
        h('ul', { class: 'admin-list' }, page.items.map(userRow)),
        pager(t, page, load));
    } catch (err) {
      if (err.code === 'forbidden') { replaceChildren(results, errorPanel(t, err)); return; }
      throw err;
    }
  }

  const q = field(t, { label: t('admin.search'), name: 'admin-q', type: 'search' });
  const searchForm = h('form', { class: 'inline-form', role: 'search', 'aria-label': t('admin.search') }, q.wrap,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.search')));
  searchForm.addEventListener('submit', (e) => { e.preventDefault(); lastQuery = q.input.value.trim(); load(0); });

  const createAlert = alertBox();
  const c = {
    email: field(t, { label: t('admin.email'), name: 'new-email', type: 'email', required: true }),
    name: field(t, { label: t('admin.name'), name: 'new-name', required: true }),
    password: field(t, { label: t('admin.password'), name: 'new-password', type: 'password', required: true, autocomplete: 'new-password', hint: t('validation.passwordHint') }),
    role: field(t, { label: t('admin.role'), name: 'new-role', control: 'select', value: 'member', options: ROLES.map((r) => [r, roleText(t, r)]) }),
    title: field(t, { label: t('person.title'), name: 'new-title' }),
    department: field(t, { label: t('person.department'), name: 'new-department' }),
    workplace: field(t, { label: t('person.workplace'), name: 'new-workplace' }),
    phone: field(t, { label: t('person.phone'), name: 'new-phone', type: 'tel' }),
  };
  const createSubmit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.createSubmit'));
  const createForm = h('form', { class: 'stack', novalidate: true }, createAlert.el,
    h('div', { class: 'grid-2' }, Object.values(c).map((x) => x.wrap)), createSubmit);
  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    createAlert.clear();
    const v = Object.fromEntries(Object.entries(c).map(([k, x]) => [k, x.input.value.trim()]));
    v.password = c.password.input.value;
    if (showFieldErrors(t, c, validateNewUser(v))) return;
    const body = { email: v.email, name: v.name, password: v.password, role: v.role };
    for (const k of ['title', 'department', 'workplace', 'phone']) if (v[k]) body[k] = v[k];
    createSubmit.disabled = true;
    try {
      const created = await api.createUser(body);
      createForm.reset();
      createAlert.success(t('admin.created', { name: created.name }));
      await load(0);
    } catch (err) {
      createAlert.error(t, err);
    } finally {
      createSubmit.disabled = false;
    }
  });

  await load(0);
  return h('div', { class: 'admin-page' },
    h('div', { class: 'hero' }, pageHeading(t('admin.title')), h('p', { class: 'lead' }, t('admin.intro'))),
    h('div', { class: 'layout-two' },
      h('section', { class: 'col-main stack', 'aria-labelledby': 'users-h' },
        h('h2', { id: 'users-h' }, t('admin.users')), h('div', { class: 'card' }, searchForm), alert.el, results),
      h('section', { class: 'col-side card', 'aria-labelledby': 'create-user-h' },
        h('h2', { id: 'create-user-h' }, t('admin.createTitle')), createForm)));
}
