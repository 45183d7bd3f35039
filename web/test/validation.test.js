import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateWorkspace, validatePassword, validateLogin, validateGuestInvite, validateNewUser,
  parseCompetences, isValidEmail, isEmpty, validateTokenName, TOKEN_NAME_MAX,
} from '../lib/validation.js';

test('a 120-character workspace name is accepted, 121 is rejected', () => {
  assert.ok(isEmpty(validateWorkspace({ name: 'a'.repeat(120), visibility: 'open' })));
  assert.equal(validateWorkspace({ name: 'a'.repeat(121), visibility: 'open' }).name, 'validation.nameTooLong');
});

test('name length counts characters, not UTF-16 units (å, emoji)', () => {
  assert.ok(isEmpty(validateWorkspace({ name: '😀'.repeat(120), visibility: 'open' })));
});

test('a blank name, a too long description and an unknown visibility are rejected', () => {
  const e = validateWorkspace({ name: '   ', description: 'x'.repeat(4001), visibility: 'public' });
  assert.deepEqual(e, { name: 'validation.required', description: 'validation.descriptionTooLong', visibility: 'validation.visibility' });
  assert.ok(isEmpty(validateWorkspace({ name: 'Ny webbplats', description: 'x'.repeat(4000), visibility: 'secret' })));
});

test('passwords need at least 10 characters and must match the repetition', () => {
  assert.equal(validatePassword('kort').password, 'validation.passwordTooShort');
  assert.equal(validatePassword('Katrineholm2026', 'Katrineholm2025').repeat, 'validation.passwordMismatch');
  assert.ok(isEmpty(validatePassword('Katrineholm2026', 'Katrineholm2026')));
  assert.ok(isEmpty(validatePassword('Katrineholm2026')));
});

test('login needs both e-mail and password', () => {
  assert.deepEqual(validateLogin({ email: '', password: '' }), { email: 'validation.required', password: 'validation.required' });
  assert.ok(isEmpty(validateLogin({ email: 'a@b.se', password: 'x' })));
});

test('e-mail addresses', () => {
  assert.ok(isValidEmail('lena.berg@konsultbolaget.se'));
  assert.ok(!isValidEmail('lena.berg'));
  assert.ok(!isValidEmail('a b@c.se'));
  assert.deepEqual(validateGuestInvite({ email: 'x', name: '' }), { email: 'validation.email', name: 'validation.required' });
});

test('a new user needs a known role', () => {
  const ok = { email: 'ny@katrineholm.se', name: 'Ny Person', password: 'Katrineholm2026', role: 'member' };
  assert.ok(isEmpty(validateNewUser(ok)));
  assert.equal(validateNewUser({ ...ok, role: 'root' }).role, 'validation.role');
});

test('competences are split on commas, trimmed and de-duplicated case-insensitively', () => {
  assert.deepEqual(parseCompetences('GIS, projektledning ,, gis\nÄldreomsorg'), ['GIS', 'projektledning', 'Äldreomsorg']);
  assert.deepEqual(parseCompetences(''), []);
});

test('an API token needs a name of at most 80 characters (counted as characters)', () => {
  assert.equal(TOKEN_NAME_MAX, 80);
  assert.deepEqual(validateTokenName('Word på jobbdatorn'), {});
  assert.deepEqual(validateTokenName('   '), { name: 'validation.required' });
  assert.deepEqual(validateTokenName(undefined), { name: 'validation.required' });
  assert.deepEqual(validateTokenName('å'.repeat(80)), {});
  assert.deepEqual(validateTokenName('😀'.repeat(80)), {});
  assert.deepEqual(validateTokenName('a'.repeat(81)), { name: 'validation.tokenNameTooLong' });
});
