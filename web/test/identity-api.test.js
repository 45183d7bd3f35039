import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../lib/api.js';
import { parseHash, buildHash, requiresSession } from '../lib/router.js';

function recorder(status = 200, body = {}) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body ? JSON.parse(init.body) : undefined, csrf: init.headers['X-CSRF-Token'] });
    return { ok: status < 300, status, headers: { get: () => null }, text: async () => (status === 204 ? '' : JSON.stringify(body)) };
  };
  return { calls, api: createApi({ fetchImpl, getCsrfToken: () => 'csrf' }) };
}

test('identity helpers use the method, path and body of the contract', async () => {
  const { calls, api } = recorder();
  await api.authOptions();
  await api.requestPasswordReset('a@k.se', 'en');
  await api.getPasswordReset('tok/1');
  await api.completePasswordReset('tok', 'nytt-lösenord-1');
  await api.mySessions();
  await api.endMySession('s1');
  await api.endAllMySessions();
  await api.getUser('u1');
  await api.userSessions('u1');
  await api.endUserSessions('u1');
  await api.endUserSession('u1', 's1');
  await api.revokeUserToken('u1', 't1');
  await api.updateUser('u1', { roleFromRules: true });
  await api.getDirectory();
  await api.syncDirectory(true);
  await api.listGroups('IT avd');
  await api.listGroupRules();
  await api.previewGroupRule({ groupKey: 'g', kind: 'role', role: 'admin' });
  await api.createGroupRule({ groupKey: 'g', kind: 'role', role: 'admin' });
  await api.groupRuleDeletePreview('r1');
  await api.deleteGroupRule('r1');
  await api.listAudit({ action: 'logout', limit: 50, offset: 0 });
  await api.sendTestMail('en');
  await api.inviteGuest('w1', 'g@x.se', 'Greta', 'en');
  await api.inviteGuest('w1', 'g@x.se', 'Greta');
  assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
    'GET /api/v1/auth/options',
    'POST /api/v1/password-reset',
    'GET /api/v1/password-reset/tok%2F1',
    'POST /api/v1/password-reset/tok',
    'GET /api/v1/me/sessions',
    'DELETE /api/v1/me/sessions/s1',
    'DELETE /api/v1/me/sessions',
    'GET /api/v1/admin/users/u1',
    'GET /api/v1/admin/users/u1/sessions',
    'DELETE /api/v1/admin/users/u1/sessions',
    'DELETE /api/v1/admin/users/u1/sessions/s1',
    'DELETE /api/v1/admin/users/u1/tokens/t1',
    'PATCH /api/v1/admin/users/u1',
    'GET /api/v1/admin/directory',
    'POST /api/v1/admin/directory/sync',
    'GET /api/v1/admin/groups?q=IT%20avd',
    'GET /api/v1/admin/group-rules',
    'POST /api/v1/admin/group-rules/preview',
    'POST /api/v1/admin/group-rules',
    'GET /api/v1/admin/group-rules/r1/delete-preview',
    'DELETE /api/v1/admin/group-rules/r1',
    'GET /api/v1/admin/audit?action=logout&limit=50&offset=0',
    'POST /api/v1/admin/mail/test',
    'POST /api/v1/workspaces/w1/guests',
    'POST /api/v1/workspaces/w1/guests',
  ]);
  assert.deepEqual(calls[1].body, { email: 'a@k.se', language: 'en' });
  assert.deepEqual(calls[3].body, { newPassword: 'nytt-lösenord-1' });
  assert.deepEqual(calls[12].body, { roleFromRules: true });
  assert.deepEqual(calls[14].body, { dryRun: true });
  assert.deepEqual(calls[22].body, { language: 'en' });
  assert.deepEqual(calls[23].body, { email: 'g@x.se', name: 'Greta', language: 'en' });
  assert.deepEqual(calls[24].body, { email: 'g@x.se', name: 'Greta' }, 'no language: the body is as before');
  for (const c of calls) if (c.method !== 'GET') assert.equal(c.csrf, 'csrf', `${c.method} ${c.url}`);
});

test('my API tokens: list, create with a name, revoke by id', async () => {
  const { calls, api } = recorder();
  await api.listTokens();
  await api.createToken('Word på jobbdatorn');
  await api.revokeToken('t/1');
  assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
    'GET /api/v1/tokens',
    'POST /api/v1/tokens',
    'DELETE /api/v1/tokens/t%2F1',
  ]);
  assert.deepEqual(calls[1].body, { name: 'Word på jobbdatorn' });
  assert.equal(calls[1].csrf, 'csrf');
  assert.equal(calls[2].csrf, 'csrf');
});

test('"Mina API-nycklar" is the profile with ?section=tokens', () => {
  assert.deepEqual(parseHash(buildHash('profile', {}, { section: 'tokens' })), { name: 'profile', params: {}, query: { section: 'tokens' } });
});

test('a 429 keeps retryAfterSeconds from the body', async () => {
  const { api } = recorder(429, { code: 'too-many-attempts', status: 429, retryAfterSeconds: 120 });
  await assert.rejects(api.login('annlin', 'x'), (err) => err.code === 'too-many-attempts' && err.retryAfterSeconds === 120);
});

test('the reset routes and admin sub-pages; reset works without a session', () => {
  assert.deepEqual(parseHash('#/reset'), { name: 'passwordReset', params: {}, query: {} });
  assert.deepEqual(parseHash('#/reset/abc-123'), { name: 'passwordResetToken', params: { token: 'abc-123' }, query: {} });
  assert.equal(buildHash('passwordResetToken', { token: 'a/b' }), '#/reset/a%2Fb');
  assert.equal(requiresSession(parseHash('#/reset')), false);
  assert.equal(requiresSession(parseHash('#/reset/x')), false);
  assert.equal(parseHash('#/admin/directory').name, 'adminDirectory');
  assert.equal(parseHash('#/admin/audit').name, 'adminAudit');
  assert.equal(requiresSession(parseHash('#/admin/audit')), true);
  assert.deepEqual(parseHash('#/login?error=oidc-failed').query, { error: 'oidc-failed' });
  assert.equal(buildHash('login', {}, { info: 'password-reset' }), '#/login?info=password-reset');
});
