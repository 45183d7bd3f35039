import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problemToError } from '../lib/api.js';
import {
  returnRoute, oidcLoginHref, loginRedirectErrorKey, loginInfoKey, loginFailure, LOGIN_REDIRECT_ERRORS,
} from '../lib/login-flow.js';

test('the OIDC button returns to the route the person was going to', () => {
  assert.equal(returnRoute('#/workspaces/abc'), '#/workspaces/abc');
  assert.equal(returnRoute('#/people?q=G%C3%B6ran'), '#/people?q=G%C3%B6ran');
  assert.equal(returnRoute('#/'), '#/');
  assert.equal(returnRoute(''), '#/');
  assert.equal(returnRoute(null), '#/');
  assert.equal(returnRoute('#/login?error=oidc-failed'), '#/', 'never back to the login page');
  assert.equal(returnRoute('#/reset/tok'), '#/');
  assert.equal(returnRoute('#/resets-are-fine-as-a-name'), '#/resets-are-fine-as-a-name');
  assert.equal(returnRoute('javascript:alert(1)'), '#/');
  assert.equal(returnRoute('//evil.example/#/'), '#/');
  assert.equal(oidcLoginHref('/api/v1/auth/oidc/login', '#/workspaces/a b'),
    '/api/v1/auth/oidc/login?returnTo=%23%2Fworkspaces%2Fa%20b');
  assert.equal(oidcLoginHref('/api/v1/auth/oidc/login?x=1', '#/'), '/api/v1/auth/oidc/login?x=1&returnTo=%23%2F');
});

test('every redirect error of the contract has its own message; others a general one', () => {
  assert.deepEqual(LOGIN_REDIRECT_ERRORS, ['oidc-failed', 'oidc-unavailable', 'account-disabled', 'oidc-expired']);
  assert.equal(loginRedirectErrorKey('oidc-expired'), 'login.error.oidc-expired');
  assert.equal(loginRedirectErrorKey('<script>'), 'login.error.unknown');
  assert.equal(loginInfoKey('password-reset'), 'login.info.password-reset');
  assert.equal(loginInfoKey('signed-out-everywhere'), 'login.info.signed-out-everywhere');
  assert.equal(loginInfoKey('whatever'), null);
  assert.equal(loginInfoKey(undefined), null);
});

test('a failed login: wait on 429, the right words for 401 and 503, the server\'s for the rest', () => {
  assert.deepEqual(loginFailure(problemToError(429, { code: 'too-many-attempts', retryAfterSeconds: 60 })), { kind: 'wait' });
  assert.deepEqual(loginFailure(problemToError(401, { code: 'invalid-credentials' })), { kind: 'message', key: 'error.invalid-credentials' });
  assert.deepEqual(loginFailure(problemToError(401, { code: 'invalid-credentials' }), { directory: true }),
    { kind: 'message', key: 'login.invalidCredentialsDirectory' });
  assert.deepEqual(loginFailure(problemToError(503, { code: 'directory-unavailable' })), { kind: 'message', key: 'error.directory-unavailable' });
  assert.deepEqual(loginFailure(problemToError(403, { code: 'account-disabled' })), { kind: 'error' });
});

test('a locked account says until when, in the reader\'s words', async () => {
  const { formatTime, formatRelative } = await import('../lib/format.js');
  const err = problemToError(423, { code: 'account-locked', lockedUntil: '2026-12-07T13:05:00Z' });
  assert.deepEqual(loginFailure(err), { kind: 'locked', until: '2026-12-07T13:05:00Z' });
  const now = new Date('2026-12-07T12:53:00Z');
  assert.equal(`Kontot är låst till ${formatTime(err.lockedUntil, 'sv')} (${formatRelative(err.lockedUntil, 'sv', now)}).`,
    'Kontot är låst till 14:05 (om 12 minuter).');
  // Without a time there is nothing to count: the general message.
  assert.deepEqual(loginFailure(problemToError(423, { code: 'account-locked' })), { kind: 'error' });
});
