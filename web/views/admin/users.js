// Konton: the list of accounts with where each comes from (local, directory, OIDC), where
// its role comes from (a group rule or set by hand), warnings, account actions, logins and
// keys; and the form that creates a local account.
import { h, replaceChildren } from '../../lib/dom.js';
import { ROLES, validateNewUser, validatePassword } from '../../lib/validation.js';
import { formatDateTime } from '../../lib/format.js';
import { plural } from '../../lib/i18n.js';
import { field, alertBox, showFieldErrors, pager, errorPanel, avatar, roleText, actionButton } from '../components.js';
import { userSessionsPanel } from './user-sessions.js';

const PAGE = 20;

function isDelayed(u) {
  return Boolean(u.lockedUntil) && new Date(u.lockedUntil).getTime() > Date.now();
}

/** Badges in words: account state, where it is managed, login delays. */
function statusBadges(ctx, u) {
  const { t, lang } = ctx;
  const out = [];
  if (u.managedBy) out.push(h('span', { class: 'badge badge-managed' }, t(`admin.managedBy.${u.managedBy}`)));
  if (u.disabled) {
    out.push(h('span', { class: 'badge badge-danger' }, u.disabledBy === 'directory' ? t('admin.disabledByDirectory') : t('admin.disabled')));
  }
  if (isDelayed(u)) out.push(h('span', { class: 'badge badge-pending' }, t('admin.delayedUntil', { date: formatDateTime(u.lockedUntil, lang) })));
  if (!u.disabled) out.push(h('span', { class: 'badge badge-ok' }, t('admin.active')));
  return out;
}

export async function usersTab(ctx) {
  const { t, api, lang } = ctx;
  const alert = alertBox();
  const results = h('div', {});
  let lastQuery = '';
  let lastOffset = 0;
  const openPanels = new Set(); // users whose "Hantera konto" is open
  const keep = (key, u) => ({ focusKey: `${key}-${u.id}`, focusFallback: `toggle-${u.id} manage-${u.id}` });

  function roleLine(u) {
    if (!u.roleSource) return null;
    const fromRules = u.roleSource === 'rules';
    return h('p', { class: 'meta' },
      h('span', {}, fromRules ? t('admin.roleFromRules') : t('admin.roleManual')),
      !fromRules && u.managedBy ? actionButton(t, t('admin.letGroupsDecide'), async () => {
        await api.updateUser(u.id, { roleFromRules: true });
        alert.success(t('admin.groupsDecide', { name: u.name }));
        await load(lastOffset);
      }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('admin.letGroupsDecideNamed', { name: u.name }),
        focusKey: `groups-${u.id}`, focusFallback: `manage-${u.id}` }) : null);
  }

  function passwordPart(u) {
    if (u.managedBy) return h('p', { class: 'hint' }, t(u.managedBy === 'oidc' ? 'admin.passwordAtProvider' : 'admin.passwordInDirectory'));
    const pw = field(t, { label: t('admin.newPassword'), name: 'reset-password', type: 'password', autocomplete: 'new-password' });
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
    return pwForm;
  }

  /** "Hantera konto"; for directory and OIDC people it also lists their groups when opened. */
  function manageDetails(u, ...parts) {
    const groups = h('div', { 'aria-live': 'polite' });
    // Stays open when the list is drawn again after an action in it.
    const panel = h('details', { class: 'admin-user-manage', open: openPanels.has(u.id) },
      h('summary', { 'data-focus-key': `manage-${u.id}` }, t('admin.manage'), h('span', { class: 'visually-hidden' }, `: ${u.name}`)),
      h('div', { class: 'admin-user-actions' }, u.managedBy ? groups : null, parts));
    let loaded = false;
    panel.addEventListener('toggle', async () => {
      if (panel.open) openPanels.add(u.id); else openPanels.delete(u.id);
      if (!panel.open || loaded || !u.managedBy) return;
      loaded = true;
      try {
        const full = await api.getUser(u.id);
        const list = full?.groups ?? [];
        replaceChildren(groups, h('p', {}, h('strong', {}, t('admin.groups')), ' ',
          list.length ? list.map((g) => g.name || g.key).join(', ') : t('admin.noGroups')));
      } catch (err) { alert.error(t, err); }
    });
    return panel;
  }

  function userRow(u) {
    const roleField = field(t, { label: t('admin.role'), name: 'role', control: 'select', value: u.role,
      options: ROLES.map((r) => [r, roleText(t, r)]) });
    return h('li', { class: 'card admin-user' },
      h('div', { class: 'admin-user-head' },
        avatar(u.name),
        h('div', {},
          h('h3', { class: 'person-name' }, u.name),
          h('p', { class: 'person-sub' }, [u.email, u.login ? t('admin.loginName', { login: u.login }) : null].filter(Boolean).join(' · ')),
          h('p', { class: 'person-sub' }, [u.title, u.department].filter(Boolean).join(' · ')),
          h('p', { class: 'meta' }, h('span', { class: `badge badge-${u.role}` }, roleText(t, u.role)), statusBadges(ctx, u),
            h('span', {}, t('admin.lastLogin', { date: u.lastLoginAt ? formatDateTime(u.lastLoginAt, lang) : t('admin.never') }))),
          roleLine(u),
          u.groupsUnreadable ? h('p', { class: 'alert alert-warning admin-warning' },
            h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, '!'), ' ', t('admin.groupsUnreadable')) : null,
          u.disabledBy === 'directory' ? h('p', { class: 'hint' }, t('admin.disabledByDirectoryHint')) : null)),
      manageDetails(u,
        h('div', { class: 'inline-form' }, roleField.wrap,
          actionButton(t, t('admin.saveRole'), async () => {
            await api.updateUser(u.id, { role: roleField.input.value });
            alert.success(t('admin.roleSaved', { name: u.name }));
            await load(lastOffset);
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('admin.saveRoleNamed', { name: u.name }), ...keep('role', u) })),
        h('div', { class: 'row' },
          actionButton(t, u.disabled ? t('admin.enable') : t('admin.disable'), async () => {
            await api.updateUser(u.id, { disabled: !u.disabled });
            await load(lastOffset);
          }, { alert, cls: `btn btn-small ${u.disabled ? 'btn-secondary' : 'btn-danger'}`, ...keep('toggle', u) }),
          isDelayed(u) ? actionButton(t, t('admin.clearDelays'), async () => {
            await api.unlockUser(u.id);
            await load(lastOffset);
          }, { alert, cls: 'btn btn-small btn-secondary', ...keep('delays', u) }) : null),
        passwordPart(u)),
      userSessionsPanel(ctx, u));
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

  await load(0);
  return h('div', { class: 'layout-two' },
    h('section', { class: 'col-main stack', 'aria-labelledby': 'users-h' },
      h('h2', { id: 'users-h' }, t('admin.users')), h('div', { class: 'card' }, searchForm), alert.el, results),
    h('section', { class: 'col-side card', 'aria-labelledby': 'create-user-h' },
      h('h2', { id: 'create-user-h' }, t('admin.createTitle')), h('p', { class: 'hint' }, t('admin.createHint')),
      createUserForm(ctx, () => load(0))));
}

function createUserForm(ctx, reload) {
  const { t, api } = ctx;
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
      await reload();
    } catch (err) {
      createAlert.error(t, err);
    } finally {
      createSubmit.disabled = false;
    }
  });
  return createForm;
}
