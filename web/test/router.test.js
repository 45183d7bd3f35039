import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, buildHash, requiresSession } from '../lib/router.js';

test('an empty hash and "#/" are the start page', () => {
  assert.equal(parseHash('').name, 'home');
  assert.equal(parseHash('#/').name, 'home');
  assert.equal(parseHash('#').name, 'home');
});

test('#/workspaces/abc parses into the workspace route with its id', () => {
  assert.deepEqual(parseHash('#/workspaces/abc'), { name: 'workspace', params: { id: 'abc' }, query: {} });
});

test('people list and a person are different routes', () => {
  assert.equal(parseHash('#/people').name, 'people');
  const r = parseHash('#/people/7f0c2a1e-0000-4000-8000-000000000001');
  assert.equal(r.name, 'person');
  assert.equal(r.params.id, '7f0c2a1e-0000-4000-8000-000000000001');
});

test('query parameters after ? are parsed and decoded (å/ä/ö)', () => {
  const r = parseHash('#/people?q=G%C3%B6ran&department=Bildningsf%C3%B6rvaltningen');
  assert.equal(r.name, 'people');
  assert.deepEqual(r.query, { q: 'Göran', department: 'Bildningsförvaltningen' });
});

test('admin, profile, login and invitation routes', () => {
  assert.equal(parseHash('#/admin').name, 'admin');
  assert.equal(parseHash('#/profile').name, 'profile');
  assert.equal(parseHash('#/login').name, 'login');
  assert.deepEqual(parseHash('#/invitation/tok_123-abc').params, { token: 'tok_123-abc' });
});

test('a trailing slash is tolerated', () => {
  assert.equal(parseHash('#/people/').name, 'people');
});

test('unknown paths and extra segments are notFound', () => {
  assert.equal(parseHash('#/nothing').name, 'notFound');
  assert.equal(parseHash('#/workspaces/a/b/c').name, 'notFound');
  assert.equal(parseHash('#/workspaces/%E0%A4%A').name, 'notFound');
});

test('buildHash is the inverse of parseHash', () => {
  const hash = buildHash('workspace', { id: 'a b/c' });
  assert.equal(hash, '#/workspaces/a%20b%2Fc');
  assert.deepEqual(parseHash(hash).params, { id: 'a b/c' });
  assert.equal(buildHash('home'), '#/');
  assert.equal(buildHash('people', {}, { q: 'Åsa', department: '' }), '#/people?q=%C3%85sa');
  assert.throws(() => buildHash('person', {}));
});

test('meetings and meeting invitations have routes; a meeting invitation is public', () => {
  assert.deepEqual(parseHash('#/meetings/0b7e'), { name: 'meeting', params: { id: '0b7e' }, query: {} });
  assert.deepEqual(parseHash('#/meeting-invitation/tok_1'), { name: 'meetingInvitation', params: { token: 'tok_1' }, query: {} });
  assert.equal(buildHash('meeting', { id: 'm1' }), '#/meetings/m1');
  assert.equal(requiresSession(parseHash('#/meeting-invitation/x')), false);
  assert.equal(requiresSession(parseHash('#/meetings/m1')), true);
});

test('only login and the invitations are reachable without a session', () => {
  assert.equal(requiresSession(parseHash('#/login')), false);
  assert.equal(requiresSession(parseHash('#/invitation/x')), false);
  assert.equal(requiresSession(parseHash('#/')), true);
  assert.equal(requiresSession(parseHash('#/admin')), true);
});
