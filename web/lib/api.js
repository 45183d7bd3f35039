// The HTTP client for /api/v1: builds requests, adds the CSRF header on state changes,
// and turns RFC 9457 problem+json answers into `ApiError`s with a stable `code`.
// `fetch` is injected so the logic runs under `node --test` without a browser.

export const API_BASE = '/api/v1';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  constructor({ status = 0, code = 'unknown', detail = '', title = '', errors = [], retryAfter = null, lockedUntil = null,
    retryAfterSeconds = null } = {}) {
    super(detail || title || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.title = title;
    this.errors = Array.isArray(errors) ? errors : [];
    this.retryAfter = retryAfter;
    this.lockedUntil = lockedUntil;
    /** A 429's body field `retryAfterSeconds` (the same wait as the Retry-After header). */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Query string from an object, skipping empty values: `{q:'a b', x:''}` → "?q=a%20b".
 * Spaces are sent as %20, not the form-encoding '+', which RFC 3986 servers read as a plus.
 */
export function queryString(query = {}) {
  const parts = [];
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Builds `{url, init}` for fetch. The CSRF header goes only on state-changing methods. */
export function buildRequest(method, path, { body, query, csrfToken } = {}) {
  const m = method.toUpperCase();
  const headers = { Accept: 'application/json, application/problem+json' };
  const init = { method: m, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (STATE_CHANGING.has(m) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const url = (path.startsWith('/api/') || path === '/healthz' ? path : API_BASE + path) + queryString(query);
  return { url, init };
}

function codeFromType(type) {
  const prefix = 'urn:communis:problem:';
  return typeof type === 'string' && type.startsWith(prefix) ? type.slice(prefix.length) : null;
}

/** Turns a problem document (or any error body) plus status into an ApiError. */
export function problemToError(status, problem, retryAfterHeader = null) {
  const p = problem && typeof problem === 'object' ? problem : {};
  const code = p.code || codeFromType(p.type) || (status ? `http-${status}` : 'unknown');
  const retry = retryAfterHeader !== null && retryAfterHeader !== undefined && retryAfterHeader !== ''
    ? Number(retryAfterHeader) : null;
  const err = new ApiError({
    status: p.status ?? status,
    code,
    detail: p.detail ?? '',
    title: p.title ?? '',
    errors: p.errors ?? [],
    retryAfter: Number.isFinite(retry) ? retry : null,
    lockedUntil: p.lockedUntil ?? null,
    retryAfterSeconds: Number.isFinite(p.retryAfterSeconds) ? p.retryAfterSeconds : null,
  });
  // A problem's own members (a 423's `holder` and `expiresAt`, a 413's `maxBytes`) for the views that use them.
  err.problem = p;
  return err;
}

/** Reads a fetch Response: JSON body on success (null for 204/empty), ApiError otherwise. */
export async function parseResponse(res) {
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;
  const retryAfter = res.headers?.get ? res.headers.get('Retry-After') : null;
  throw problemToError(res.status, data, retryAfter);
}

/**
 * Makes the API client. `getCsrfToken()` is read on every call so a fresh login or a
 * reload (GET /session) takes effect at once.
 */
export function createApi({ fetchImpl = globalThis.fetch?.bind(globalThis), getCsrfToken = () => null } = {}) {
  async function request(method, path, options = {}) {
    const { url, init } = buildRequest(method, path, { ...options, csrfToken: getCsrfToken() });
    let res;
    try {
      res = await fetchImpl(url, init);
    } catch (cause) {
      throw new ApiError({ status: 0, code: 'network', detail: String(cause?.message ?? cause) });
    }
    return parseResponse(res);
  }
  const enc = encodeURIComponent;
  return {
    request,
    // Session
    getSession: () => request('GET', '/session'),
    /** `login` is a directory login name or an e-mail address. */
    login: (login, password) => request('POST', '/session', { body: { login, password } }),
    authOptions: () => request('GET', '/auth/options'),
    // Password reset (no session needed)
    requestPasswordReset: (email, language) => request('POST', '/password-reset', { body: { email, language } }),
    getPasswordReset: (token) => request('GET', `/password-reset/${enc(token)}`),
    completePasswordReset: (token, newPassword) =>
      request('POST', `/password-reset/${enc(token)}`, { body: { newPassword } }),
    logout: () => request('DELETE', '/session'),
    // Me
    getMe: () => request('GET', '/me'),
    updateMe: (changes) => request('PATCH', '/me', { body: changes }),
    changePassword: (currentPassword, newPassword) =>
      request('PUT', '/me/password', { body: { currentPassword, newPassword } }),
    mySessions: () => request('GET', '/me/sessions'),
    endMySession: (id) => request('DELETE', `/me/sessions/${enc(id)}`),
    /** "Logga ut överallt": ends every session of mine, this one included. */
    endAllMySessions: () => request('DELETE', '/me/sessions'),
    // My API tokens (Bearer, and the password for WebDAV); the secret is in the create answer only.
    listTokens: () => request('GET', '/tokens'),
    createToken: (name) => request('POST', '/tokens', { body: { name } }),
    revokeToken: (id) => request('DELETE', `/tokens/${enc(id)}`),
    // People
    listPeople: (query) => request('GET', '/people', { query }),
    peopleFacets: () => request('GET', '/people/facets'),
    search: (query) => request('GET', '/search', { query }),
    getPerson: (id) => request('GET', `/people/${enc(id)}`),
    getPresence: (id) => request('GET', `/people/${enc(id)}/presence`),
    // Workspaces
    listWorkspaces: (query) => request('GET', '/workspaces', { query }),
    createWorkspace: (ws) => request('POST', '/workspaces', { body: ws }),
    getWorkspace: (id) => request('GET', `/workspaces/${enc(id)}`),
    updateWorkspace: (id, changes) => request('PATCH', `/workspaces/${enc(id)}`, { body: changes }),
    deleteWorkspace: (id) => request('DELETE', `/workspaces/${enc(id)}`),
    listMembers: (id, query) => request('GET', `/workspaces/${enc(id)}/members`, { query }),
    addMember: (id, personId, role) =>
      request('POST', `/workspaces/${enc(id)}/members`, { body: role ? { personId, role } : { personId } }),
    setMemberRole: (id, personId, role) =>
      request('PATCH', `/workspaces/${enc(id)}/members/${enc(personId)}`, { body: { role } }),
    removeMember: (id, personId) => request('DELETE', `/workspaces/${enc(id)}/members/${enc(personId)}`),
    join: (id) => request('POST', `/workspaces/${enc(id)}/join`),
    listRequests: (id) => request('GET', `/workspaces/${enc(id)}/requests`),
    approveRequest: (id, personId) =>
      request('POST', `/workspaces/${enc(id)}/requests/${enc(personId)}/approve`),
    declineRequest: (id, personId) => request('DELETE', `/workspaces/${enc(id)}/requests/${enc(personId)}`),
    inviteGuest: (id, email, name, language) =>
      request('POST', `/workspaces/${enc(id)}/guests`, { body: language ? { email, name, language } : { email, name } }),
    // Discussions, feed and notifications (reads; writes go over the live connection)
    listThreads: (workspaceId, query) => request('GET', `/workspaces/${enc(workspaceId)}/threads`, { query }),
    listPosts: (threadId, query) => request('GET', `/threads/${enc(threadId)}/posts`, { query }),
    listRevisions: (postId) => request('GET', `/posts/${enc(postId)}/revisions`),
    getFeed: (query) => request('GET', '/feed', { query }),
    // Blogs. Workspace blog writes go over the live connection (blog.save, blog.delete,
    // blog.comment); personal blogs are not live and are written over HTTP.
    listWorkspaceBlog: (workspaceId, query) => request('GET', `/workspaces/${enc(workspaceId)}/blog`, { query }),
    getBlogPost: (id, query) => request('GET', `/blog/${enc(id)}`, { query }),
    listPersonalBlog: (personId, query) => request('GET', `/people/${enc(personId)}/blog`, { query }),
    createPersonalPost: (post) => request('POST', '/me/blog', { body: post }),
    updatePersonalPost: (id, post) => request('PATCH', `/me/blog/${enc(id)}`, { body: post }),
    deletePersonalPost: (id) => request('DELETE', `/me/blog/${enc(id)}`),
    // One personal post with a page of its comments; comments and reactions (employees only).
    getPersonalPost: (personId, id, query) => request('GET', `/people/${enc(personId)}/blog/${enc(id)}`, { query }),
    commentPersonalPost: (personId, id, body) =>
      request('POST', `/people/${enc(personId)}/blog/${enc(id)}/comments`, { body: { body } }),
    deletePersonalComment: (personId, id, commentId) =>
      request('DELETE', `/people/${enc(personId)}/blog/${enc(id)}/comments/${enc(commentId)}`),
    /** Adds (`add` true, PUT) or removes (DELETE) my reaction; answers `{reactions}`. */
    reactPersonalPost: (personId, id, emoji, add) =>
      request(add ? 'PUT' : 'DELETE', `/people/${enc(personId)}/blog/${enc(id)}/reactions/${enc(emoji)}`),
    createFeedToken: () => request('POST', '/me/feed-token'),
    listNotifications: (query) => request('GET', '/notifications', { query }),
    markNotificationsRead: (upTo) => request('POST', '/notifications/read', { body: upTo ? { upTo } : {} }),
    // Notification settings and follows (issue 14)
    getNotificationSettings: () => request('GET', '/me/notification-settings'),
    saveNotificationSettings: (settings) => request('PUT', '/me/notification-settings', { body: settings }),
    listFollows: () => request('GET', '/me/follows'),
    /** Follows (`on` true, PUT) or unfollows (DELETE) a workspace, person, tag or category. */
    setFollow: (kind, target, on) => request(on ? 'PUT' : 'DELETE', `/me/follows/${enc(kind)}/${enc(target)}`),
    // Invitations
    getInvitation: (token) => request('GET', `/invitations/${enc(token)}`),
    acceptInvitation: (token, password) =>
      request('POST', `/invitations/${enc(token)}/accept`, { body: { password } }),
    // Meetings (what happens inside one travels over the live connection)
    listMeetings: (workspaceId, query) => request('GET', `/workspaces/${enc(workspaceId)}/meetings`, { query }),
    createMeeting: (workspaceId, meeting) => request('POST', `/workspaces/${enc(workspaceId)}/meetings`, { body: meeting }),
    getMeeting: (id) => request('GET', `/meetings/${enc(id)}`),
    /** Meetings going on now in my workspaces (`{items: [Meeting + workspace + participants]}`). */
    listLiveMeetings: () => request('GET', '/meetings', { query: { state: 'live' } }),
    endMeeting: (id) => request('POST', `/meetings/${enc(id)}/end`),
    inviteToMeeting: (id, guest) => request('POST', `/meetings/${enc(id)}/invitations`, { body: guest }),
    getMeetingInvitation: (token) => request('GET', `/meeting-invitations/${enc(token)}`),
    acceptMeetingInvitation: (token) => request('POST', `/meeting-invitations/${enc(token)}/accept`),

    listArticles: (query) => request('GET', '/articles', { query }),
    reviewDueArticles: () => request('GET', '/articles/review-due'),
    createArticle: (article) => request('POST', '/articles', { body: article }),
    getArticle: (id) => request('GET', `/articles/${enc(id)}`),
    updateArticle: (id, article) => request('PUT', `/articles/${enc(id)}`, { body: article }),
    deleteArticle: (id) => request('DELETE', `/articles/${enc(id)}`),
    archiveArticle: (id) => request('POST', `/articles/${enc(id)}/archive`),
    restoreArticleCurrent: (id) => request('POST', `/articles/${enc(id)}/restore-current`),
    listArticleRevisions: (id) => request('GET', `/articles/${enc(id)}/revisions`),
    getArticleRevision: (id, number) => request('GET', `/articles/${enc(id)}/revisions/${enc(number)}`),
    articleDiff: (id, from, to) => request('GET', `/articles/${enc(id)}/diff`, { query: { from, to } }),
    restoreArticleRevision: (id, number, baseRevision) =>
      request('POST', `/articles/${enc(id)}/revisions/${enc(number)}/restore`, { body: { baseRevision } }),
    // Recordings (made over the live connection in a meeting; read and managed here)
    listRecordings: (query) => request('GET', '/recordings', { query }),
    getRecording: (id) => request('GET', `/recordings/${enc(id)}`),
    updateRecording: (id, changes) => request('PATCH', `/recordings/${enc(id)}`, { body: changes }),
    deleteRecording: (id) => request('DELETE', `/recordings/${enc(id)}`),
    // Administration
    listUsers: (query) => request('GET', '/admin/users', { query }),
    createUser: (user) => request('POST', '/admin/users', { body: user }),
    updateUser: (id, changes) => request('PATCH', `/admin/users/${enc(id)}`, { body: changes }),
    unlockUser: (id) => request('POST', `/admin/users/${enc(id)}/unlock`),
    resetPassword: (id, newPassword) =>
      request('PUT', `/admin/users/${enc(id)}/password`, { body: { newPassword } }),
    getUser: (id) => request('GET', `/admin/users/${enc(id)}`),
    userSessions: (id) => request('GET', `/admin/users/${enc(id)}/sessions`),
    endUserSessions: (id) => request('DELETE', `/admin/users/${enc(id)}/sessions`),
    endUserSession: (id, sessionId) => request('DELETE', `/admin/users/${enc(id)}/sessions/${enc(sessionId)}`),
    revokeUserToken: (id, tokenId) => request('DELETE', `/admin/users/${enc(id)}/tokens/${enc(tokenId)}`),
    // Directory, groups and group rules
    getDirectory: () => request('GET', '/admin/directory'),
    syncDirectory: (dryRun) => request('POST', '/admin/directory/sync', { body: { dryRun: Boolean(dryRun) } }),
    listGroups: (q) => request('GET', '/admin/groups', { query: { q } }),
    listGroupRules: () => request('GET', '/admin/group-rules'),
    previewGroupRule: (rule) => request('POST', '/admin/group-rules/preview', { body: rule }),
    createGroupRule: (rule) => request('POST', '/admin/group-rules', { body: rule }),
    groupRuleDeletePreview: (id) => request('GET', `/admin/group-rules/${enc(id)}/delete-preview`),
    deleteGroupRule: (id) => request('DELETE', `/admin/group-rules/${enc(id)}`),
    // Audit log and mail
    listAudit: (query) => request('GET', '/admin/audit', { query }),
    /** Sends a test mail to the administrator's own address, in `language` ('sv' | 'en'). */
    sendTestMail: (language) => request('POST', '/admin/mail/test', { body: language ? { language } : {} }),
  };
}

/**
 * Codes whose own translation says all there is to say (the server's `detail` adds nothing a
 * person can act on, or is a browser's internal message): for these the detail is not shown.
 */
const SELF_EXPLAINING = new Set(['network', 'unauthenticated', 'invalid-credentials', 'account-locked',
  'too-many-attempts', 'csrf-failed', 'account-disabled', 'invitation-invalid', 'reset-invalid', 'disconnected']);

/**
 * The server's own reason for an error (problem+json `detail`, or a live error's message),
 * or '' when there is none worth showing: "make someone else owner first" tells a person
 * what to do where "det krockar med befintliga uppgifter" does not.
 */
export function errorReason(err) {
  if (!err || typeof err !== 'object' || SELF_EXPLAINING.has(err.code)) return '';
  const text = err.detail || (err.name === 'LiveError' && err.message !== err.code ? err.message : '');
  const reason = String(text ?? '').trim();
  return reason && reason !== err.title ? reason : '';
}

/**
 * The text to show for an error: the translation of `error.<code>` when there is one (else a
 * generic message), followed by the server's reason when it gave one (`error.reason`).
 */
export function errorMessage(err, t) {
  const code = err?.code;
  const reason = errorReason(err);
  const known = code && t.has(`error.${code}`);
  if (!known && reason) return reason;
  const message = known ? t(`error.${code}`) : t('error.unknown');
  return reason ? `${message} ${t('error.reason', { reason })}` : message;
}
