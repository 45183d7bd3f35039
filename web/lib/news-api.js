// The news and organisations part of the HTTP API (docs/openapi.yaml, "News"), on top of the
// app's client (`api.request`). Kept out of api.js like documents-api.js: only the news views
// and the start page's news section carry it.
import { buildRequest, parseResponse, ApiError } from './api.js';

const enc = encodeURIComponent;
/** Image types the server takes for a news image (png, jpeg, webp). */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/**
 * News API methods over `api.request(method, path, {body, query})`. `getCsrfToken` and
 * `fetchImpl` are for the image upload, the one request whose body is not JSON.
 */
export function newsApi(api, { getCsrfToken = () => null, fetchImpl = globalThis.fetch?.bind(globalThis) } = {}) {
  const request = api.request;
  return {
    // Organisations (the municipality and its companies)
    organisations: () => request('GET', '/organisations'),
    createOrganisation: (name) => request('POST', '/admin/organisations', { body: { name } }),
    /** `organisationId` null puts the person in the main organisation. */
    setPersonOrganisation: (personId, organisationId) =>
      request('PUT', `/admin/people/${enc(personId)}/organisation`, { body: { organisationId: organisationId ?? null } }),
    // Editors
    editors: () => request('GET', '/admin/news-editors'),
    addEditor: (personId) => request('PUT', `/admin/news-editors/${enc(personId)}`),
    removeEditor: (personId) => request('DELETE', `/admin/news-editors/${enc(personId)}`),
    // News
    /** `{limit, offset, tag, q, organisationId, state}` → `{items, total, limit, offset}`. */
    list: (query = {}) => request('GET', '/news', { query }),
    create: (input) => request('POST', '/news', { body: input }),
    get: (id) => request('GET', `/news/${enc(id)}`),
    /** `material` true makes a new revision: acknowledgements start over. */
    update: (id, input, material = false) => request('PUT', `/news/${enc(id)}`, { body: { ...input, material: Boolean(material) } }),
    remove: (id) => request('DELETE', `/news/${enc(id)}`),
    revisions: (id) => request('GET', `/news/${enc(id)}/revisions`),
    acknowledge: (id) => request('POST', `/news/${enc(id)}/acknowledgement`),
    acknowledgements: (id) => request('GET', `/news/${enc(id)}/acknowledgements`),
    remind: (id) => request('POST', `/news/${enc(id)}/reminders`),
    comments: (id, query = {}) => request('GET', `/news/${enc(id)}/comments`, { query }),
    comment: (id, body) => request('POST', `/news/${enc(id)}/comments`, { body: { body } }),
    deleteComment: (id, commentId) => request('DELETE', `/news/${enc(id)}/comments/${enc(commentId)}`),
    /** Adds (PUT) or removes (DELETE) my reaction. */
    react: (id, emoji, add) => request(add ? 'PUT' : 'DELETE', `/news/${enc(id)}/reactions/${enc(emoji)}`),
    /** Sends an image file (a Blob/File) as the raw request body with its own type. */
    async uploadImage(id, file) {
      const { url, init } = buildRequest('POST', `/news/${enc(id)}/image`, { csrfToken: getCsrfToken() });
      init.headers['Content-Type'] = file.type || 'application/octet-stream';
      init.body = file;
      let res;
      try {
        res = await fetchImpl(url, init);
      } catch (cause) {
        throw new ApiError({ status: 0, code: 'network', detail: String(cause?.message ?? cause) });
      }
      return parseResponse(res);
    },
  };
}

/** The Atom feed's address: public items without a token, everything the token's person may see with one. */
export function newsFeedUrl({ organisationId, tag, token } = {}) {
  const q = new URLSearchParams();
  if (organisationId) q.set('organisationId', organisationId);
  if (tag) q.set('tag', tag);
  if (token) q.set('token', token);
  const qs = q.toString();
  return `/feeds/news.atom${qs ? `?${qs}` : ''}`;
}
