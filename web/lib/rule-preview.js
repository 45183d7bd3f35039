// Group rules in words: the request body built from the rule form, what a rule does
// ("Administratör", "Medlem i Ekonomi"), and a RulePreview turned into lines that say
// exactly who gains and who loses what. Pure, tested in both languages.

export const RULE_KINDS = ['role', 'membership'];
export const RULE_ROLES = ['admin', 'member'];
export const MEMBERSHIP_ROLES = ['owner', 'member'];

/**
 * The body of preview/create from the form's values, with only the fields of its kind:
 * `{groupKey, kind: 'role', role}` or `{groupKey, kind: 'membership', workspaceId, membershipRole}`.
 */
export function ruleBody({ groupKey, kind, role, workspaceId, membershipRole } = {}) {
  if (kind === 'membership') return { groupKey, kind, workspaceId, membershipRole };
  return { groupKey, kind: 'role', role };
}

/** Problems with a rule before it is previewed, as `{field: i18nKey}`. */
export function validateRule(values = {}) {
  const errors = {};
  if (!values.groupKey) errors.group = 'rules.chooseGroup';
  if (values.kind === 'membership') {
    if (!values.workspaceId) errors.workspace = 'rules.chooseWorkspace';
    if (!MEMBERSHIP_ROLES.includes(values.membershipRole)) errors.membershipRole = 'validation.role';
  } else if (!RULE_ROLES.includes(values.role)) errors.role = 'validation.role';
  return errors;
}

/**
 * Whether a preview still describes the form: "Spara regel" stays enabled only while the
 * body equals the one that was previewed (changing anything asks for a new preview).
 */
export function samePreviewed(previewedBody, currentBody) {
  if (!previewedBody || !currentBody) return false;
  const key = (b) => JSON.stringify(ruleBody(b));
  return key(previewedBody) === key(currentBody);
}

function roleName(t, role) { return role ? t(`role.${role}`) : t('rules.noRole'); }
// Inside a sentence the workspace role is a common noun: "blir medlem i Ekonomi".
function wsRoleName(t, role) { return t(`wsRole.${role}`).toLocaleLowerCase(t.lang ?? 'sv'); }

/** What a rule gives: "Administratör" or "Ägare i Ekonomi" (sv) / "Owner of Ekonomi" (en). */
export function ruleEffectText(t, rule) {
  if (rule?.kind === 'membership') {
    return t('rules.effect.membership', { role: wsRoleName(t, rule.membershipRole), workspace: rule.workspace?.name ?? '' });
  }
  return t('rules.effect.role', { role: roleName(t, rule?.role) });
}

/** One RuleChange in words, e.g. "Anna Lindqvist: Anställd → Administratör". */
export function changeText(t, change) {
  const name = change?.person?.name ?? '';
  if (change?.what === 'membership') {
    const workspace = change.workspace?.name ?? '';
    if (!change.from && change.to) return t('rules.change.joins', { name, workspace, role: wsRoleName(t, change.to) });
    if (change.from && !change.to) return t('rules.change.leaves', { name, workspace, role: wsRoleName(t, change.from) });
    return t('rules.change.membershipRole', { name, workspace, from: wsRoleName(t, change.from), to: wsRoleName(t, change.to) });
  }
  return t('rules.change.role', { name, from: roleName(t, change?.from), to: roleName(t, change?.to) });
}

/**
 * A RulePreview as lines: `{gains: [{person, text}], losses: [...], warnings: [string],
 * empty}` — `empty` when nobody's access changes (the rule is still allowed).
 */
export function previewLines(t, preview) {
  const lines = (list) => (Array.isArray(list) ? list : []).map((c) => ({ person: c.person ?? null, text: changeText(t, c) }));
  const gains = lines(preview?.gains);
  const losses = lines(preview?.losses);
  const warnings = (Array.isArray(preview?.warnings) ? preview.warnings : []).map(String);
  return { gains, losses, warnings, empty: gains.length === 0 && losses.length === 0 };
}
