// Start page: my workspaces, discover, people search and the create form.
import { h, replaceChildren, uid } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { validateWorkspace, VISIBILITIES, WORKSPACE_NAME_MAX } from '../lib/validation.js';
import { field, alertBox, showFieldErrors, pager, pageHeading, visibilityText, errorPanel } from './components.js';

const PAGE = 12;

export function workspaceCard(t, ws) {
  const titleId = uid('ws');
  return h('li', { class: 'card ws-card' },
    h('h3', { id: titleId, class: 'ws-card-title' },
      h('a', { href: buildHash('workspace', { id: ws.id }) }, ws.name)),
    ws.description ? h('p', { class: 'ws-card-desc' }, ws.description) : null,
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-${ws.visibility}` }, visibilityText(t, ws.visibility)),
      h('span', {}, plural(t, 'workspace.memberCount', ws.memberCount ?? 0)),
      ws.myRole ? h('span', { class: 'badge badge-role' }, t(`wsRole.${ws.myRole}`)) : null,
      ws.myRequestPending ? h('span', { class: 'badge badge-pending' }, t('workspace.requestPending')) : null,
      ws.hasGuests ? h('span', { class: 'badge badge-guest' }, t('workspace.hasGuestsBadge')) : null));
}

/** A section listing one scope of workspaces with its own pager. */
function workspaceList(ctx, { scope, title, empty, headingId }) {
  const { t, api } = ctx;
  const list = h('div', { class: 'ws-list-body' });
  const section = h('section', { class: 'block', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title), list);
  async function load(offset) {
    try {
      const page = await api.listWorkspaces({ scope, limit: PAGE, offset });
      replaceChildren(list,
        page.items.length
          ? h('ul', { class: 'card-grid', 'aria-label': title }, page.items.map((ws) => workspaceCard(t, ws)))
          : h('p', { class: 'empty' }, empty),
        pager(t, page, load));
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(list, errorPanel(t, err));
    }
  }
  return { section, load };
}

function peopleSearch(ctx) {
  const { t } = ctx;
  const q = field(t, { label: t('home.peopleSearchLabel'), name: 'q', type: 'search' });
  const form = h('form', { role: 'search', class: 'stack', 'aria-label': t('home.peopleSearchTitle') },
    q.wrap, h('button', { type: 'submit', class: 'btn btn-primary' }, t('home.peopleSearchSubmit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(buildHash('people', {}, { q: q.input.value.trim() }));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'people-search-h' },
    h('h2', { id: 'people-search-h' }, t('home.peopleSearchTitle')),
    h('p', { class: 'hint' }, t('home.peopleSearchHint')), form);
}

function createForm(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  const name = field(t, { label: t('workspace.name'), name: 'name', required: true,
    attrs: { maxlength: WORKSPACE_NAME_MAX } });
  const description = field(t, { label: t('workspace.description'), name: 'description', control: 'textarea' });
  const visibility = field(t, { label: t('workspace.visibility'), name: 'visibility', control: 'select', value: 'open',
    options: VISIBILITIES.map((v) => [v, t(`visibility.${v}`)]),
    hint: t('workspace.visibilityHint') });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('home.createSubmit'));
  const form = h('form', { class: 'stack', novalidate: true }, alert.el, name.wrap, description.wrap, visibility.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const values = { name: name.input.value.trim(), description: description.input.value, visibility: visibility.input.value };
    if (showFieldErrors(t, { name, description, visibility }, validateWorkspace(values))) return;
    submit.disabled = true;
    try {
      const ws = await api.createWorkspace(values);
      ctx.navigate(buildHash('workspace', { id: ws.id }));
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'create-ws-h' },
    h('h2', { id: 'create-ws-h' }, t('home.createTitle')), form);
}

export async function renderHome(ctx) {
  const { t, user } = ctx;
  ctx.setTitle(t('home.title'));
  const isGuest = user.role === 'guest';
  const firstName = String(user.name ?? '').split(' ')[0];
  const mine = workspaceList(ctx, { scope: 'mine', title: t('home.mine'), empty: t('home.mineEmpty'), headingId: 'mine-h' });
  const loads = [mine.load(0)];
  let discover = null;
  if (!isGuest) {
    discover = workspaceList(ctx, { scope: 'discover', title: t('home.discover'), empty: t('home.discoverEmpty'), headingId: 'discover-h' });
    loads.push(discover.load(0));
  }
  await Promise.all(loads);
  return h('div', { class: 'home' },
    h('div', { class: 'hero' },
      pageHeading(t('home.greeting', { name: firstName })),
      h('p', { class: 'lead' }, isGuest ? t('home.introGuest') : t('home.intro'))),
    h('div', { class: 'layout-two' },
      h('div', { class: 'col-main' }, mine.section, discover?.section),
      isGuest ? null : h('div', { class: 'col-side' }, peopleSearch(ctx), createForm(ctx))));
}
