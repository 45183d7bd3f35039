import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeMetadata, base64Utf8, nextChunk, planChunks, retryDelay, classifyFailure, resumeDecision, percent,
  resolveLocation, createTusUpload, TUS_VERSION,
} from '../lib/tus.js';

const fromB64 = (s) => new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));

test('metadata is key + base64 of UTF-8 pairs, empty values left out', () => {
  const m = encodeMetadata({ filename: 'Protokoll åäö.docx', workspace: 'w1', folder: null, comment: '' });
  const pairs = m.split(',').map((p) => p.split(' '));
  assert.deepEqual(pairs.map(([k]) => k), ['filename', 'workspace']);
  assert.equal(fromB64(pairs[0][1]), 'Protokoll åäö.docx');
  assert.equal(base64Utf8('w1'), 'dzE=');
  assert.throws(() => encodeMetadata({ 'bad key': 'x' }));
  assert.throws(() => encodeMetadata({ 'a,b': 'x' }));
});

test('chunks cover the file from the offset, the last one shorter', () => {
  assert.deepEqual(planChunks(12, 0, 5), [{ start: 0, end: 5 }, { start: 5, end: 10 }, { start: 10, end: 12 }]);
  assert.deepEqual(planChunks(12, 7, 5), [{ start: 7, end: 12 }]);
  assert.equal(nextChunk(12, 12, 5), null);
  assert.deepEqual(planChunks(0, 0, 5), []);
});

test('failures: lost connection and 5xx retry, 409 resyncs, refusals are final', () => {
  for (const s of [0, 500, 502, 503, 504, 408, 429]) assert.equal(classifyFailure(s), 'retry', String(s));
  assert.equal(classifyFailure(409), 'resync');
  for (const s of [400, 403, 404, 410, 413, 415, 423, 507]) assert.equal(classifyFailure(s), 'fatal', String(s));
});

test('back-off grows and ends', () => {
  assert.equal(retryDelay(1), 0);
  assert.ok(retryDelay(3) > retryDelay(2));
  assert.equal(retryDelay(100), null);
  assert.equal(retryDelay(0), null);
});

test('a HEAD answer says where to resume, that the upload is gone, or to try again', () => {
  assert.deepEqual(resumeDecision(200, '5', 12), { action: 'resume', offset: 5 });
  assert.deepEqual(resumeDecision(200, '12', 12), { action: 'complete', offset: 12 });
  assert.deepEqual(resumeDecision(404, null, 12), { action: 'gone' });
  assert.deepEqual(resumeDecision(0, null, 12), { action: 'retry' });
  assert.deepEqual(resumeDecision(200, 'x', 12), { action: 'retry' });
  assert.deepEqual(resumeDecision(200, '13', 12), { action: 'retry' });
});

test('percent and the upload URL from Location', () => {
  assert.equal(percent(0, 0), 100);
  assert.equal(percent(1, 3), 33);
  assert.equal(resolveLocation('/api/v1/uploads/abc', '/api/v1/uploads', 'http://h:1/'), '/api/v1/uploads/abc');
  assert.equal(resolveLocation('http://h:1/api/v1/uploads/abc', '/api/v1/uploads', 'http://h:1/'), '/api/v1/uploads/abc');
  assert.equal(resolveLocation('abc', '/api/v1/uploads/', 'http://h:1/x'), '/api/v1/uploads/abc');
});

/** A tus server in memory, with scripted failures: `fail(n)` returns a status for request n or null. */
function fakeServer({ fail = () => null, commit = { id: 'd1', version: 1 } } = {}) {
  const log = [];
  let offset = 0;
  let length = 0;
  let n = 0;
  const headers = (h) => ({ get: (k) => h[k.toLowerCase()] ?? null });
  async function transport({ method, url, headers: hs, body, onUploadProgress }) {
    n += 1;
    log.push({ method, url, headers: hs, size: body?.size });
    const forced = fail(n, method);
    if (forced !== null && forced !== undefined) {
      if (forced === 0 && method === 'PATCH' && body) {
        // The connection breaks after half the chunk reached the server.
        offset += Math.floor(body.size / 2);
      }
      return { status: forced, headers: headers({}), body: forced === 423 ? JSON.stringify({ code: 'locked', holder: { id: 'p', name: 'Erik' }, expiresAt: '2026-12-07T13:30:00Z' }) : '' };
    }
    if (method === 'POST') { length = Number(hs['Upload-Length']); return { status: 201, headers: headers({ location: '/api/v1/uploads/u1' }), body: '' }; }
    if (method === 'HEAD') return { status: 200, headers: headers({ 'upload-offset': String(offset) }), body: '' };
    if (method === 'PATCH') {
      if (Number(hs['Upload-Offset']) !== offset) return { status: 409, headers: headers({}), body: '' };
      onUploadProgress?.(body.size);
      offset += body.size;
      const h = { 'upload-offset': String(offset) };
      if (offset === length) Object.assign(h, { 'communis-document-id': commit.id, 'communis-document-version': String(commit.version) });
      return { status: 204, headers: headers(h), body: '' };
    }
    if (method === 'GET') return { status: 200, headers: headers({}), body: JSON.stringify({ offset, length, complete: offset === length, document: { id: commit.id, version: commit.version } }) };
    if (method === 'DELETE') return { status: 204, headers: headers({}), body: '' };
    return { status: 405, headers: headers({}), body: '' };
  }
  return { transport, log, get offset() { return offset; } };
}

const file = (size) => new Blob([new Uint8Array(size).fill(7)]);
const noSleep = async () => {};

test('an upload creates, sends every chunk with the CSRF header and ends with the document', async () => {
  const srv = fakeServer();
  const seen = [];
  const up = createTusUpload(file(12), { chunkBytes: 5, transport: srv.transport, sleep: noSleep, getCsrfToken: () => 'tok',
    metadata: { filename: 'a.txt', workspace: 'w1' }, onProgress: (p) => seen.push(p.percent) });
  const res = await up.start();
  assert.deepEqual(res, { documentId: 'd1', version: 1, uploadUrl: '/api/v1/uploads/u1' });
  assert.deepEqual(srv.log.map((l) => l.method), ['POST', 'PATCH', 'PATCH', 'PATCH']);
  const post = srv.log[0];
  assert.equal(post.headers['Tus-Resumable'], TUS_VERSION);
  assert.equal(post.headers['Upload-Length'], '12');
  assert.equal(post.headers['X-CSRF-Token'], 'tok');
  const patch = srv.log[2];
  assert.equal(patch.headers['Upload-Offset'], '5');
  assert.equal(patch.headers['Content-Type'], 'application/offset+octet-stream');
  assert.equal(seen.at(-1), 100);
  assert.ok(seen.includes(41) || seen.includes(83));
});

test('a lost connection mid-chunk: HEAD, then resume from the server\'s offset', async () => {
  const srv = fakeServer({ fail: (n) => (n === 3 ? 0 : null) });
  const waits = [];
  const up = createTusUpload(file(12), { chunkBytes: 5, transport: srv.transport, sleep: async (ms) => { waits.push(ms); } });
  const res = await up.start();
  assert.equal(res.documentId, 'd1');
  const methods = srv.log.map((l) => l.method);
  assert.deepEqual(methods, ['POST', 'PATCH', 'PATCH', 'HEAD', 'PATCH']);
  // The server had 5 + 2 bytes: the next PATCH starts at 7.
  assert.equal(srv.log[4].headers['Upload-Offset'], '7');
  assert.equal(waits.length, 1);
});

test('repeated failures back off, and give up after the last retry', async () => {
  const srv = fakeServer({ fail: (n, m) => (m === 'PATCH' || m === 'HEAD' ? 503 : null) });
  const waits = [];
  const up = createTusUpload(file(3), { chunkBytes: 5, transport: srv.transport, sleep: async (ms) => { waits.push(ms); }, delays: [0, 10, 20] });
  await assert.rejects(up.start(), (err) => err.status === 503);
  assert.deepEqual(waits, [0, 10, 20]);
});

test('a refusal is final and carries the lock holder', async () => {
  const srv = fakeServer({ fail: (n, m) => (m === 'POST' ? 423 : null) });
  const up = createTusUpload(file(3), { transport: srv.transport, sleep: noSleep });
  await assert.rejects(up.start(), (err) => err.status === 423 && err.holder.name === 'Erik' && Boolean(err.expiresAt));
});

test('409 at PATCH resyncs with HEAD at once', async () => {
  let first = true;
  const srv = fakeServer({ fail: (n, m) => { if (m === 'PATCH' && first) { first = false; return 409; } return null; } });
  const waits = [];
  const up = createTusUpload(file(4), { chunkBytes: 5, transport: srv.transport, sleep: async (ms) => { waits.push(ms); } });
  await up.start();
  assert.deepEqual(srv.log.map((l) => l.method), ['POST', 'PATCH', 'HEAD', 'PATCH']);
  assert.deepEqual(waits, [0]);
});

test('when the final answer is lost the upload asks the server which document it became', async () => {
  const srv = fakeServer({ fail: (n, m) => (n === 2 && m === 'PATCH' ? 0 : null) });
  // The failing PATCH delivered half: resumes, finishes; but make the last PATCH "lost" after all bytes arrive.
  const res = await createTusUpload(file(2), { chunkBytes: 5, transport: srv.transport, sleep: noSleep }).start();
  assert.equal(res.documentId, 'd1');
});

test('an existing upload URL resumes with HEAD instead of creating', async () => {
  const srv = fakeServer();
  await createTusUpload(file(6), { chunkBytes: 5, transport: srv.transport, sleep: noSleep, uploadUrl: '/api/v1/uploads/u1' }).start();
  assert.equal(srv.log[0].method, 'HEAD');
});

test('abort terminates the upload on the server', async () => {
  const srv = fakeServer();
  const up = createTusUpload(file(6), { chunkBytes: 5, transport: srv.transport, sleep: noSleep });
  await up.start();
  await up.abort();
  assert.equal(srv.log.at(-1).method, 'DELETE');
});

test('a PATCH refused as too large is sent again in halves (a proxy\'s body limit)', async () => {
  const { smallerChunk } = await import('../lib/tus.js');
  assert.equal(smallerChunk(5 * 1024 * 1024), 2.5 * 1024 * 1024);
  assert.equal(smallerChunk(300 * 1024), null);
  const srv = fakeServer();
  const sizes = [];
  const transport = async (req) => {
    if (req.method === 'PATCH') sizes.push(req.body.size);
    return req.method === 'PATCH' && req.body.size > 3 ? { status: 413, headers: { get: () => null }, body: '' } : srv.transport(req);
  };
  const res = await createTusUpload(file(10), { chunkBytes: 8, minChunkBytes: 2, transport, sleep: noSleep }).start();
  assert.equal(res.documentId, 'd1');
  assert.deepEqual(sizes, [8, 4, 2, 2, 2, 2, 2]);
  // Below the smallest chunk the refusal is final.
  const tiny = createTusUpload(file(10), { chunkBytes: 2, minChunkBytes: 2, sleep: noSleep,
    transport: async (req) => (req.method === 'PATCH' ? { status: 413, headers: { get: () => null }, body: '' } : fakeServer().transport(req)) });
  await assert.rejects(tiny.start(), (err) => err.status === 413);
});

test('the same file to the same place has the same fingerprint', async () => {
  const { fingerprint } = await import('../lib/tus.js');
  const f = { name: 'a.txt', size: 3, lastModified: 5 };
  assert.equal(fingerprint(f, { workspace: 'w', folder: 'f' }), fingerprint({ ...f }, { workspace: 'w', folder: 'f', comment: 'x' }));
  assert.notEqual(fingerprint(f, { workspace: 'w' }), fingerprint(f, { workspace: 'w2' }));
  assert.notEqual(fingerprint(f, { document: 'd' }), fingerprint({ ...f, size: 4 }, { document: 'd' }));
});

test('an empty file is complete at creation when the POST names the document', async () => {
  const log = [];
  const transport = async (req) => {
    log.push(req.method);
    return { status: 201, headers: { get: (k) => ({ location: '/api/v1/uploads/u0', 'upload-offset': '0', 'communis-document-id': 'd0', 'communis-document-version': '1' })[k.toLowerCase()] ?? null }, body: '' };
  };
  const res = await createTusUpload(new Blob([]), { transport, sleep: noSleep }).start();
  assert.deepEqual(res, { documentId: 'd0', version: 1, uploadUrl: '/api/v1/uploads/u0' });
  assert.deepEqual(log, ['POST']);
});
