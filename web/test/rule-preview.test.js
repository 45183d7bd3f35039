import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../lib/i18n.js';
import { ruleBody, validateRule, samePreviewed, previewLines, changeText, ruleEffectText } from '../lib/rule-preview.js';

const dicts = {
  sv: JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url), 'utf8')),
  en: JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8')),
};
const sv = createTranslator(dicts, 'sv');
const en = createTranslator(dicts, 'en');
const anna = { id: 'p1', name: 'Anna Lindqvist', email: 'anna@k.se' };
const ekonomi = { id: 'w1', name: 'Ekonomi' };

test('the body has only the fields of its kind', () => {
  const form = { groupKey: 'cn=it', kind: 'role', role: 'admin', workspaceId: 'w1', membershipRole: 'owner' };
  assert.deepEqual(ruleBody(form), { groupKey: 'cn=it', kind: 'role', role: 'admin' });
  assert.deepEqual(ruleBody({ ...form, kind: 'membership' }), { groupKey: 'cn=it', kind: 'membership', workspaceId: 'w1', membershipRole: 'owner' });
});

test('a rule needs a group and, for membership, a workspace', () => {
  assert.deepEqual(validateRule({ kind: 'role', role: 'admin' }), { group: 'rules.chooseGroup' });
  assert.deepEqual(validateRule({ groupKey: 'g', kind: 'membership', membershipRole: 'member' }), { workspace: 'rules.chooseWorkspace' });
  assert.deepEqual(validateRule({ groupKey: 'g', kind: 'role', role: 'guest' }), { role: 'validation.role' });
  assert.deepEqual(validateRule({ groupKey: 'g', kind: 'membership', workspaceId: 'w', membershipRole: 'owner' }), {});
});

test('saving stays allowed only while the form is what was previewed', () => {
  const previewed = { groupKey: 'g', kind: 'role', role: 'admin', workspaceId: null };
  assert.equal(samePreviewed(previewed, { ...previewed, groupName: 'irrelevant' }), true);
  assert.equal(samePreviewed(previewed, { ...previewed, workspaceId: 'w9' }), true, 'a workspace does not matter to a role rule');
  assert.equal(samePreviewed(previewed, { ...previewed, role: 'member' }), false);
  assert.equal(samePreviewed(previewed, { ...previewed, groupKey: 'h' }), false);
  assert.equal(samePreviewed(null, previewed), false);
});

test('changes in Swedish: roles, joining, leaving and a new role in a workspace', () => {
  assert.equal(changeText(sv, { person: anna, what: 'role', from: 'member', to: 'admin' }), 'Anna Lindqvist: Anställd → Administratör');
  assert.equal(changeText(sv, { person: anna, what: 'membership', from: null, to: 'member', workspace: ekonomi }), 'Anna Lindqvist blir medlem i Ekonomi');
  assert.equal(changeText(sv, { person: anna, what: 'membership', from: 'owner', to: null, workspace: ekonomi }), 'Anna Lindqvist tas bort ur Ekonomi (var ägare)');
  assert.equal(changeText(sv, { person: anna, what: 'membership', from: 'member', to: 'owner', workspace: ekonomi }), 'Anna Lindqvist i Ekonomi: medlem → ägare');
});

test('changes in English', () => {
  assert.equal(changeText(en, { person: anna, what: 'role', from: 'admin', to: 'member' }), 'Anna Lindqvist: Administrator → Employee');
  assert.equal(changeText(en, { person: anna, what: 'membership', from: null, to: 'owner', workspace: ekonomi }), 'Anna Lindqvist becomes owner of Ekonomi');
});

test('a preview becomes lines of who gains, who loses, and the warnings', () => {
  const lines = previewLines(sv, {
    gains: [{ person: anna, what: 'membership', from: null, to: 'member', workspace: ekonomi }],
    losses: [{ person: { id: 'p2', name: 'Erik Johansson', email: 'e@k.se' }, what: 'role', from: 'admin', to: 'member' }],
    warnings: ['2 personer i gruppen har inget konto ännu'],
  });
  assert.deepEqual(lines.gains, [{ person: anna, text: 'Anna Lindqvist blir medlem i Ekonomi' }]);
  assert.equal(lines.losses[0].text, 'Erik Johansson: Administratör → Anställd');
  assert.deepEqual(lines.warnings, ['2 personer i gruppen har inget konto ännu']);
  assert.equal(lines.empty, false);
  assert.deepEqual(previewLines(sv, { gains: [], losses: [], warnings: [] }), { gains: [], losses: [], warnings: [], empty: true });
  assert.equal(previewLines(sv, undefined).empty, true);
});

test('what a rule gives, in words', () => {
  assert.equal(ruleEffectText(sv, { kind: 'role', role: 'admin' }), 'rollen Administratör');
  assert.equal(ruleEffectText(sv, { kind: 'membership', membershipRole: 'owner', workspace: ekonomi }), 'ägare i Ekonomi');
  assert.equal(ruleEffectText(en, { kind: 'membership', membershipRole: 'member', workspace: ekonomi }), 'member of Ekonomi');
});
