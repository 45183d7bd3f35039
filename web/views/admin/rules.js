// Group rules: which directory/OIDC group gives which role or workspace membership. Adding
// one is search group → choose what it gives → "Förhandsgranska" (exactly who gains and who
// loses what) → only then "Spara regel"; deleting one shows who would lose access and asks
// first. What was applied is shown after each change.
import { h, uid, replaceChildren } from '../../lib/dom.js';
import { formatDateTime } from '../../lib/format.js';
import {
  ruleBody, validateRule, samePreviewed, previewLines, ruleEffectText, RULE_ROLES, MEMBERSHIP_ROLES,
} from '../../lib/rule-preview.js';
import { field, alertBox, actionButton, roleText } from '../components.js';

/** A RulePreview as lists of who gains and who loses, and the server's warnings. */
export function previewBlock(t, preview) {
  const lines = previewLines(t, preview);
  const list = (items) => h('ul', { class: 'preview-list' }, items.map((l) => h('li', {}, l.text,
    l.person?.email ? h('span', { class: 'hint' }, ` (${l.person.email})`) : null)));
  return h('div', { class: 'stack rule-preview' },
    lines.empty ? h('p', {}, t('rules.nobodyChanges')) : null,
    lines.gains.length ? h('div', {}, h('h4', {}, t('rules.gainsTitle', { count: lines.gains.length })), list(lines.gains)) : null,
    lines.losses.length ? h('div', {}, h('h4', {}, t('rules.lossesTitle', { count: lines.losses.length })), list(lines.losses)) : null,
    lines.warnings.length ? h('div', { class: 'alert alert-warning' },
      h('p', {}, h('strong', {}, t('rules.warnings'))), h('ul', {}, lines.warnings.map((w) => h('li', {}, w)))) : null);
}

function groupText(t, rule) {
  return t('rules.group', { group: rule.groupName || rule.groupKey });
}

/** A fieldset of radio buttons; `items` are `{value, label, hint}`. */
function radioGroup(name, legend, items, checked, onChange) {
  return h('fieldset', { class: 'radio-group' }, h('legend', {}, legend),
    items.map((item) => {
      const id = uid(name);
      const hintId = item.hint ? `${id}-hint` : null;
      return h('div', { class: 'radio' },
        h('input', { type: 'radio', id, name, value: item.value, checked: item.value === checked,
          'aria-describedby': hintId, onchange: () => onChange(item) }),
        h('label', { for: id }, item.label),
        item.hint ? h('span', { class: 'hint', id: hintId }, item.hint) : null);
    }));
}

/** A search field with its own button inside the rule form (Enter searches, not submits). */
function searchRow(t, { label, name, button, onSearch }) {
  const f = field(t, { label, name, type: 'search' });
  const go = h('button', { type: 'button', class: 'btn btn-secondary' }, button);
  const run = () => onSearch(f.input.value.trim());
  go.addEventListener('click', run);
  f.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); run(); } });
  return h('div', { class: 'inline-form' }, f.wrap, go);
}

function addRuleForm(ctx, onSaved) {
  const { t, api } = ctx;
  const alert = alertBox();
  const values = { groupKey: null, groupName: '', kind: 'role', role: 'admin', workspaceId: null, workspaceName: '', membershipRole: 'member' };
  let previewed = null;
  const groupResults = h('div', { 'aria-live': 'polite' });
  const workspaceResults = h('div', { 'aria-live': 'polite' });
  const previewArea = h('div', { class: 'stack' });
  const previewStatus = h('p', { class: 'hint', role: 'status' });
  const save = h('button', { type: 'button', class: 'btn btn-primary', disabled: true }, t('rules.save'));
  const previewButton = h('button', { type: 'submit', class: 'btn btn-secondary' }, t('rules.preview'));

  function changed() {
    if (previewed && !samePreviewed(previewed, values)) {
      previewed = null;
      save.disabled = true;
      replaceChildren(previewArea);
      previewStatus.textContent = t('rules.previewAgain');
    }
  }

  const groupSearch = searchRow(t, { label: t('rules.searchGroup'), name: 'rule-group-q', button: t('rules.searchGroups'), onSearch: async (q) => {
    alert.clear();
    try {
      const res = await api.listGroups(q);
      const items = (res?.items ?? []).map((g) => ({ value: g.key, label: g.name || g.key,
        hint: [t(`rules.source.${g.source}`), g.dn].filter(Boolean).join(' · '), group: g }));
      replaceChildren(groupResults, items.length
        ? radioGroup('rule-group', t('rules.chooseGroup'), items, values.groupKey, (item) => {
          values.groupKey = item.value; values.groupName = item.label; changed();
        })
        : h('p', { class: 'empty' }, t('rules.noGroups')));
    } catch (err) { alert.error(t, err); }
  } });

  const roleField = field(t, { label: t('rules.role'), name: 'rule-role', control: 'select', value: values.role,
    options: RULE_ROLES.map((r) => [r, roleText(t, r)]) });
  roleField.input.addEventListener('change', () => { values.role = roleField.input.value; changed(); });
  const wsRoleField = field(t, { label: t('rules.membershipRole'), name: 'rule-ws-role', control: 'select', value: values.membershipRole,
    options: MEMBERSHIP_ROLES.map((r) => [r, t(`wsRole.${r}`)]) });
  wsRoleField.input.addEventListener('change', () => { values.membershipRole = wsRoleField.input.value; changed(); });
  const workspaceSearch = searchRow(t, { label: t('rules.searchWorkspace'), name: 'rule-ws-q', button: t('rules.searchWorkspaces'), onSearch: async (q) => {
    alert.clear();
    try {
      // Every workspace an administrator can see: their own (secret ones too) and the others.
      const pages = await Promise.all(['mine', 'discover'].map((scope) => api.listWorkspaces({ scope, q, limit: 25 })));
      const seen = new Set();
      const items = pages.flatMap((p) => p?.items ?? []).filter((w) => !seen.has(w.id) && seen.add(w.id))
        .map((w) => ({ value: w.id, label: w.name, hint: t(`visibility.${w.visibility}`) }));
      replaceChildren(workspaceResults, items.length
        ? radioGroup('rule-ws', t('rules.chooseWorkspace'), items, values.workspaceId, (item) => {
          values.workspaceId = item.value; values.workspaceName = item.label; changed();
        })
        : h('p', { class: 'empty' }, t('rules.noWorkspaces')));
    } catch (err) { alert.error(t, err); }
  } });
  const rolePart = h('div', { class: 'stack' }, roleField.wrap);
  const membershipPart = h('div', { class: 'stack', hidden: true }, workspaceSearch, workspaceResults, wsRoleField.wrap);
  const kind = radioGroup('rule-kind', t('rules.kind'), [
    { value: 'role', label: t('rules.kind.role') }, { value: 'membership', label: t('rules.kind.membership') },
  ], values.kind, (item) => {
    values.kind = item.value;
    rolePart.hidden = item.value !== 'role';
    membershipPart.hidden = item.value !== 'membership';
    changed();
  });

  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'add-rule-h' },
    h('h3', { id: 'add-rule-h' }, t('rules.addTitle')),
    alert.el,
    h('div', { class: 'stack' }, groupSearch, groupResults),
    kind, rolePart, membershipPart,
    h('p', { class: 'hint' }, t('rules.previewFirst')),
    h('div', { class: 'row' }, previewButton, save),
    previewStatus, previewArea);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const errors = validateRule(values);
    const first = Object.values(errors)[0];
    if (first) { alert.error(t, t(first)); return; }
    const body = ruleBody(values);
    previewButton.disabled = true;
    try {
      const preview = await api.previewGroupRule(body);
      previewed = { ...values };
      const heading = h('h4', { tabindex: '-1' }, t('rules.previewTitle', { group: values.groupName, effect: ruleEffectText(t, { ...body, workspace: { name: values.workspaceName } }) }));
      previewStatus.textContent = '';
      replaceChildren(previewArea, heading, previewBlock(t, preview));
      save.disabled = false;
      heading.focus();
    } catch (err) {
      alert.error(t, err);
    } finally {
      previewButton.disabled = false;
    }
  });
  save.addEventListener('click', async () => {
    if (!samePreviewed(previewed, values)) { save.disabled = true; return; }
    save.disabled = true;
    alert.clear();
    try {
      const res = await api.createGroupRule(ruleBody(values));
      previewed = null;
      replaceChildren(previewArea);
      previewStatus.textContent = '';
      await onSaved(res);
    } catch (err) {
      alert.error(t, err);
      save.disabled = false;
    }
  });
  return form;
}

export async function groupRulesSection(ctx) {
  const { t, api, lang } = ctx;
  const alert = alertBox();
  const list = h('div', {});
  const outcome = h('div', { class: 'stack rule-outcome', tabindex: '-1', hidden: true });

  function showOutcome(title, applied) {
    replaceChildren(outcome, h('p', { role: 'status' }, h('strong', {}, title)), h('p', {}, t('rules.appliedIntro')), previewBlock(t, applied));
    outcome.hidden = false;
    outcome.focus();
  }

  function ruleItem(rule) {
    const confirmArea = h('div', { class: 'stack' });
    const remove = actionButton(t, t('rules.delete'), async () => {
      const preview = await api.groupRuleDeletePreview(rule.id);
      const heading = h('h4', { tabindex: '-1' }, t('rules.deleteConfirmTitle', { group: rule.groupName || rule.groupKey }));
      replaceChildren(confirmArea, h('div', { class: 'card confirm-box stack' }, heading,
        h('p', {}, t('rules.deleteConfirmText')), previewBlock(t, preview),
        h('div', { class: 'row' },
          actionButton(t, t('rules.deleteConfirm'), async () => {
            const res = await api.deleteGroupRule(rule.id);
            await loadRules();
            showOutcome(t('rules.deleted', { group: rule.groupName || rule.groupKey }), res?.applied);
          }, { alert, cls: 'btn btn-danger' }),
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { replaceChildren(confirmArea); remove.focus(); } }, t('rules.cancel')))));
      heading.focus();
    }, { alert, cls: 'btn btn-small btn-danger', ariaLabel: t('rules.deleteNamed', { group: rule.groupName || rule.groupKey, effect: ruleEffectText(t, rule) }) });
    return h('li', { class: 'rule-item' },
      h('div', { class: 'rule-text' },
        h('p', {}, h('strong', {}, groupText(t, rule)), ' → ', ruleEffectText(t, rule)),
        h('p', { class: 'meta' }, rule.groupName && rule.groupName !== rule.groupKey ? h('span', {}, rule.groupKey) : null,
          h('span', {}, rule.createdBy ? t('rules.createdBy', { name: rule.createdBy.name, date: formatDateTime(rule.createdAt, lang) })
            : t('rules.createdAt', { date: formatDateTime(rule.createdAt, lang) })))),
      h('div', { class: 'rule-actions' }, remove),
      confirmArea);
  }

  async function loadRules() {
    const res = await api.listGroupRules();
    const items = res?.items ?? [];
    replaceChildren(list, items.length ? h('ul', { class: 'rule-list' }, items.map(ruleItem)) : h('p', { class: 'empty' }, t('rules.none')));
  }

  const form = addRuleForm(ctx, async ({ rule, applied }) => {
    await loadRules();
    showOutcome(t('rules.saved', { group: rule?.groupName || rule?.groupKey || '', effect: ruleEffectText(t, rule) }), applied);
  });
  try { await loadRules(); } catch (err) { alert.error(t, err); }
  return h('section', { class: 'card stack', 'aria-labelledby': 'rules-h' },
    h('h2', { id: 'rules-h' }, t('rules.title')),
    h('p', {}, t('rules.intro')),
    alert.el, outcome, list, form);
}
