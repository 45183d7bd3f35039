// Workspace page: description, two parts to choose between – discussions (live, with who is
// present) and the blog (live) – members, invitations, join requests and membership actions.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { absoluteUrl, formatDate } from '../lib/format.js';
import { validateGuestInvite } from '../lib/validation.js';
import {
  field, alertBox, showFieldErrors, pager, pageHeading, visibilityText, errorPanel, avatar, actionButton,
} from './components.js';
import { discussionSection } from './discussion.js';
import { searchBox } from './search.js';
import { workspaceBlogSection } from './blog.js';
import { workspaceMeetings } from './meeting/workspace-meetings.js';
import { workspaceRecordings } from './recording/list.js';
import { confirmDialog } from './dialog.js';
import { followButton } from './notifications-follow.js';

const MEMBER_PAGE = 50;

function personLine(ctx, person, extra = []) {
  const { t, user } = ctx;
  const canLink = user.role !== 'guest' || person.id === user.id;
  return h('div', { class: 'person-line' },
    avatar(person.name),
    h('div', { class: 'person-line-text' },
      h('p', { class: 'person-name' },
        canLink ? h('a', { href: buildHash('person', { id: person.id }) }, person.name) : person.name),
      h('p', { class: 'person-sub' }, [person.title, person.department].filter(Boolean).join(' · ') || t('common.dash')),
      extra.length ? h('p', { class: 'meta' }, extra) : null));
}

function notFoundPage(t) {
  return h('section', { class: 'card' },
    pageHeading(t('workspace.notFoundTitle')),
    h('p', {}, t('workspace.notFoundText')),
    h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
}

export async function renderWorkspace(ctx) {
  const { t, api, user } = ctx;
  const id = ctx.route.params.id;
  let ws;
  try {
    ws = await api.getWorkspace(id);
  } catch (err) {
    if (err.code === 'not-found' || err.status === 404) return notFoundPage(t);
    throw err;
  }
  ctx.setTitle(ws.name);
  const alert = alertBox();
  const top = h('div', {});
  const membersBox = h('section', { class: 'card', 'aria-labelledby': 'members-h' });
  const requestsBox = h('section', { class: 'card', 'aria-labelledby': 'requests-h', hidden: true });
  const ownerTools = h('div', { class: 'stack' });
  let memberIds = new Set();
  // After promoting, demoting or removing, focus lands on the same person's next control.
  const memberFocus = (action, personId) => ({ focusKey: `${action}-${personId}`,
    focusFallback: `${action === 'promote' ? 'demote' : 'promote'}-${personId} remove-${personId} members-h` });
  const soleOwner = () => ws.myRole === 'owner' && (ws.ownerCount ?? 2) <= 1;
  let memberOffset = 0;

  async function refresh() {
    const wasMember = Boolean(ws.myRole);
    ws = await api.getWorkspace(id);
    // Joining or leaving changes what the discussions may do: build the page anew.
    if (Boolean(ws.myRole) !== wasMember) { ctx.rerender(); return; }
    renderTop();
    await Promise.all([loadMembers(memberOffset), loadRequests()]);
  }

  function renderTop() {
    const isOwner = ws.myRole === 'owner';
    const membership = [];
    if (ws.myRole) {
      membership.push(h('p', {}, t('workspace.youAre', { role: t(`wsRole.${ws.myRole}`) })));
      // The server refuses to let the last owner go: say so instead of offering it.
      if (soleOwner()) membership.push(h('p', { class: 'hint sole-owner' }, t('workspace.soleOwner')));
      else {
        membership.push(actionButton(t, t('workspace.leave'), async () => {
          const sure = await confirmDialog({
            title: t('workspace.leaveConfirmTitle', { name: ws.name }), text: t('workspace.leaveConfirmText'),
            confirm: t('workspace.leaveConfirm'), cancel: t('common.cancel'), danger: true,
          });
          if (!sure) return;
          await api.removeMember(id, user.id);
          ctx.navigate(buildHash('home'));
        }, { alert, cls: 'btn btn-secondary' }));
      }
    } else if (ws.myRequestPending) {
      membership.push(h('p', {}, t('workspace.requestPendingText')));
      membership.push(actionButton(t, t('workspace.withdrawRequest'), async () => {
        await api.declineRequest(id, user.id);
        await refresh();
        alert.success(t('workspace.requestWithdrawn'));
      }, { alert, cls: 'btn btn-secondary' }));
    } else if (user.role !== 'guest' && ws.visibility !== 'secret') {
      const label = ws.visibility === 'open' ? t('workspace.join') : t('workspace.requestJoin');
      membership.push(h('p', {}, ws.visibility === 'open' ? t('workspace.joinOpenText') : t('workspace.joinClosedText')));
      membership.push(actionButton(t, label, async () => {
        const res = await api.join(id);
        await refresh();
        alert.success(res?.status === 'pending' ? t('workspace.requestSent') : t('workspace.joined'));
      }, { alert, cls: 'btn btn-primary' }));
    }
    replaceChildren(top,
      h('div', { class: 'ws-hero card' },
        h('p', { class: 'eyebrow' }, t('workspace.eyebrow')),
        pageHeading(ws.name),
        ws.myRole || (user.role !== 'guest' && ws.visibility === 'open') ? followButton(ctx, 'workspace', ws.id, t('notif.followWorkspace', { name: ws.name })) : null,
        searchBox(t, { navigate: ctx.navigate, workspace: ws.id, label: t('search.workspaceLabel'), cls: 'workspace-search' }),
        h('dl', { class: 'facts' },
          h('div', {}, h('dt', {}, t('workspace.visibility')),
            h('dd', {}, h('span', { class: `badge badge-${ws.visibility}` }, visibilityText(t, ws.visibility)),
              ' ', t(`visibility.${ws.visibility}.explain`))),
          h('div', {}, h('dt', {}, t('workspace.members')), h('dd', {}, plural(t, 'workspace.memberCount', ws.memberCount ?? 0))),
          h('div', {}, h('dt', {}, t('workspace.created')), h('dd', {}, formatDate(ws.createdAt, ctx.lang) || t('common.dash')))),
        ws.description
          ? h('div', { class: 'description' }, ws.description.split(/\n{2,}/).map((p) => h('p', {}, p)))
          : h('p', { class: 'empty' }, t('workspace.noDescription')),
        membership.length ? h('div', { class: 'membership' }, membership) : null),
      ws.hasGuests
        ? h('div', { class: 'banner banner-guest', role: 'note' },
          h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, '!'),
          h('p', {}, t('workspace.guestBanner')))
        : null);
    ownerTools.hidden = !isOwner;
  }

  async function loadMembers(offset) {
    memberOffset = offset;
    const heading = h('h2', { id: 'members-h', tabindex: '-1', 'data-focus-key': 'members-h' }, t('workspace.membersTitle'));
    let page;
    try {
      page = await api.listMembers(id, { limit: MEMBER_PAGE, offset });
    } catch (err) {
      replaceChildren(membersBox, heading,
        err.code === 'forbidden' ? h('p', { class: 'empty' }, t('workspace.membersHidden')) : errorPanel(t, err));
      return;
    }
    memberIds = new Set(page.items.map((m) => m.person.id));
    const isOwner = ws.myRole === 'owner';
    const items = page.items.map((m) => {
      const self = m.person.id === user.id;
      const badges = [h('span', { class: 'badge badge-role' }, t(`wsRole.${m.role}`))];
      if (m.isGuest) badges.push(h('span', { class: 'badge badge-guest' }, t('workspace.external')));
      if (self) badges.push(h('span', { class: 'badge' }, t('workspace.you')));
      const actions = [];
      if (isOwner) {
        if (m.role === 'member' && !m.isGuest) {
          actions.push(actionButton(t, t('workspace.promote'), async () => {
            await api.setMemberRole(id, m.person.id, 'owner'); await refresh();
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('workspace.promoteNamed', { name: m.person.name }),
            ...memberFocus('promote', m.person.id) }));
        }
        if (m.role === 'owner' && self && soleOwner()) {
          badges.push(h('span', { class: 'badge' }, t('workspace.soleOwnerShort')));
        } else if (m.role === 'owner') {
          actions.push(actionButton(t, t('workspace.demote'), async () => {
            await api.setMemberRole(id, m.person.id, 'member'); await refresh();
          }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('workspace.demoteNamed', { name: m.person.name }),
            ...memberFocus('demote', m.person.id) }));
        }
        if (!self) {
          actions.push(actionButton(t, t('workspace.remove'), async () => {
            await api.removeMember(id, m.person.id); await refresh();
          }, { alert, cls: 'btn btn-small btn-danger', ariaLabel: t('workspace.removeNamed', { name: m.person.name }),
            focusKey: `remove-${m.person.id}`, focusFallback: 'members-h' }));
        }
      }
      return h('li', { class: 'member' }, personLine(ctx, m.person, badges),
        actions.length ? h('div', { class: 'member-actions' }, actions) : null);
    });
    replaceChildren(membersBox, heading,
      h('ul', { class: 'member-list' }, items),
      pager(t, page, (o) => loadMembers(o)));
  }

  async function loadRequests() {
    if (ws.myRole !== 'owner') { requestsBox.hidden = true; return; }
    let res;
    try { res = await api.listRequests(id); } catch (err) {
      replaceChildren(requestsBox, h('h2', { id: 'requests-h' }, t('workspace.requestsTitle')), errorPanel(t, err));
      requestsBox.hidden = false;
      return;
    }
    const items = res.items ?? [];
    requestsBox.hidden = false;
    replaceChildren(requestsBox,
      h('h2', { id: 'requests-h', tabindex: '-1', 'data-focus-key': 'requests-h' }, t('workspace.requestsTitle')),
      items.length
        ? h('ul', { class: 'member-list' }, items.map((r) => h('li', { class: 'member' },
          personLine(ctx, r.person, [t('workspace.requestedAt', { date: formatDate(r.requestedAt, ctx.lang) })]),
          h('div', { class: 'member-actions' },
            actionButton(t, t('workspace.approve'), async () => {
              await api.approveRequest(id, r.person.id); await refresh();
            }, { alert, cls: 'btn btn-small btn-primary', ariaLabel: t('workspace.approveNamed', { name: r.person.name }),
              focusKey: `approve-${r.person.id}`, focusFallback: 'requests-h' }),
            actionButton(t, t('workspace.decline'), async () => {
              await api.declineRequest(id, r.person.id); await refresh();
            }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('workspace.declineNamed', { name: r.person.name }),
              focusKey: `decline-${r.person.id}`, focusFallback: 'requests-h' })))))
        : h('p', { class: 'empty' }, t('workspace.noRequests')));
  }

  function inviteEmployeeSection() {
    const localAlert = alertBox();
    const q = field(t, { label: t('workspace.inviteSearchLabel'), name: 'invite-q', type: 'search' });
    const results = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'inline-form', role: 'search', 'aria-label': t('workspace.inviteEmployeeTitle') },
      q.wrap, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.search')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      localAlert.clear();
      const text = q.input.value.trim();
      if (!text) return;
      try {
        const page = await api.listPeople({ q: text, limit: 10 });
        replaceChildren(results, page.items.length
          ? h('ul', { class: 'member-list' }, page.items.map((p) => h('li', { class: 'member' },
            personLine(ctx, p),
            h('div', { class: 'member-actions' }, memberIds.has(p.id)
              ? h('span', { class: 'badge' }, t('workspace.alreadyMember'))
              : actionButton(t, t('workspace.invite'), async () => {
                await api.addMember(id, p.id);
                localAlert.success(t('workspace.invited', { name: p.name }));
                await refresh();
                replaceChildren(results);
              }, { alert: localAlert, cls: 'btn btn-small btn-primary', ariaLabel: t('workspace.inviteNamed', { name: p.name }) })))))
          : h('p', { class: 'empty' }, t('people.noResults')));
      } catch (err) { localAlert.error(t, err); }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'invite-emp-h' },
      h('h2', { id: 'invite-emp-h' }, t('workspace.inviteEmployeeTitle')),
      h('p', { class: 'hint' }, t('workspace.inviteEmployeeHint')),
      localAlert.el, form, results);
  }

  function inviteGuestSection() {
    const localAlert = alertBox();
    const email = field(t, { label: t('workspace.guestEmail'), name: 'guest-email', type: 'email', required: true });
    const name = field(t, { label: t('workspace.guestName'), name: 'guest-name', required: true });
    const language = field(t, { label: t('invite.language'), name: 'guest-language', control: 'select', value: ctx.lang,
      options: [['sv', t('language.sv')], ['en', t('language.en')]] });
    const result = h('div', {});
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('workspace.guestSubmit'));
    const form = h('form', { class: 'stack', novalidate: true }, email.wrap, name.wrap, language.wrap, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      localAlert.clear();
      replaceChildren(result);
      const values = { email: email.input.value.trim(), name: name.input.value.trim() };
      if (showFieldErrors(t, { email, name }, validateGuestInvite(values))) return;
      submit.disabled = true;
      try {
        const inv = await api.inviteGuest(id, values.email, values.name, language.input.value);
        email.input.value = '';
        name.input.value = '';
        if (inv.inviteUrl) {
          const link = field(t, { label: t('workspace.inviteLink'), name: 'invite-link', value: absoluteUrl(inv.inviteUrl, location.origin), attrs: { readonly: true } });
          const copy = h('button', { type: 'button', class: 'btn btn-secondary' }, t('workspace.copyLink'));
          const copied = h('span', { class: 'hint', role: 'status' });
          copy.addEventListener('click', async () => {
            link.input.select();
            try { await navigator.clipboard.writeText(link.input.value); } catch { document.execCommand?.('copy'); }
            copied.textContent = t('workspace.copied');
          });
          replaceChildren(result, h('div', { class: 'invite-result' },
            h('p', { role: 'status' }, inv.emailed
              ? t('invite.emailedUntil', { email: values.email, date: formatDate(inv.expiresAt, ctx.lang) })
              : t('workspace.guestInvited', { name: inv.name, date: formatDate(inv.expiresAt, ctx.lang) })),
            link.wrap, h('div', { class: 'row' }, copy, copied)));
        } else {
          localAlert.success(t('workspace.guestAdded', { name: inv.name }));
        }
        await refresh();
      } catch (err) {
        localAlert.error(t, err);
      } finally {
        submit.disabled = false;
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'invite-guest-h' },
      h('h2', { id: 'invite-guest-h' }, t('workspace.inviteGuestTitle')),
      h('p', { class: 'hint' }, t('workspace.inviteGuestHint')),
      localAlert.el, form, result);
  }

  renderTop();
  await Promise.all([loadMembers(0), loadRequests()]);
  if (user.role !== 'guest') replaceChildren(ownerTools, inviteEmployeeSection(), inviteGuestSection());
  ownerTools.hidden = ws.myRole !== 'owner';
  const onBlog = ctx.route.name === 'workspaceBlog' || ctx.route.name === 'workspaceBlogPost';
  const onDocuments = ctx.route.name === 'workspaceDocuments';
  // Documents: for those who read the workspace's content (members; employees in open ones).
  const readsDocuments = Boolean(ws.myRole) || (ws.visibility === 'open' && user.role !== 'guest');
  const onRemoved = () => { if (ctx.isCurrent()) ctx.rerender(); };
  let main;
  if (onDocuments && readsDocuments) {
    // The library is a chunk of its own (views/documents/), loaded when this tab is opened.
    const slot = h('div', {}, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
    let section = null;
    let left = false;
    ctx.onCleanup(() => { left = true; section?.dispose(); });
    import('./documents/library.js').then(({ documentsSection }) => {
      if (left) return;
      section = documentsSection(ctx, ws, { folderId: ctx.route.query.folder || null, trash: ctx.route.query.trash === '1', onRemoved });
      replaceChildren(slot, section.el);
    }).catch((err) => replaceChildren(slot, errorPanel(t, err)));
    main = [slot];
  } else if (onBlog) {
    const blog = workspaceBlogSection(ctx, ws, { postId: ctx.route.params.postId ?? null, onRemoved });
    ctx.onCleanup(() => blog.dispose());
    main = [blog.el];
  } else {
    const discussions = discussionSection(ctx, ws, { onRemoved });
    ctx.onCleanup(() => discussions.dispose());
    main = [discussions.presenceEl, discussions.el];
  }
  // Meetings: for members (they may join), with who is in them now.
  if (ws.myRole && ctx.live) {
    const meetings = workspaceMeetings(ctx, ws);
    ctx.onCleanup(() => meetings.dispose());
    main.splice(main.length - 1, 0, meetings.el);
  }
  // Recordings: for members (what they may play; the server decides).
  if (ws.myRole) main.push(workspaceRecordings(ctx, ws).el);
  const tab = (href, text, current) => h('li', {}, h('a', { href, class: 'ws-tab', 'aria-current': current ? 'page' : false }, text));
  const tabs = h('nav', { class: 'ws-tabs', 'aria-label': t('workspace.partsLabel') },
    h('ul', {},
      tab(buildHash('workspace', { id }), t('discussion.title'), !onBlog && !onDocuments),
      tab(buildHash('workspaceBlog', { id }), t('blog.title'), onBlog),
      readsDocuments ? tab(buildHash('workspaceDocuments', { id }), t('documents.title'), onDocuments) : null,
      ws.myRole ? tab(buildHash('knowledge', {}, { workspace: id }), t('kb.title'), false) : null));
  return h('div', { class: 'workspace-page' },
    h('p', { class: 'crumbs' }, h('a', { href: buildHash('home') }, t('common.backHome'))),
    top, alert.el,
    h('div', { class: 'layout-two' },
      h('div', { class: 'col-main stack' }, tabs, main, requestsBox, membersBox),
      h('div', { class: 'col-side' }, ownerTools)));
}
