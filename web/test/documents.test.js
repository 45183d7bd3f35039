import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSize, fileKind, iconText, desktopOpenUrl, davRootUrl, documentLinkTarget, parseVersion, documentHash, documentMarkdownLink,
  escapeLinkText, insertSnippet, uniqueIds, idBatches, lockState, pickVersion, sortVersions, compareRows, uploadProblem,
  libraryState, applyLibraryEvent, mergeDocument, folderTree, isDocumentEvent,
} from '../lib/documents.js';
import { parseHash } from '../lib/router.js';
import { renderMarkdown } from '../lib/markdown.js';

const ID = '3f2b8c1e-1111-4a2b-9c3d-0123456789ab';

test('sizes in binary units with the reader\'s decimal sign', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(980), '980 B');
  assert.equal(formatSize(12 * 1024), '12 kB');
  assert.equal(formatSize(1.44 * 1024 * 1024, 'sv'), '1,4 MB');
  assert.equal(formatSize(1.44 * 1024 * 1024, 'en'), '1.4 MB');
  assert.equal(formatSize(2 * 1024 ** 3), '2,0 GB');
  assert.equal(formatSize(-1), '');
  assert.equal(formatSize('x'), '');
});

test('a file\'s kind from its extension first, then its media type', () => {
  assert.equal(fileKind('application/zip', 'Protokoll.docx'), 'word');
  assert.equal(fileKind('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'x'), 'excel');
  assert.equal(fileKind('application/pdf', ''), 'pdf');
  assert.equal(fileKind('application/vnd.oasis.opendocument.text', 'a'), 'odt');
  assert.equal(fileKind('image/png', 'bild'), 'image');
  assert.equal(fileKind('application/octet-stream', 'data.bin'), 'other');
  assert.equal(iconText('application/pdf', 'a.PDF'), 'PDF');
  assert.equal(iconText('application/pdf', 'noext'), 'PDF');
  assert.equal(iconText('', 'x'), 'FIL');
});

test('desktop programs open Word, Excel and PowerPoint files and OpenDocument over WebDAV', () => {
  const doc = (fileName) => ({ davUrl: '/dav/w1/Möten/Protokoll 1.docx', current: { fileName } });
  assert.deepEqual(desktopOpenUrl(doc('Protokoll 1.docx'), 'https://communis.example'),
    { program: 'word', href: 'ms-word:ofe|u|https://communis.example/dav/w1/M%C3%B6ten/Protokoll%201.docx' });
  assert.match(desktopOpenUrl(doc('b.xlsx'), 'https://c').href, /^ms-excel:ofe\|u\|https:\/\/c\/dav\//);
  assert.match(desktopOpenUrl(doc('b.pptx'), 'https://c').href, /^ms-powerpoint:ofe\|u\|/);
  assert.deepEqual(desktopOpenUrl(doc('b.odt'), 'https://c').program, 'libreoffice');
  assert.match(desktopOpenUrl(doc('b.ods'), 'https://c').href, /^vnd\.libreoffice\.command:ofv\|u\|https:/);
  assert.equal(desktopOpenUrl(doc('b.pdf'), 'https://c'), null);
  assert.equal(desktopOpenUrl({ current: { fileName: 'a.docx' } }, 'https://c'), null);
});

test('links to documents: the hash, a version, or a full URL of this server', () => {
  assert.deepEqual(documentLinkTarget(`#/documents/${ID}`), { id: ID, version: null });
  assert.deepEqual(documentLinkTarget(`#/documents/${ID}?version=approved`), { id: ID, version: 'approved' });
  assert.deepEqual(documentLinkTarget(`#/documents/${ID}?version=3`), { id: ID, version: 3 });
  assert.deepEqual(documentLinkTarget(`https://c.example/#/documents/${ID.toUpperCase()}`, 'https://c.example'), { id: ID, version: null });
  assert.equal(documentLinkTarget(`https://evil.example/#/documents/${ID}`, 'https://c.example'), null);
  assert.equal(documentLinkTarget('#/documents/not-a-uuid'), null);
  assert.equal(documentLinkTarget(`#/documents/${ID}/x`), null);
  assert.equal(parseVersion('0'), null);
  assert.equal(parseVersion('2'), 2);
  assert.equal(documentHash(ID), `#/documents/${ID}`);
  assert.equal(documentHash(ID, 'approved'), `#/documents/${ID}?version=approved`);
  const route = parseHash(documentHash(ID, 2));
  assert.equal(route.name, 'document');
  assert.equal(route.params.id, ID);
  assert.equal(route.query.version, '2');
  assert.equal(parseHash(`#/workspaces/w1/documents?folder=f1`).name, 'workspaceDocuments');
});

test('the Markdown link renders as an internal link the card code recognises', () => {
  const md = documentMarkdownLink({ id: ID, title: 'Budget [utkast] *2027*' });
  assert.equal(md, `[Budget \\[utkast\\] \\*2027\\*](#/documents/${ID})`);
  const html = renderMarkdown(`Se ${md}.`);
  assert.match(html, new RegExp(`<a href="#/documents/${ID}">Budget \\[utkast\\] \\*2027\\*</a>`));
  const approved = renderMarkdown(documentMarkdownLink({ id: ID, title: 'B' }, { approved: true }));
  assert.match(approved, new RegExp(`href="#/documents/${ID}\\?version=approved"`));
  assert.equal(escapeLinkText('  a\n b '), 'a b');
});

test('a snippet goes in at the caret with a space on each side when needed', () => {
  assert.deepEqual(insertSnippet('Hej', 3, 3, '[A](#x)'), { text: 'Hej [A](#x)', caret: 11 });
  assert.deepEqual(insertSnippet('', 0, 0, 'L'), { text: 'L', caret: 1 });
  assert.deepEqual(insertSnippet('ab cd', 2, 2, 'L'), { text: 'ab L cd', caret: 4 });
  assert.deepEqual(insertSnippet('abXXcd', 2, 4, 'L').text, 'ab L cd');
});

test('ids for one batch request, and batches of at most 50', () => {
  assert.deepEqual(uniqueIds([{ id: 'A' }, { id: 'a' }, { id: 'b' }, null]), ['a', 'b']);
  assert.deepEqual(idBatches([1, 2, 3], 2), [[1, 2], [3]]);
});

test('a lock: whose, until when, and gone when it ran out', () => {
  const lock = { holder: { id: 'p1', name: 'Erik' }, expiresAt: '2026-12-07T13:30:00Z' };
  const now = Date.parse('2026-12-07T12:00:00Z');
  assert.deepEqual(lockState(lock, 'p2', now), { holderName: 'Erik', holderId: 'p1', expiresAt: lock.expiresAt, mine: false });
  assert.equal(lockState(lock, 'p1', now).mine, true);
  assert.equal(lockState(lock, 'p2', Date.parse('2026-12-07T14:00:00Z')), null);
  assert.equal(lockState(null), null);
});

test('versions: current, approved or a number; newest first', () => {
  const versions = [{ number: 1, approved: true }, { number: 2 }, { number: 3 }];
  const doc = { version: 3, approved: { version: 1 } };
  assert.equal(pickVersion(versions, null, doc).number, 3);
  assert.equal(pickVersion(versions, 'approved', doc).number, 1);
  assert.equal(pickVersion(versions, 2, doc).number, 2);
  assert.equal(pickVersion(versions, 9, doc), null);
  assert.equal(pickVersion(versions, 'approved', { version: 3, approved: null }).number, 1);
  assert.deepEqual(sortVersions(versions).map((v) => v.number), [3, 2, 1]);
});

test('compare rows keep changes with context and fold long unchanged runs', () => {
  const lines = [...'abcdefgh'].map((text) => ({ kind: 'same', text }));
  lines.splice(5, 0, { kind: 'removed', text: 'X' }, { kind: 'added', text: 'Y' });
  const rows = compareRows(lines, { context: 1 });
  assert.deepEqual(rows.map((r) => r.kind), ['fold', 'same', 'removed', 'added', 'same', 'fold']);
  assert.equal(rows[0].count, 4);
  assert.equal(rows[2].sign, '−');
  assert.deepEqual(compareRows([]), []);
});

test('upload refusals become the Swedish messages\' keys', () => {
  assert.equal(uploadProblem({ status: 413, code: 'payload-too-large' }).key, 'documents.error.tooLarge');
  assert.deepEqual(uploadProblem({ status: 423, code: 'locked', holder: { name: 'Erik' }, expiresAt: 'T' }),
    { key: 'documents.error.lockedBy', params: { name: 'Erik' }, until: 'T' });
  assert.equal(uploadProblem({ status: 423, code: 'locked' }).key, 'documents.error.locked');
  assert.equal(uploadProblem({ status: 507, code: 'storage-full' }).key, 'documents.error.diskFull');
  assert.equal(uploadProblem({ status: 0, code: 'network' }).key, 'documents.error.network');
  assert.equal(uploadProblem({ name: 'AbortError' }).key, 'documents.upload.cancelled');
  assert.equal(uploadProblem({ status: 400, code: 'validation-failed' }), null);
});

const doc = (id, title, extra = {}) => ({ id, title, folderId: null, version: 1, ...extra });

test('library events: added, versioned, moved away, deleted, folders; replay changes nothing', () => {
  let s = libraryState({ folder: null, path: [], folders: [{ id: 'f1', name: 'Protokoll', parentId: null }],
    documents: { items: [doc('d2', 'Budget', { canApprove: true })], total: 1 }, canWrite: true }, { meId: 'me' });
  const added = { type: 'document.added', data: { document: doc('d1', 'Avtal') } };
  s = applyLibraryEvent(s, added);
  assert.deepEqual(s.documents.map((d) => d.id), ['d1', 'd2']);
  assert.equal(applyLibraryEvent(s, added).documents.length, 2);
  assert.equal(s.total, 2);
  // A new version keeps what only this viewer knew (canApprove).
  s = applyLibraryEvent(s, { type: 'document.versioned', data: { document: doc('d2', 'Budget', { version: 2 }) } });
  assert.equal(s.documents[1].version, 2);
  assert.equal(s.documents[1].canApprove, true);
  // Locked by me: mine from the holder's id.
  s = applyLibraryEvent(s, { type: 'document.locked', data: { document: doc('d2', 'Budget', { lock: { holder: { id: 'me', name: 'Jag' } } }) } });
  assert.equal(s.documents[1].lock.mine, true);
  s = applyLibraryEvent(s, { type: 'document.unlocked', data: { document: doc('d2', 'Budget', { lock: null }) } });
  assert.equal(s.documents[1].lock, null);
  // Moved into a folder: gone from the top.
  s = applyLibraryEvent(s, { type: 'document.moved', data: { document: doc('d1', 'Avtal', { folderId: 'f1' }) } });
  assert.deepEqual(s.documents.map((d) => d.id), ['d2']);
  // An event about a document in another folder is not shown here.
  assert.equal(applyLibraryEvent(s, { type: 'document.versioned', data: { document: doc('d9', 'X', { folderId: 'f1' }) } }), s);
  s = applyLibraryEvent(s, { type: 'document.deleted', data: { document: doc('d2', 'Budget', { trashedAt: '2026-12-07T10:00:00Z' }) } });
  assert.deepEqual(s.documents, []);
  s = applyLibraryEvent(s, { type: 'document.restored', data: { document: doc('d2', 'Budget') } });
  assert.deepEqual(s.documents.map((d) => d.id), ['d2']);
  s = applyLibraryEvent(s, { type: 'folder.created', data: { folder: { id: 'f0', name: 'Avtal', parentId: null } } });
  assert.deepEqual(s.folders.map((f) => f.id), ['f0', 'f1']);
  s = applyLibraryEvent(s, { type: 'folder.updated', data: { folder: { id: 'f0', name: 'Avtal', parentId: 'f1' } } });
  assert.deepEqual(s.folders.map((f) => f.id), ['f1']);
  s = applyLibraryEvent(s, { type: 'folder.deleted', data: { folderId: 'f1' } });
  assert.deepEqual(s.folders, []);
  assert.equal(isDocumentEvent({ type: 'folder.created' }), true);
  assert.equal(isDocumentEvent({ type: 'post.created' }), false);
});

test('the trash view gains deleted documents and loses restored ones', () => {
  let s = libraryState({ items: [], total: 0 }, { trash: true });
  s = applyLibraryEvent(s, { type: 'document.deleted', data: { document: doc('d1', 'A') } });
  assert.deepEqual(s.documents.map((d) => d.id), ['d1']);
  assert.ok(s.documents[0].trashedAt);
  s = applyLibraryEvent(s, { type: 'document.restored', data: { document: doc('d1', 'A') } });
  assert.deepEqual(s.documents, []);
});

test('a renamed folder in the path is renamed in the breadcrumbs', () => {
  let s = libraryState({ folder: { id: 'f2', name: 'B' }, path: [{ id: 'f1', name: 'A' }, { id: 'f2', name: 'B' }], folders: [], documents: { items: [] } });
  s = applyLibraryEvent(s, { type: 'folder.updated', data: { folder: { id: 'f1', name: 'A2', parentId: null } } });
  assert.deepEqual(s.path.map((p) => p.name), ['A2', 'B']);
});

test('merging keeps my lock token and mine when the event has none', () => {
  const old = { id: 'd', lock: { holder: { id: 'me' }, mine: true, token: 't' } };
  const merged = mergeDocument(old, { id: 'd', lock: { holder: { id: 'me' } } }, 'me');
  assert.equal(merged.lock.token, 't');
  assert.equal(merged.lock.mine, true);
});

test('the folder picker lists a tree and leaves out the folder being moved', () => {
  const folders = [{ id: 'a', name: 'Ö', parentId: null }, { id: 'b', name: 'A', parentId: null }, { id: 'c', name: 'Sub', parentId: 'b' }];
  assert.deepEqual(folderTree(folders).map((f) => `${f.depth}${f.name}`), ['0A', '1Sub', '0Ö']);
  assert.deepEqual(folderTree(folders, { exclude: 'b' }).map((f) => f.id), ['a']);
});

test('a 423 answer over the API keeps who holds the lock', async () => {
  const { problemToError } = await import('../lib/api.js');
  const err = problemToError(423, { code: 'locked', detail: 'x', holder: { id: 'p', name: 'Erik' }, expiresAt: '2026-12-07T13:30:00Z' });
  assert.deepEqual(uploadProblem(err), { key: 'documents.error.lockedBy', params: { name: 'Erik' }, until: '2026-12-07T13:30:00Z' });
  assert.equal(uploadProblem(problemToError(413, { code: 'file-too-large' })).key, 'documents.error.tooLarge');
  assert.deepEqual(uploadProblem(problemToError(413, { code: 'file-too-large', maxBytes: 1024 })), { key: 'documents.error.tooLargeMax', maxBytes: 1024 });
  assert.equal(uploadProblem(problemToError(507, { code: 'storage-full' })).key, 'documents.error.diskFull');
  assert.equal(uploadProblem(problemToError(422, { code: 'quota-exceeded' })).key, 'documents.error.quota');
});

test('the WebDAV address of this server is /dav/ at its origin', () => {
  assert.equal(davRootUrl('https://communis.example'), 'https://communis.example/dav/');
  assert.equal(davRootUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080/dav/');
  assert.equal(davRootUrl(''), null);
  assert.equal(davRootUrl(undefined), null);
});
