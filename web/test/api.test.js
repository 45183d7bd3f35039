import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest, createApi, ApiError, problemToError, queryString, errorMessage, errorReason } from '../lib/api.js';
import { createTranslator } from '../lib/i18n.js';

function fakeResponse(status, body, headers = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name) => headers[name] ?? headers[name.toLowerCase()] ?? null },
    text: async () => text,
  };
}

function recordingFetch(response) {
  const calls = [];
  const fetchImpl = async (url, init) => { calls.push({ url, init }); return typeof response === 'function' ? response(url, init) : response; };
  return { calls, fetchImpl };
}

test('POST carries the X-CSRF-Token header, GET does not', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, { items: [], total: 0, limit: 50, offset: 0 }));
  const api = createApi({ fetchImpl, getCsrfToken: () => 'tok-1' });
  await api.listWorkspaces({ scope: 'mine' });
  await api.createWorkspace({ name: 'x', description: '', visibility: 'open' });
  assert.equal(calls[0].init.method, 'GET');
  assert.equal(calls[0].init.headers['X-CSRF-Token'], undefined);
  assert.equal(calls[1].init.method, 'POST');
  assert.equal(calls[1].init.headers['X-CSRF-Token'], 'tok-1');
  assert.equal(calls[1].init.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(calls[1].init.body), { name: 'x', description: '', visibility: 'open' });
});

test('PUT, PATCH and DELETE carry the CSRF token too, and every request is same-origin', () => {
  for (const m of ['PUT', 'PATCH', 'DELETE']) {
    const { init } = buildRequest(m, '/me', { csrfToken: 'abc' });
    assert.equal(init.headers['X-CSRF-Token'], 'abc');
    assert.equal(init.credentials, 'same-origin');
  }
  assert.equal(buildRequest('GET', '/me', { csrfToken: 'abc' }).init.headers['X-CSRF-Token'], undefined);
});

test('the token is read at call time, so a login takes effect at once', async () => {
  let token = null;
  const { calls, fetchImpl } = recordingFetch(fakeResponse(204));
  const api = createApi({ fetchImpl, getCsrfToken: () => token });
  await api.logout();
  token = 'later';
  await api.logout();
  assert.equal(calls[0].init.headers['X-CSRF-Token'], undefined);
  assert.equal(calls[1].init.headers['X-CSRF-Token'], 'later');
});

test('paths go under /api/v1 and empty query values are dropped', () => {
  assert.equal(buildRequest('GET', '/people', { query: { q: 'Åsa', department: '', limit: 20, offset: 0 } }).url,
    '/api/v1/people?q=%C3%85sa&limit=20&offset=0');
  assert.equal(queryString({}), '');
  // A space is %20 (RFC 3986), never '+', and a real '+' survives.
  assert.equal(queryString({ q: 'Erik Johansson' }), '?q=Erik%20Johansson');
  assert.equal(queryString({ q: 'C++' }), '?q=C%2B%2B');
  assert.equal(buildRequest('GET', '/healthz').url, '/healthz');
});

test('ids are URL-encoded in paths', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, {}));
  const api = createApi({ fetchImpl });
  await api.getWorkspace('a/b?c');
  assert.equal(calls[0].url, '/api/v1/workspaces/a%2Fb%3Fc');
});

test('a problem+json answer becomes an ApiError with code, status, detail and field errors', async () => {
  const problem = {
    type: 'urn:communis:problem:validation-failed', title: 'Validation failed', status: 422,
    detail: 'The name is too long.', code: 'validation-failed',
    errors: [{ field: 'name', message: 'at most 120 characters' }],
  };
  const { fetchImpl } = recordingFetch(fakeResponse(422, problem));
  const api = createApi({ fetchImpl, getCsrfToken: () => 't' });
  await assert.rejects(api.createWorkspace({ name: 'x'.repeat(121), visibility: 'open' }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'validation-failed');
    assert.equal(err.status, 422);
    assert.equal(err.detail, 'The name is too long.');
    assert.deepEqual(err.errors, [{ field: 'name', message: 'at most 120 characters' }]);
    return true;
  });
});

test('the code falls back to the type URN, then to the HTTP status', () => {
  assert.equal(problemToError(404, { type: 'urn:communis:problem:not-found' }).code, 'not-found');
  assert.equal(problemToError(502, null).code, 'http-502');
});

test('Retry-After and lockedUntil are kept for lockouts', async () => {
  const { fetchImpl } = recordingFetch(fakeResponse(423,
    { code: 'account-locked', status: 423, detail: 'Locked', lockedUntil: '2026-11-26T17:40:00Z' }, { 'Retry-After': '900' }));
  const api = createApi({ fetchImpl });
  await assert.rejects(api.login('a@b.se', 'x'), (err) => err.code === 'account-locked' && err.retryAfter === 900
    && err.lockedUntil === '2026-11-26T17:40:00Z');
});

test('login sends no CSRF header when there is no token yet and posts the login and password', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, { csrfToken: 'c', user: {}, expiresAt: '' }));
  const api = createApi({ fetchImpl, getCsrfToken: () => null });
  const info = await api.login('anna@katrineholm.se', 'pw');
  assert.equal(info.csrfToken, 'c');
  assert.equal(calls[0].url, '/api/v1/session');
  assert.equal(calls[0].init.headers['X-CSRF-Token'], undefined);
  assert.deepEqual(JSON.parse(calls[0].init.body), { login: 'anna@katrineholm.se', password: 'pw' });
});

test('204 No Content resolves to null', async () => {
  const { fetchImpl } = recordingFetch(fakeResponse(204));
  assert.equal(await createApi({ fetchImpl }).removeMember('w', 'p'), null);
});

test('a network failure becomes an ApiError with code "network"', async () => {
  const api = createApi({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
  await assert.rejects(api.getMe(), (err) => err.code === 'network' && err.status === 0);
});

test('errorMessage gives the translation of the code followed by the server\'s reason', () => {
  const t = createTranslator({ sv: { 'error.invalid-credentials': 'Fel e-postadress eller lösenord.', 'error.unknown': 'Något gick fel.',
    'error.conflict': 'Det gick inte att genomföra.', 'error.reason': 'Serverns förklaring: {reason}' } }, 'sv');
  // A sole owner leaving: the generic conflict text alone would not say what to do.
  assert.equal(errorMessage(new ApiError({ code: 'conflict', title: 'Conflict',
    detail: 'A workspace must keep at least one owner; make someone else owner first.' }), t),
  'Det gick inte att genomföra. Serverns förklaring: A workspace must keep at least one owner; make someone else owner first.');
  assert.equal(errorMessage(new ApiError({ code: 'conflict', title: 'Conflict', detail: 'Conflict' }), t), 'Det gick inte att genomföra.');
  assert.equal(errorMessage(new ApiError({ code: 'invalid-credentials', detail: 'Bad' }), t), 'Fel e-postadress eller lösenord.');
  assert.equal(errorMessage(new ApiError({ code: 'network', detail: 'Failed to fetch' }), t), 'Något gick fel.');
  assert.equal(errorMessage(new ApiError({ code: 'brand-new-code', detail: 'Server says so.' }), t), 'Server says so.');
  assert.equal(errorMessage(new ApiError({ code: 'brand-new-code' }), t), 'Något gick fel.');
  // A live command's error carries the reason as its message.
  const live = Object.assign(new Error('Only the author may edit.'), { name: 'LiveError', code: 'forbidden' });
  assert.equal(errorReason(live), 'Only the author may edit.');
  assert.equal(errorReason(Object.assign(new Error('forbidden'), { name: 'LiveError', code: 'forbidden' })), '');
});

test('every endpoint helper uses the method and path of the contract', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, {}));
  const api = createApi({ fetchImpl, getCsrfToken: () => 't' });
  await api.join('w');
  await api.approveRequest('w', 'p');
  await api.declineRequest('w', 'p');
  await api.setMemberRole('w', 'p', 'owner');
  await api.inviteGuest('w', 'g@x.se', 'G');
  await api.acceptInvitation('tok', 'pw1234567890');
  await api.changePassword('a', 'b');
  await api.resetPassword('u', 'n');
  await api.unlockUser('u');
  assert.deepEqual(calls.map((c) => `${c.init.method} ${c.url}`), [
    'POST /api/v1/workspaces/w/join',
    'POST /api/v1/workspaces/w/requests/p/approve',
    'DELETE /api/v1/workspaces/w/requests/p',
    'PATCH /api/v1/workspaces/w/members/p',
    'POST /api/v1/workspaces/w/guests',
    'POST /api/v1/invitations/tok/accept',
    'PUT /api/v1/me/password',
    'PUT /api/v1/admin/users/u/password',
    'POST /api/v1/admin/users/u/unlock',
  ]);
  assert.deepEqual(JSON.parse(calls[3].init.body), { role: 'owner' });
  assert.deepEqual(JSON.parse(calls[6].init.body), { currentPassword: 'a', newPassword: 'b' });
});

test('meeting helpers use the paths of the contract and send the CSRF header on writes', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, {}));
  const api = createApi({ fetchImpl, getCsrfToken: () => 't' });
  await api.listMeetings('w');
  await api.createMeeting('w', { title: 'Veckomöte', scheduledFor: '2026-12-01T09:00:00Z' });
  await api.getMeeting('m');
  await api.endMeeting('m');
  await api.inviteToMeeting('m', { name: 'Lena Berg' });
  await api.getMeetingInvitation('tok');
  await api.acceptMeetingInvitation('tok');
  assert.deepEqual(calls.map((c) => `${c.init.method} ${c.url}`), [
    'GET /api/v1/workspaces/w/meetings',
    'POST /api/v1/workspaces/w/meetings',
    'GET /api/v1/meetings/m',
    'POST /api/v1/meetings/m/end',
    'POST /api/v1/meetings/m/invitations',
    'GET /api/v1/meeting-invitations/tok',
    'POST /api/v1/meeting-invitations/tok/accept',
  ]);
  assert.deepEqual(JSON.parse(calls[1].init.body), { title: 'Veckomöte', scheduledFor: '2026-12-01T09:00:00Z' });
  assert.equal(calls[3].init.headers['X-CSRF-Token'], 't');
  assert.equal(calls[0].init.headers['X-CSRF-Token'], undefined);
});

test('recordings: list with workspace and paging, one, rename/share with PATCH, delete', async () => {
  const { calls, fetchImpl } = recordingFetch(fakeResponse(200, { items: [], total: 0, limit: 10, offset: 0 }));
  const api = createApi({ fetchImpl, getCsrfToken: () => 'tok' });
  await api.listRecordings({ workspaceId: 'ws 1', limit: 10, offset: 0 });
  await api.getRecording('r/1');
  await api.updateRecording('r1', { title: 'Ny', sharedWithOrganisation: true });
  await api.deleteRecording('r1');
  assert.equal(calls[0].url, '/api/v1/recordings?workspaceId=ws%201&limit=10&offset=0');
  assert.equal(calls[1].url, '/api/v1/recordings/r%2F1');
  assert.equal(calls[2].init.method, 'PATCH');
  assert.deepEqual(JSON.parse(calls[2].init.body), { title: 'Ny', sharedWithOrganisation: true });
  assert.equal(calls[2].init.headers['X-CSRF-Token'], 'tok');
  assert.equal(calls[3].init.method, 'DELETE');
  assert.equal(calls[3].url, '/api/v1/recordings/r1');
});
