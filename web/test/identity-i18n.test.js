// Keys that the identity screens build at run time (not found by the literal-key check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LOGIN_REDIRECT_ERRORS, LOGIN_INFOS } from '../lib/login-flow.js';
import { AUDIT_VIA } from '../lib/audit-filters.js';

const sv = JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url), 'utf8'));
const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));

function both(key) {
  assert.ok(sv[key], `sv ${key}`);
  assert.ok(en[key], `en ${key}`);
}

test('dynamic identity keys exist in both languages', () => {
  for (const code of LOGIN_REDIRECT_ERRORS) both(`login.error.${code}`);
  both('login.error.unknown');
  for (const info of LOGIN_INFOS) both(`login.info.${info}`);
  for (const m of ['password', 'directory', 'oidc', 'invitation']) both(`sessions.method.${m}`);
  for (const m of ['directory', 'oidc']) both(`admin.managedBy.${m}`);
  for (const k of ['openldap', 'active-directory']) both(`admin.directory.kind.${k}`);
  for (const c of ['created', 'updated', 'disabled', 'enabled', 'membershipsAdded', 'membershipsRemoved', 'errors']) {
    both(`admin.sync.count.${c}.one`); both(`admin.sync.count.${c}.other`);
  }
  for (const v of AUDIT_VIA) both(`audit.via.${v}`);
  for (const s of ['directory', 'oidc']) both(`rules.source.${s}`);
  for (const c of ['time', 'action', 'actor', 'target', 'workspace', 'via', 'address', 'details']) both(`audit.col.${c}`);
  for (const k of ['admin.tab.users', 'admin.tab.directory', 'admin.tab.audit', 'admin.directoryIntro', 'admin.auditIntro']) both(k);
  for (const u of ['seconds', 'minutes']) { both(`wait.${u}.one`); both(`wait.${u}.other`); }
});

test('every problem code of the identity contract has a message', () => {
  for (const code of ['invalid-credentials', 'account-disabled', 'too-many-attempts', 'directory-unavailable', 'reset-invalid',
    'forbidden', 'conflict', 'validation-failed', 'sync-running']) both(`error.${code}`);
});

test('the required Swedish wordings', () => {
  assert.equal(sv['login.loginName'], 'Användarnamn eller e-postadress');
  assert.equal(sv['reset.expired'], 'Länken har gått ut eller redan använts.');
  assert.equal(sv['profile.fromDirectory'], 'Hämtas från kommunens katalog');
  assert.equal(en['profile.fromDirectory'], "From the municipality's directory");
  assert.equal(sv['admin.groupsUnreadable'], 'Grupperna kunde inte läsas från inloggningstjänsten');
  assert.equal(sv['sessions.logoutEverywhere'], 'Logga ut överallt');
  assert.equal(sv['sessions.thisDevice'], 'Den här enheten');
  assert.ok(sv['invite.emailedUntil'].startsWith('Inbjudan skickades till {email}'));
});
