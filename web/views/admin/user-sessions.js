// "Inloggningar och nycklar" for one account: its sessions and API tokens, each with a button
// to end or revoke it, and "Avsluta alla inloggningar". Loaded when the panel is opened.
import { h, replaceChildren } from '../../lib/dom.js';
import { alertBox, actionButton } from '../components.js';
import { sessionItem, sessionLabel } from '../sessions.js';
import { tokenItem } from '../api-tokens.js';

export function userSessionsPanel(ctx, u) {
  const { t, api } = ctx;
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  let loaded = false;

  const tokenRow = (token) => tokenItem(ctx, token, actionButton(t, t('tokens.revoke'), async () => {
    await api.revokeUserToken(u.id, token.id);
    alert.success(t('tokens.revoked', { name: token.name }));
    await load();
  }, { alert, cls: 'btn btn-small btn-danger', ariaLabel: t('tokens.revokeNamed', { name: token.name }) }));

  async function load() {
    loaded = true;
    try {
      const res = await api.userSessions(u.id);
      const sessions = res?.sessions ?? [];
      const tokens = res?.tokens ?? [];
      replaceChildren(body,
        h('h4', {}, t('admin.sessions.sessionsTitle')),
        sessions.length
          ? h('ul', { class: 'session-list' }, sessions.map((s) => sessionItem(ctx, s,
            actionButton(t, t('admin.sessions.end'), async () => {
              await api.endUserSession(u.id, s.id);
              alert.success(t('admin.sessions.ended', { what: sessionLabel(t, s) }));
              await load();
            }, { alert, cls: 'btn btn-small btn-secondary', ariaLabel: t('admin.sessions.endNamed', { what: sessionLabel(t, s), name: u.name }) }))))
          : h('p', { class: 'empty' }, t('admin.sessions.none')),
        sessions.length ? h('div', { class: 'row' }, actionButton(t, t('admin.sessions.endAll'), async () => {
          await api.endUserSessions(u.id);
          alert.success(t('admin.sessions.allEnded', { name: u.name }));
          await load();
        }, { alert, cls: 'btn btn-small btn-danger', ariaLabel: t('admin.sessions.endAllNamed', { name: u.name }) })) : null,
        h('h4', {}, t('admin.sessions.tokensTitle')),
        tokens.length ? h('ul', { class: 'session-list' }, tokens.map(tokenRow)) : h('p', { class: 'empty' }, t('admin.sessions.noTokens')));
    } catch (err) {
      alert.error(t, err);
    }
  }

  const panel = h('details', { class: 'admin-user-manage admin-sessions' },
    h('summary', {}, t('admin.sessions.title'), h('span', { class: 'visually-hidden' }, `: ${u.name}`)),
    h('div', { class: 'admin-user-actions' }, alert.el, body));
  panel.addEventListener('toggle', () => { if (panel.open && !loaded) load(); });
  return panel;
}
