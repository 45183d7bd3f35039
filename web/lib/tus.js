// A tus 1.0.0 resumable-upload client (https://tus.io/protocols/resumable-upload) for
// /api/v1/uploads: creation (POST with Upload-Length and Upload-Metadata), PATCH in chunks
// with Upload-Offset, and after a lost connection or a server hiccup HEAD to learn where the
// server is, then resume from there with back-off. The final PATCH answers with the new
// document's id and version (Communis-Document-Id / Communis-Document-Version).
//
// The transport (one HTTP request with upload progress) and the timers are injected, so the
// decisions — metadata, chunk plan, what to do after which answer — run under `node --test`.
// In the browser the transport is an XMLHttpRequest: fetch() reports no upload progress.
import { problemToError, ApiError } from './api.js';

export const TUS_VERSION = '1.0.0';
/** 5 MiB: big enough that a request's overhead is nothing, small enough that a lost chunk costs little. */
export const DEFAULT_CHUNK_BYTES = 5 * 1024 * 1024;
/** Waits before the 1st, 2nd, … retry (ms); after the last one the upload fails. ~1 minute in all. */
export const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000, 20_000];
export const UPLOADS_PATH = '/api/v1/uploads';
/**
 * A PATCH refused as too large (413) is a limit on one request between us and the server (a
 * reverse proxy's body limit, often 1 MB), not on the file, which the POST accepted: the
 * chunk is halved and sent again, down to this size.
 */
export const MIN_CHUNK_BYTES = 256 * 1024;

/** The next chunk size after a PATCH was refused as too large, or null when it cannot shrink. */
export function smallerChunk(bytes, min = MIN_CHUNK_BYTES) {
  const next = Math.floor(bytes / 2);
  return next >= min ? next : null;
}

/** Base64 of a string's UTF-8 bytes (tus metadata values are base64, names are not). */
export function base64Utf8(text) {
  const bytes = new TextEncoder().encode(String(text));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * `Upload-Metadata` for an object: "key base64,key base64". Keys must be ASCII without spaces
 * or commas (the protocol's rule); empty, null and undefined values are left out.
 */
export function encodeMetadata(pairs) {
  const parts = [];
  for (const [key, value] of Object.entries(pairs ?? {})) {
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(key)) throw new Error(`invalid tus metadata key ${JSON.stringify(key)}`);
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${key} ${base64Utf8(value)}`);
  }
  return parts.join(',');
}

/** The byte range of the chunk to send from `offset`, or null when all `size` bytes are sent. */
export function nextChunk(offset, size, chunkBytes = DEFAULT_CHUNK_BYTES) {
  if (!(offset >= 0) || offset >= size) return null;
  return { start: offset, end: Math.min(size, offset + Math.max(1, chunkBytes)) };
}

/** The whole plan from `offset`: every chunk's range (for tests and progress estimates). */
export function planChunks(size, offset = 0, chunkBytes = DEFAULT_CHUNK_BYTES) {
  const chunks = [];
  for (let c = nextChunk(offset, size, chunkBytes); c; c = nextChunk(c.end, size, chunkBytes)) chunks.push(c);
  return chunks;
}

/** Wait before retry number `attempt` (1-based), or null when no retry is left. */
export function retryDelay(attempt, delays = RETRY_DELAYS_MS) {
  return attempt >= 1 && attempt <= delays.length ? delays[attempt - 1] : null;
}

/**
 * What a failed request means for the upload:
 *  - 'retry': the connection or the server failed for a moment (status 0 = no answer, 5xx
 *    other than 507, 429, 408): ask the server's offset (HEAD) and resume after a wait;
 *  - 'resync': the server has another offset than we thought (409): HEAD and go on at once;
 *  - 'fatal': the server refused (too large 413, locked 423, disk full 507, no permission,
 *    gone 404/410, invalid 4xx): tell the person.
 */
export function classifyFailure(status) {
  if (status === 409) return 'resync';
  if (status === 0 || status === 408 || status === 429) return 'retry';
  if (status >= 500 && status !== 507 && status !== 501) return 'retry';
  return 'fatal';
}

/** What a HEAD answer means: resume at its offset, the upload is gone, or retry the HEAD. */
export function resumeDecision(status, offsetHeader, size) {
  if (status === 404 || status === 410 || status === 403) return { action: 'gone' };
  if (status !== 200 && status !== 204) return { action: classifyFailure(status) === 'fatal' ? 'gone' : 'retry' };
  const offset = Number(offsetHeader);
  if (!Number.isInteger(offset) || offset < 0 || offset > size) return { action: 'retry' };
  return { action: offset === size ? 'complete' : 'resume', offset };
}

/**
 * What identifies "the same upload" after a reload (to resume it rather than start again):
 * the file's name, size and modification time and where it goes (workspace, folder or document).
 */
export function fingerprint(file, metadata = {}) {
  return ['tus', file?.name ?? '', file?.size ?? 0, file?.lastModified ?? 0,
    metadata.workspace ?? '', metadata.folder ?? '', metadata.document ?? ''].join('|');
}

/** Progress as a whole percentage, 0–100 (an empty file is done at once). */
export function percent(sent, size) {
  if (!(size > 0)) return 100;
  return Math.max(0, Math.min(100, Math.floor((sent / size) * 100)));
}

/** The upload URL from a Location header, absolute or relative to the endpoint. */
export function resolveLocation(location, endpoint, base = globalThis.location?.href ?? 'http://localhost/') {
  if (!location) return null;
  const url = new URL(location, new URL(endpoint, base));
  // Same origin: keep it a path, so the session cookie and the CSRF check apply as everywhere.
  return url.origin === new URL(base).origin ? url.pathname + url.search : url.href;
}

function headerGetter(headers) {
  if (!headers) return () => null;
  if (typeof headers.get === 'function') return (name) => headers.get(name);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower[name.toLowerCase()] ?? null;
}

function failureError(res) {
  let body = null;
  try { body = res.body ? JSON.parse(res.body) : null; } catch { body = null; }
  const err = problemToError(res.status, body, headerGetter(res.headers)('Retry-After'));
  if (body && typeof body === 'object') {
    // 423 names who holds the lock and until when; 413 how much is allowed.
    err.holder = body.holder ?? null;
    err.expiresAt = body.expiresAt ?? null;
    err.maxBytes = body.maxBytes ?? body.limit ?? null;
  }
  return err;
}

/**
 * The browser transport: one request by XMLHttpRequest, with upload progress. Resolves with
 * `{status, headers: {get}, body}`; a network failure resolves with status 0 (never rejects,
 * except with an AbortError when `signal` aborts).
 */
export function xhrTransport({ method, url, headers = {}, body = null, onUploadProgress, signal }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onUploadProgress && xhr.upload) xhr.upload.onprogress = (e) => onUploadProgress(e.loaded);
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const done = (status) => {
      signal?.removeEventListener('abort', abort);
      resolve({ status, headers: { get: (n) => (status ? xhr.getResponseHeader(n) : null) }, body: status ? xhr.responseText : '' });
    };
    xhr.onload = () => done(xhr.status);
    xhr.onerror = () => done(0);
    xhr.ontimeout = () => done(0);
    xhr.onabort = () => {
      signal?.removeEventListener('abort', abort);
      reject(new DOMException('aborted', 'AbortError'));
    };
    xhr.send(body);
  });
}

/**
 * One file's upload. `file` is a Blob/File (`size`, `slice()`); `metadata` the tus metadata
 * (filename, workspace, folder or document, comment, filetype). `onProgress({sent, size,
 * percent, state})` reports bytes the server has plus bytes of the chunk in flight, and
 * the state: 'creating' | 'uploading' | 'waiting' (a retry after a failure) | 'done'.
 * `start()` resolves with `{documentId, version, uploadUrl}` or rejects with an ApiError
 * (or an AbortError after `abort()`).
 */
export function createTusUpload(file, {
  endpoint = UPLOADS_PATH, metadata = {}, chunkBytes = DEFAULT_CHUNK_BYTES, getCsrfToken = () => null,
  onProgress = () => {}, transport = xhrTransport, sleep = (ms) => new Promise((r) => { setTimeout(r, ms); }),
  delays = RETRY_DELAYS_MS, uploadUrl = null, minChunkBytes = MIN_CHUNK_BYTES,
} = {}) {
  const size = file.size;
  let chunkSize = chunkBytes;
  const controller = new AbortController();
  let url = uploadUrl;
  let offset = 0;
  let aborted = false;

  function headers(extra = {}) {
    const h = { 'Tus-Resumable': TUS_VERSION, ...extra };
    const csrf = getCsrfToken();
    if (csrf) h['X-CSRF-Token'] = csrf;
    return h;
  }

  function report(sent, state) {
    onProgress({ sent, size, percent: percent(sent, size), state });
  }

  async function send(req) {
    if (aborted) throw new DOMException('aborted', 'AbortError');
    return transport({ ...req, signal: controller.signal });
  }

  async function create() {
    report(0, 'creating');
    const res = await send({ method: 'POST', url: endpoint, headers: headers({
      'Upload-Length': String(size), 'Upload-Metadata': encodeMetadata(metadata) }) });
    if (res.status !== 201) throw res.status === 0 ? new ApiError({ status: 0, code: 'network' }) : failureError(res);
    url = resolveLocation(headerGetter(res.headers)('Location'), endpoint);
    if (!url) throw new ApiError({ status: res.status, code: 'unknown', detail: 'no Location' });
    // An empty file is complete at creation: the POST's answer names the document then.
    offset = Math.max(0, Math.min(size, Number(headerGetter(res.headers)('Upload-Offset')) || 0));
    return res;
  }

  /** The upload's state from the server (`GET uploads/{id}`), to learn the document of a finished upload. */
  async function status() {
    const res = await send({ method: 'GET', url, headers: headers({ Accept: 'application/json' }) });
    if (res.status !== 200) return null;
    try { return JSON.parse(res.body); } catch { return null; }
  }

  async function finished(res) {
    const get = headerGetter(res?.headers);
    let documentId = get('Communis-Document-Id');
    let version = Number(get('Communis-Document-Version')) || null;
    if (!documentId) {
      // The last answer was lost: the server has every byte; ask it what became of them.
      for (let i = 0; i < 5 && !documentId; i++) {
        const s = await status();
        documentId = s?.document?.id ?? s?.documentId ?? (typeof s?.document === 'string' ? s.document : null);
        version = s?.document?.version ?? s?.version ?? version;
        if (!documentId) await sleep(500);
      }
    }
    report(size, 'done');
    return { documentId, version, uploadUrl: url };
  }

  async function head() {
    const res = await send({ method: 'HEAD', url, headers: headers() });
    return resumeDecision(res.status, headerGetter(res.headers)('Upload-Offset'), size);
  }

  async function run() {
    let last = null;
    if (!url) last = await create();
    else {
      const d = await head();
      if (d.action === 'gone') await create();
      else if (d.action === 'resume' || d.action === 'complete') offset = d.offset;
    }
    let attempt = 0;
    for (;;) {
      const chunk = nextChunk(offset, size, chunkSize);
      if (!chunk) {
        if (size === 0 && !headerGetter(last?.headers)('Communis-Document-Id')) {
          // An empty file: one PATCH with no bytes completes it (tus allows Upload-Length 0).
          last = await send({ method: 'PATCH', url, body: new Blob([]), headers: headers({
            'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }) });
          if (last.status !== 204 && last.status !== 200) throw failureError(last);
        }
        return finished(last);
      }
      report(offset, 'uploading');
      const res = await send({
        method: 'PATCH', url, body: file.slice(chunk.start, chunk.end),
        headers: headers({ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }),
        onUploadProgress: (loaded) => report(Math.min(chunk.end, offset + loaded), 'uploading'),
      });
      if (res.status === 204 || res.status === 200) {
        const next = Number(headerGetter(res.headers)('Upload-Offset'));
        offset = Number.isInteger(next) && next > offset ? next : chunk.end;
        last = res;
        attempt = 0;
        report(offset, 'uploading');
        continue;
      }
      const smaller = res.status === 413 ? smallerChunk(Math.min(chunkSize, chunk.end - chunk.start), minChunkBytes) : null;
      if (smaller) { chunkSize = smaller; continue; }
      const kind = classifyFailure(res.status);
      if (kind === 'fatal') throw failureError(res);
      // 'retry' or 'resync': learn the server's offset, with back-off, then go on from there.
      for (;;) {
        attempt += 1;
        const wait = kind === 'resync' && attempt === 1 ? 0 : retryDelay(attempt, delays);
        if (wait === null) throw res.status === 0 ? new ApiError({ status: 0, code: 'network' }) : failureError(res);
        report(offset, 'waiting');
        await sleep(wait);
        if (aborted) throw new DOMException('aborted', 'AbortError');
        const d = await head();
        if (d.action === 'retry') continue;
        if (d.action === 'gone') throw new ApiError({ status: 410, code: 'upload-gone' });
        offset = d.offset;
        if (d.action === 'complete') return finished(null);
        break;
      }
    }
  }

  return {
    get url() { return url; },
    get offset() { return offset; },
    start: run,
    /** Stops the upload and asks the server to forget it (termination), best effort. */
    async abort() {
      aborted = true;
      controller.abort();
      if (url) {
        try { await transport({ method: 'DELETE', url, headers: headers() }); } catch { /* it expires anyway */ }
      }
    },
  };
}
