// One login (session) as a list item, shared by "Mina inloggningar" on the profile and the
// administrators' "Inloggningar och nycklar": how it was made, browser, address, times, and
// "Den här enheten" for the one this page uses (in words, not only a colour).
import { h } from '../lib/dom.js';
import { userAgentText } from '../lib/user-agent.js';
import { timeEl } from './components.js';

/** The words for a session's method: "Lösenord", "Kommunens katalog", "OIDC", "Inbjudan". */
export function methodText(t, method) {
  const key = `sessions.method.${method}`;
  return t.has(key) ? t(key) : String(method ?? '');
}

/** A short label naming the session for screen readers: "Firefox 128 på Windows, 10.0.0.5". */
export function sessionLabel(t, s) {
  return [userAgentText(t, s.userAgent), s.address].filter(Boolean).join(', ');
}

/** `<li>` for one session; `action` (a button or null) goes at its end. */
export function sessionItem(ctx, s, action = null) {
  const { t, lang } = ctx;
  const seen = s.lastSeenAt ?? s.createdAt;
  return h('li', { class: `session-item${s.current ? ' session-current' : ''}` },
    h('div', { class: 'session-text' },
      h('p', { class: 'session-browser' }, h('strong', {}, userAgentText(t, s.userAgent)),
        s.current ? h('span', { class: 'badge badge-ok' }, t('sessions.thisDevice')) : null),
      h('p', { class: 'meta' },
        h('span', {}, t('sessions.via', { method: methodText(t, s.method) })),
        s.address ? h('span', {}, t('sessions.address', { address: s.address })) : null),
      h('p', { class: 'meta' },
        seen ? h('span', {}, t('sessions.lastSeen'), ' ', timeEl(seen, lang)) : null,
        s.createdAt ? h('span', {}, t('sessions.started'), ' ', timeEl(s.createdAt, lang)) : null)),
    action ? h('div', { class: 'session-actions' }, action) : null);
}
