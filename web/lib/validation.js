// Client-side form validation. Returns `{field: i18nKey}`; empty object = valid.
// Limits mirror the API contract; the server stays the authority.

export const WORKSPACE_NAME_MAX = 120;
export const WORKSPACE_DESCRIPTION_MAX = 4000;
export const PASSWORD_MIN = 10;
export const VISIBILITIES = ['open', 'closed', 'secret'];
export const ROLES = ['admin', 'member', 'guest'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(value) {
  return EMAIL.test(String(value ?? '').trim());
}

export function validateWorkspace({ name, description = '', visibility }) {
  const errors = {};
  const n = String(name ?? '').trim();
  if (n.length === 0) errors.name = 'validation.required';
  else if ([...n].length > WORKSPACE_NAME_MAX) errors.name = 'validation.nameTooLong';
  if ([...String(description ?? '')].length > WORKSPACE_DESCRIPTION_MAX) {
    errors.description = 'validation.descriptionTooLong';
  }
  if (!VISIBILITIES.includes(visibility)) errors.visibility = 'validation.visibility';
  return errors;
}

export function validatePassword(password, repeat) {
  const errors = {};
  if ([...String(password ?? '')].length < PASSWORD_MIN) errors.password = 'validation.passwordTooShort';
  else if (repeat !== undefined && repeat !== password) errors.repeat = 'validation.passwordMismatch';
  return errors;
}

export function validateLogin({ email, password }) {
  const errors = {};
  if (!String(email ?? '').trim()) errors.email = 'validation.required';
  if (!String(password ?? '')) errors.password = 'validation.required';
  return errors;
}

export function validateGuestInvite({ email, name }) {
  const errors = {};
  if (!isValidEmail(email)) errors.email = 'validation.email';
  if (!String(name ?? '').trim()) errors.name = 'validation.required';
  return errors;
}

export function validateNewUser({ email, name, password, role }) {
  const errors = {};
  if (!isValidEmail(email)) errors.email = 'validation.email';
  if (!String(name ?? '').trim()) errors.name = 'validation.required';
  Object.assign(errors, validatePassword(password));
  if (!ROLES.includes(role)) errors.role = 'validation.role';
  return errors;
}

export const TOKEN_NAME_MAX = 80;

/** An API token's name: required, at most 80 characters (as the API contract says). */
export function validateTokenName(name) {
  const errors = {};
  const n = String(name ?? '').trim();
  if (n.length === 0) errors.name = 'validation.required';
  else if ([...n].length > TOKEN_NAME_MAX) errors.name = 'validation.tokenNameTooLong';
  return errors;
}

/** "Excel, GIS ,  , svenska" → ["Excel", "GIS", "svenska"] (trimmed, no blanks, no duplicates). */
export function parseCompetences(text) {
  const seen = new Set();
  const out = [];
  for (const part of String(text ?? '').split(/[,\n]/)) {
    const value = part.trim();
    const key = value.toLocaleLowerCase('sv');
    if (value && !seen.has(key)) { seen.add(key); out.push(value); }
  }
  return out;
}

export function isEmpty(errors) {
  return Object.keys(errors).length === 0;
}

export const THREAD_TITLE_MAX = 200;
export const POST_BODY_MAX = 20000;

/** A post body: not blank, at most 20 000 characters (docs/protocol.md, Limits). */
export function validatePost({ body }) {
  const errors = {};
  const b = String(body ?? '');
  if (b.trim().length === 0) errors.body = 'validation.required';
  else if ([...b].length > POST_BODY_MAX) errors.body = 'validation.bodyTooLong';
  return errors;
}

/** A new thread: a title of at most 200 characters and a valid first post. */
export function validateThread({ title, body }) {
  const errors = validatePost({ body });
  const tt = String(title ?? '').trim();
  if (tt.length === 0) errors.title = 'validation.required';
  else if ([...tt].length > THREAD_TITLE_MAX) errors.title = 'validation.titleTooLong';
  return errors;
}

export const BLOG_TITLE_MAX = 200;
export const BLOG_BODY_MAX = 20000;

/**
 * A blog post, draft or published: a title of 1..200 characters and a body of 1..20 000
 * (the same whether it is saved as a draft or published).
 */
export function validateBlogPost({ title, body }) {
  const errors = {};
  const tt = String(title ?? '').trim();
  if (tt.length === 0) errors.title = 'validation.required';
  else if ([...tt].length > BLOG_TITLE_MAX) errors.title = 'validation.titleTooLong';
  const b = String(body ?? '');
  if (b.trim().length === 0) errors.body = 'validation.required';
  else if ([...b].length > BLOG_BODY_MAX) errors.body = 'validation.bodyTooLong';
  return errors;
}
