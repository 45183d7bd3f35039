// Hash router: pure parsing and building of `#/...` locations, no DOM.
// Kept pure so `node --test` can check every route the views rely on.

/** Route names the app knows, with their hash patterns (':x' = one path segment). */
export const ROUTES = [
  ['home', ''],
  ['login', 'login'],
  ['workspace', 'workspaces/:id'],
  ['workspaceBlog', 'workspaces/:id/blog'],
  ['workspaceBlogPost', 'workspaces/:id/blog/:postId'],
  ['workspaceDocuments', 'workspaces/:id/documents'],
  ['document', 'documents/:id'],
  ['people', 'people'],
  ['person', 'people/:id'],
  ['personBlogPost', 'people/:id/blog/:postId'],
  ['admin', 'admin'],
  ['adminDirectory', 'admin/directory'],
  ['adminAudit', 'admin/audit'],
  ['adminNews', 'admin/news'],
  ['profile', 'profile'],
  ['invitation', 'invitation/:token'],
  ['notifications', 'notifications'],
  ['meeting', 'meetings/:id'],
  ['meetingInvitation', 'meeting-invitation/:token'],
  ['search', 'search'],
  ['knowledge', 'knowledge'],
  ['knowledgeNew', 'knowledge/new'],
  ['guideRecorder', 'knowledge/record'],
  ['article', 'knowledge/:id'],
  ['articleEdit', 'knowledge/:id/edit'],
  ['articleHistory', 'knowledge/:id/history'],
  ['recording', 'recordings/:id'],
  ['news', 'news'],
  ['newsNew', 'news/new'],
  ['newsArticle', 'news/:id'],
  ['newsEdit', 'news/:id/edit'],
  ['newsAcknowledgements', 'news/:id/acknowledgements'],
  ['passwordReset', 'reset'],
  ['passwordResetToken', 'reset/:token'],
];

/** Routes reachable without a session. */
export const PUBLIC_ROUTES = new Set(['login', 'invitation', 'meetingInvitation', 'passwordReset', 'passwordResetToken']);

function parseQuery(text) {
  const query = {};
  if (!text) return query;
  for (const [key, value] of new URLSearchParams(text)) query[key] = value;
  return query;
}

/**
 * Parses a location hash ("#/workspaces/abc?x=1") into `{name, params, query}`.
 * Unknown paths give `{name: 'notFound'}`; an empty hash is the start page.
 */
export function parseHash(hash) {
  let raw = String(hash ?? '');
  if (raw.startsWith('#')) raw = raw.slice(1);
  const q = raw.indexOf('?');
  const pathPart = q >= 0 ? raw.slice(0, q) : raw;
  const query = parseQuery(q >= 0 ? raw.slice(q + 1) : '');
  const segments = pathPart.split('/').filter((s) => s !== '');
  for (const [name, pattern] of ROUTES) {
    const parts = pattern === '' ? [] : pattern.split('/');
    if (parts.length !== segments.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].startsWith(':')) {
        let value;
        try { value = decodeURIComponent(segments[i]); } catch { ok = false; break; }
        params[parts[i].slice(1)] = value;
      } else if (parts[i] !== segments[i]) { ok = false; break; }
    }
    if (ok) return { name, params, query };
  }
  return { name: 'notFound', params: {}, query };
}

/** Builds a hash for a route name, e.g. `buildHash('person', {id})` → "#/people/<id>". */
export function buildHash(name, params = {}, query = {}) {
  const entry = ROUTES.find(([n]) => n === name);
  if (!entry) throw new Error(`unknown route ${name}`);
  const path = entry[1]
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      if (!p.startsWith(':')) return p;
      const value = params[p.slice(1)];
      if (value === undefined || value === null || value === '') throw new Error(`missing ${p}`);
      return encodeURIComponent(String(value));
    })
    .join('/');
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  }
  const qs = search.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

/** Whether a route needs a logged-in session. */
export function requiresSession(route) {
  return !PUBLIC_ROUTES.has(route.name);
}
