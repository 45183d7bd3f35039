// The login page's decisions, pure so node --test checks them: where the OIDC button
// leads, which message a failed login or a `#/login?error=` / `?info=` shows.
import { queryString } from './api.js';

/** Codes the server puts in `#/login?error=<code>` after an OIDC login that failed. */
export const LOGIN_REDIRECT_ERRORS = ['oidc-failed', 'oidc-unavailable', 'account-disabled', 'oidc-expired'];

/** Values of `#/login?info=<value>` set by this client after a change that logs one out. */
export const LOGIN_INFOS = ['password-reset', 'signed-out-everywhere'];

/**
 * The hash route to come back to after an OIDC login, as the server wants it ("#/…"; it
 * redirects to "/" + returnTo): "#/workspaces/a?x=1" stays, the login and reset pages
 * themselves and anything that is not a route become "#/".
 */
export function returnRoute(hash) {
  const raw = String(hash ?? '');
  if (!raw.startsWith('#/')) return '#/';
  if (/^#\/(login|reset)(\/|\?|$)/.test(raw)) return '#/';
  return raw;
}

/** The OIDC button's address: `loginUrl?returnTo=%23%2Fworkspaces%2F…`. */
export function oidcLoginHref(loginUrl, hash) {
  const base = String(loginUrl ?? '');
  const qs = queryString({ returnTo: returnRoute(hash) });
  return base.includes('?') ? `${base}&${qs.slice(1)}` : `${base}${qs}`;
}

/** The i18n key for `#/login?error=<code>` (unknown codes get a general message). */
export function loginRedirectErrorKey(code) {
  return LOGIN_REDIRECT_ERRORS.includes(code) ? `login.error.${code}` : 'login.error.unknown';
}

/** The i18n key for `#/login?info=<value>`, or null when there is nothing to say. */
export function loginInfoKey(value) {
  return LOGIN_INFOS.includes(value) ? `login.info.${value}` : null;
}

/**
 * What a failed POST /session means for the page: 'wait' (429: count down), 'locked'
 * (until `until`), or the i18n
 * key of the message. Wrong credentials name the login name when the directory is on,
 * since people then log in with it.
 */
export function loginFailure(err, { directory = false } = {}) {
  // A locked account says until when (423 account-locked with `lockedUntil`).
  if (err?.code === 'account-locked' && err.lockedUntil && !Number.isNaN(Date.parse(err.lockedUntil))) {
    return { kind: 'locked', until: err.lockedUntil };
  }
  if (err?.code === 'too-many-attempts' || err?.status === 429) return { kind: 'wait' };
  if (err?.code === 'invalid-credentials') {
    return { kind: 'message', key: directory ? 'login.invalidCredentialsDirectory' : 'error.invalid-credentials' };
  }
  if (err?.code === 'directory-unavailable') return { kind: 'message', key: 'error.directory-unavailable' };
  return { kind: 'error' };
}
