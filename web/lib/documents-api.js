// The documents part of the HTTP API (docs/openapi.yaml, "Documents"), on top of the app's
// client (`api.request`). Kept out of api.js so that only the documents views (lazy chunks)
// and the link cards carry it.
const enc = encodeURIComponent;
/** The server's largest page (PageRequest.maxLimit). */
export const PAGE_LIMIT = 100;

/** Document API methods over `api.request(method, path, {body, query})`. */
export function documentsApi(api) {
  const request = api.request;
  return {
    library: (workspaceId, { folder, limit = PAGE_LIMIT, offset } = {}) =>
      request('GET', `/workspaces/${enc(workspaceId)}/documents`, { query: { folder, limit, offset } }),
    trash: (workspaceId, query = {}) => request('GET', `/workspaces/${enc(workspaceId)}/documents/trash`, { query: { limit: PAGE_LIMIT, ...query } }),
    folders: (workspaceId) => request('GET', `/workspaces/${enc(workspaceId)}/folders`),
    createFolder: (workspaceId, name, parentId = null) =>
      request('POST', `/workspaces/${enc(workspaceId)}/folders`, { body: parentId ? { name, parentId } : { name } }),
    updateFolder: (id, changes) => request('PATCH', `/folders/${enc(id)}`, { body: changes }),
    deleteFolder: (id) => request('DELETE', `/folders/${enc(id)}`),
    byIds: (ids) => request('GET', '/documents', { query: { ids: ids.join(',') } }),
    get: (id) => request('GET', `/documents/${enc(id)}`),
    update: (id, changes) => request('PATCH', `/documents/${enc(id)}`, { body: changes }),
    trashDocument: (id) => request('DELETE', `/documents/${enc(id)}`),
    restore: (id) => request('POST', `/documents/${enc(id)}/restore`),
    versions: (id) => request('GET', `/documents/${enc(id)}/versions`),
    restoreVersion: (id, number, comment) =>
      request('POST', `/documents/${enc(id)}/versions/${enc(number)}/restore`, { body: comment ? { comment } : {} }),
    approve: (id, version) => request('PUT', `/documents/${enc(id)}/approval`, { body: { version } }),
    removeApproval: (id) => request('DELETE', `/documents/${enc(id)}/approval`),
    compare: (id, from, to) => request('GET', `/documents/${enc(id)}/compare`, { query: { from, to } }),
    lock: (id, minutes) => request('POST', `/documents/${enc(id)}/lock`, { body: minutes ? { minutes } : {} }),
    unlock: (id) => request('DELETE', `/documents/${enc(id)}/lock`),
    links: (id) => request('GET', `/documents/${enc(id)}/links`),
  };
}

/** The URL of a document's bytes: a version ('approved' or a number) and/or as a download. */
export function contentUrl(doc, { version = null, download = false } = {}) {
  const base = doc.contentUrl ?? `/api/v1/documents/${enc(doc.id)}/content`;
  const q = new URLSearchParams();
  if (version !== null && version !== undefined) q.set('version', String(version));
  if (download) q.set('download', '1');
  const qs = q.toString();
  return qs ? `${base}?${qs}` : base;
}

/** The URL of a preview page (1-based) of a version. */
export function previewUrl(id, page = 1, version = null) {
  const q = new URLSearchParams({ page: String(page) });
  if (version !== null && version !== undefined) q.set('version', String(version));
  return `/api/v1/documents/${enc(id)}/preview?${q}`;
}
