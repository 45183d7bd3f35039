// Documents (issue 13): pure helpers for the library, the document page, uploads and link
// cards. No DOM, no fetching: sizes, type labels, links, the desktop-open URL, and the
// reducer that applies the workspace's `document.*` / `folder.*` events to a library.
import { buildHash } from './router.js';

const LOCALES = { sv: 'sv-SE', en: 'en-GB' };
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/**
 * "0 B", "980 B", "12 kB", "1,4 MB" (sv) / "1.4 MB" (en): binary multiples (1024, as file
 * managers show them), one decimal below 10 of a unit, none above.
 */
export function formatSize(bytes, lang = 'sv') {
  let n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '';
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) { n /= 1024; unit += 1; }
  const digits = unit === 0 || n >= 10 ? 0 : 1;
  const text = new Intl.NumberFormat(LOCALES[lang] ?? 'sv-SE', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    .format(digits ? Math.round(n * 10) / 10 : Math.round(n));
  return `${text} ${UNITS[unit]}`;
}

/** The extension of a file name, lowercase, without the dot ('' when none). */
export function extensionOf(name) {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(String(name ?? ''));
  return m ? m[1].toLowerCase() : '';
}

const KIND_BY_EXTENSION = {
  pdf: 'pdf',
  doc: 'word', docx: 'word', docm: 'word', dot: 'word', dotx: 'word', rtf: 'word',
  xls: 'excel', xlsx: 'excel', xlsm: 'excel', xlt: 'excel', xltx: 'excel', csv: 'spreadsheet',
  ppt: 'powerpoint', pptx: 'powerpoint', pptm: 'powerpoint', pps: 'powerpoint', ppsx: 'powerpoint',
  odt: 'odt', ott: 'odt', ods: 'ods', ots: 'ods', odp: 'odp', otp: 'odp', odg: 'odg',
  txt: 'text', md: 'text', log: 'text',
  png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', webp: 'image', svg: 'image', tif: 'image', tiff: 'image', heic: 'image',
  zip: 'archive', '7z': 'archive', gz: 'archive', tar: 'archive', rar: 'archive',
  mp3: 'audio', wav: 'audio', ogg: 'audio', m4a: 'audio', opus: 'audio',
  mp4: 'video', mov: 'video', webm: 'video', mkv: 'video', avi: 'video',
};

const KIND_BY_MEDIA_TYPE = [
  [/^application\/pdf$/, 'pdf'],
  [/wordprocessingml|^application\/msword$|^application\/rtf$/, 'word'],
  [/spreadsheetml|^application\/vnd\.ms-excel/, 'excel'],
  [/presentationml|^application\/vnd\.ms-powerpoint/, 'powerpoint'],
  [/opendocument\.text/, 'odt'],
  [/opendocument\.spreadsheet/, 'ods'],
  [/opendocument\.presentation/, 'odp'],
  [/opendocument\.graphics/, 'odg'],
  [/^text\/csv$/, 'spreadsheet'],
  [/^text\//, 'text'],
  [/^image\//, 'image'],
  [/^audio\//, 'audio'],
  [/^video\//, 'video'],
  [/zip|x-7z|gzip|x-tar|x-rar/, 'archive'],
];

/**
 * The kind of a file, for its icon and its spoken type: 'pdf' | 'word' | 'excel' |
 * 'powerpoint' | 'odt' | 'ods' | 'odp' | 'odg' | 'spreadsheet' | 'text' | 'image' | 'audio' |
 * 'video' | 'archive' | 'other'. The extension wins over a generic media type
 * (`application/octet-stream` says nothing; a .docx often arrives as application/zip).
 */
export function fileKind(mediaType, fileName) {
  const byExt = KIND_BY_EXTENSION[extensionOf(fileName)];
  if (byExt) return byExt;
  const type = String(mediaType ?? '').toLowerCase().split(';')[0].trim();
  for (const [re, kind] of KIND_BY_MEDIA_TYPE) if (re.test(type)) return kind;
  return 'other';
}

/** The short text in a document's icon: "PDF", "DOCX", … (the extension), else the kind's. */
export function iconText(mediaType, fileName) {
  const ext = extensionOf(fileName);
  if (ext) return ext.toUpperCase().slice(0, 4);
  const kind = fileKind(mediaType, fileName);
  return { pdf: 'PDF', word: 'DOC', excel: 'XLS', powerpoint: 'PPT', image: 'IMG', text: 'TXT' }[kind] ?? 'FIL';
}

/** The document's file name of its current version (the title when there is none). */
export function currentFileName(doc) {
  return doc?.current?.fileName || doc?.title || '';
}

const OFFICE_SCHEMES = { word: 'ms-word', excel: 'ms-excel', powerpoint: 'ms-powerpoint' };
const ODF_KINDS = new Set(['odt', 'ods', 'odp', 'odg']);

/**
 * The URL that opens a document in a desktop program over WebDAV, or null when there is no
 * such program for its type: Microsoft Office's URI schemes (`ms-word:ofe|u|<url>`: open
 * for editing) for Word, Excel and PowerPoint files, LibreOffice's
 * (`vnd.libreoffice.command:ofv|u|<url>`) for OpenDocument files. `origin` makes the
 * document's `davUrl` (a path) absolute; the programs need a full https URL.
 */
export function desktopOpenUrl(doc, origin) {
  if (!doc?.davUrl || !origin) return null;
  const kind = fileKind(doc.mediaType ?? doc.current?.mediaType, currentFileName(doc));
  let url;
  try { url = new URL(doc.davUrl, origin).href; } catch { return null; }
  if (OFFICE_SCHEMES[kind]) return { program: kind, href: `${OFFICE_SCHEMES[kind]}:ofe|u|${url}` };
  if (ODF_KINDS.has(kind)) return { program: 'libreoffice', href: `vnd.libreoffice.command:ofv|u|${url}` };
  return null;
}

/** This server's WebDAV address (`https://<server>/dav/`) for `origin`, or null. */
export function davRootUrl(origin) {
  try { return new URL('/dav/', origin).href; } catch { return null; }
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const DOC_HASH = new RegExp(`^#/documents/(${UUID})(?:\\?(.*))?$`);

/**
 * The document a link points at, `{id, version}` (version: null | 'approved' | a number), or
 * null: `#/documents/<uuid>` with an optional `?version=`, or the same as a full URL of this
 * server (`origin`), as the server's link index reads them.
 */
export function documentLinkTarget(href, origin = null) {
  let hash = String(href ?? '');
  if (!hash.startsWith('#')) {
    if (!origin) return null;
    let url;
    try { url = new URL(hash); } catch { return null; }
    if (url.origin !== origin || !url.hash) return null;
    hash = url.hash;
  }
  const m = DOC_HASH.exec(hash);
  if (!m) return null;
  const query = new URLSearchParams(m[2] ?? '');
  return { id: m[1].toLowerCase(), version: parseVersion(query.get('version')) };
}

/** `?version=` of a document page: null (current), 'approved' or a version number. */
export function parseVersion(value) {
  if (value === 'approved') return 'approved';
  const n = Number(value);
  return value !== null && value !== undefined && value !== '' && Number.isInteger(n) && n > 0 ? n : null;
}

/** The hash of a document page, optionally of a version ('approved' or a number). */
export function documentHash(id, version = null) {
  return buildHash('document', { id }, version === null ? {} : { version });
}

/** Escapes a title for Markdown link text: `\`, `[` and `]` would end or break the link. */
export function escapeLinkText(text) {
  return String(text ?? '').replace(/[\\[\]*_`~]/g, (c) => `\\${c}`).replace(/\s+/g, ' ').trim();
}

/**
 * The Markdown link to a document: `[Title](#/documents/<id>)`, or to its approved version
 * (`?version=approved`), which the renderer shows as a card.
 */
export function documentMarkdownLink(doc, { approved = false } = {}) {
  const target = `#/documents/${doc.id}${approved ? '?version=approved' : ''}`;
  return `[${escapeLinkText(doc.title) || doc.id}](${target})`;
}

/**
 * Inserts `snippet` into `text` in place of the selection [start, end), on a line of its own
 * when the text around it has words: `{text, caret}` with the caret after the insertion.
 */
export function insertSnippet(text, start, end, snippet) {
  const s = String(text ?? '');
  const a = Math.max(0, Math.min(s.length, Number.isInteger(start) ? start : s.length));
  const b = Math.max(a, Math.min(s.length, Number.isInteger(end) ? end : a));
  const before = s.slice(0, a);
  const after = s.slice(b);
  const lead = before && !/\s$/.test(before) ? ' ' : '';
  const trail = after && !/^\s/.test(after) ? ' ' : '';
  const out = before + lead + snippet + trail + after;
  return { text: out, caret: (before + lead + snippet).length };
}

/** The ids of the document links in a rendered block, in order, without repeats (lowercase). */
export function uniqueIds(targets) {
  return [...new Set((targets ?? []).filter(Boolean).map((x) => String(x.id ?? x).toLowerCase()))];
}

/** Splits ids into groups of at most `size` for `GET documents?ids=` (URLs stay short). */
export function idBatches(ids, size = 50) {
  const out = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------- locks and versions

/**
 * The lock as the page shows it: `{holderName, expiresAt, mine, expired}`, or null when the
 * document is not checked out (or the lock has run out by `now`).
 */
export function lockState(lock, meId, now = Date.now()) {
  if (!lock) return null;
  const expires = Date.parse(lock.expiresAt ?? '');
  if (Number.isFinite(expires) && expires <= now) return null;
  return {
    holderName: lock.holder?.name ?? '',
    holderId: lock.holder?.id ?? null,
    expiresAt: lock.expiresAt ?? null,
    mine: lock.mine === true || (meId != null && lock.holder?.id === meId),
  };
}

/** The version a selector names in a list of versions (`null` = current), or null. */
export function pickVersion(versions, selector, doc = null) {
  const list = versions ?? [];
  if (selector === 'approved') {
    const n = doc?.approved?.version;
    return list.find((v) => (n ? v.number === n : v.approved)) ?? null;
  }
  if (Number.isInteger(selector)) return list.find((v) => v.number === selector) ?? null;
  const current = doc?.version;
  return list.find((v) => v.number === current) ?? list.reduce((a, v) => (!a || v.number > a.number ? v : a), null);
}

/** Versions newest first. */
export function sortVersions(versions) {
  return [...(versions ?? [])].sort((a, b) => b.number - a.number);
}

/**
 * Compare lines (`[{kind: same|added|removed, text}]`) as rows to show: changed lines, with
 * `context` unchanged lines around them; longer unchanged runs fold into `{kind: 'fold', count}`.
 */
export function compareRows(lines, { context = 2 } = {}) {
  const list = lines ?? [];
  const keep = new Array(list.length).fill(false);
  list.forEach((l, i) => {
    if (l.kind === 'added' || l.kind === 'removed') {
      for (let j = Math.max(0, i - context); j <= Math.min(list.length - 1, i + context); j++) keep[j] = true;
    }
  });
  const rows = [];
  let folded = 0;
  list.forEach((l, i) => {
    if (keep[i]) {
      if (folded) { rows.push({ kind: 'fold', count: folded }); folded = 0; }
      rows.push({ kind: l.kind, text: l.text ?? '', sign: l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' ' });
    } else folded += 1;
  });
  if (folded) rows.push({ kind: 'fold', count: folded });
  return rows;
}

// ---------------------------------------------------------------- upload errors

/**
 * The i18n key and parameters for a failed upload or a refused write: size limit (413),
 * checked out by someone else (423, with who and until when), disk full (507), quota,
 * type not allowed, the connection; null means "use the general error message".
 */
export function uploadProblem(err) {
  if (!err) return null;
  if (err.name === 'AbortError') return { key: 'documents.upload.cancelled' };
  const code = String(err.code ?? '');
  if (code === 'quota-exceeded' || code === 'documents-quota') return { key: 'documents.error.quota' };
  if (code === 'type-not-allowed' || code === 'unsupported-media-type' || err.status === 415) return { key: 'documents.error.type' };
  if (err.status === 413 || code === 'payload-too-large' || code === 'file-too-large') {
    const max = err.maxBytes ?? err.problem?.maxBytes ?? null;
    return Number.isFinite(max) && max > 0 ? { key: 'documents.error.tooLargeMax', maxBytes: max } : { key: 'documents.error.tooLarge' };
  }
  if (err.status === 423 || code === 'locked') {
    const name = err.holder?.name ?? err.problem?.holder?.name ?? err.data?.holder?.name ?? '';
    const until = err.expiresAt ?? err.problem?.expiresAt ?? err.data?.expiresAt ?? null;
    return name ? { key: 'documents.error.lockedBy', params: { name }, until } : { key: 'documents.error.locked', until };
  }
  if (err.status === 507 || code === 'storage-full' || code === 'insufficient-storage') return { key: 'documents.error.diskFull' };
  if (code === 'network' || err.status === 0) return { key: 'documents.error.network' };
  if (code === 'upload-gone') return { key: 'documents.error.uploadGone' };
  return null;
}

// ---------------------------------------------------------------- the library and its events

const collator = (lang) => new Intl.Collator(LOCALES[lang] ?? 'sv-SE', { sensitivity: 'base', numeric: true });

/** Folders by name, documents by title, in the reader's language's order. */
export function sortLibrary(folders, documents, lang = 'sv') {
  const c = collator(lang);
  return {
    folders: [...(folders ?? [])].sort((a, b) => c.compare(a.name ?? '', b.name ?? '')),
    documents: [...(documents ?? [])].sort((a, b) => c.compare(a.title ?? '', b.title ?? '')),
  };
}

/**
 * A library's state from `GET workspaces/{id}/documents`: the folder shown (null = the
 * top), its path, folders and documents, and whether the viewer writes.
 */
export function libraryState(res, { meId = null, lang = 'sv', trash = false } = {}) {
  const sorted = sortLibrary(res?.folders ?? [], trash ? [] : res?.documents?.items ?? [], lang);
  return {
    folderId: res?.folder?.id ?? null,
    folder: res?.folder ?? null,
    path: res?.path ?? [],
    folders: trash ? [] : sorted.folders,
    documents: trash ? [...(res?.items ?? [])] : sorted.documents,
    total: trash ? (res?.total ?? (res?.items ?? []).length) : res?.documents?.total ?? sorted.documents.length,
    usedBytes: res?.usedBytes ?? null,
    quotaBytes: res?.quotaBytes ?? null,
    sharedExternally: Boolean(res?.sharedExternally),
    canWrite: Boolean(res?.canWrite),
    trash,
    meId,
    lang,
  };
}

/**
 * A document from an event (viewer-independent: no lock token, `mine`, `canApprove` or
 * `canWrite`) merged with what this viewer knew of it.
 */
export function mergeDocument(old, incoming, meId) {
  const doc = { ...(old ?? {}), ...incoming };
  for (const key of ['canApprove', 'canWrite']) {
    if (!(key in (incoming ?? {})) && old && key in old) doc[key] = old[key];
  }
  if (incoming?.lock) {
    const mine = incoming.lock.mine ?? (meId != null && incoming.lock.holder?.id === meId);
    const token = mine ? (incoming.lock.token ?? old?.lock?.token) : undefined;
    doc.lock = { ...incoming.lock, mine, ...(token ? { token } : {}) };
  } else if (incoming && 'lock' in incoming) doc.lock = null;
  return doc;
}

function withDocument(state, doc, present) {
  const others = state.documents.filter((d) => d.id !== doc.id);
  const old = state.documents.find((d) => d.id === doc.id);
  if (!present) {
    return old ? { ...state, documents: others, total: Math.max(0, state.total - 1) } : state;
  }
  const merged = mergeDocument(old, doc, state.meId);
  const documents = state.trash ? [merged, ...others] : sortLibrary([], [...others, merged], state.lang).documents;
  return { ...state, documents, total: old ? state.total : state.total + 1 };
}

/**
 * Applies one live event (`{type, data}`) to a library state and returns the new state (the
 * same object when nothing changed). Idempotent: replaying an event changes nothing more.
 */
export function applyLibraryEvent(state, ev) {
  const type = ev?.type ?? '';
  const data = ev?.data ?? {};
  if (type.startsWith('document.')) {
    const doc = data.document;
    if (!doc?.id) return state;
    const here = (doc.folderId ?? null) === state.folderId;
    const inTrash = Boolean(doc.trashedAt) || type === 'document.deleted';
    if (state.trash) {
      if (type === 'document.deleted') return withDocument(state, { ...doc, trashedAt: doc.trashedAt ?? new Date().toISOString() }, true);
      if (type === 'document.restored') return withDocument(state, doc, false);
      return state.documents.some((d) => d.id === doc.id) ? withDocument(state, doc, true) : state;
    }
    if (inTrash) return withDocument(state, doc, false);
    if (type === 'document.added' || type === 'document.restored' || type === 'document.moved') return withDocument(state, doc, here);
    // versioned, approved, locked, unlocked: only what is shown changes
    return state.documents.some((d) => d.id === doc.id) ? withDocument(state, doc, here) : state;
  }
  if (type.startsWith('folder.') && !state.trash) {
    const folder = data.folder;
    const id = folder?.id ?? data.folderId;
    if (!id) return state;
    const others = state.folders.filter((f) => f.id !== id);
    let path = state.path;
    if (folder && state.path.some((p) => p.id === id)) path = state.path.map((p) => (p.id === id ? { ...p, name: folder.name } : p));
    const present = type !== 'folder.deleted' && folder && (folder.parentId ?? null) === state.folderId;
    if (!present) {
      if (others.length === state.folders.length && path === state.path) return state;
      return { ...state, folders: others, path };
    }
    const old = state.folders.find((f) => f.id === id);
    return { ...state, path, folders: sortLibrary([...others, { ...(old ?? {}), ...folder }], [], state.lang).folders };
  }
  return state;
}

/** Whether an event of the workspace topic is about documents (the library listens to these). */
export function isDocumentEvent(ev) {
  return /^(document|folder)\./.test(ev?.type ?? '');
}

/**
 * Folders as a tree for a picker: `[{id, name, depth}]` in depth-first order, top first;
 * `exclude` (a folder being moved) and everything under it are left out.
 */
export function folderTree(folders, { exclude = null, lang = 'sv' } = {}) {
  const c = collator(lang);
  const children = new Map();
  for (const f of folders ?? []) {
    const p = f.parentId ?? null;
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(f);
  }
  const out = [];
  const seen = new Set();
  const walk = (parent, depth) => {
    for (const f of (children.get(parent) ?? []).sort((a, b) => c.compare(a.name, b.name))) {
      if (f.id === exclude || seen.has(f.id)) continue;
      seen.add(f.id);
      out.push({ id: f.id, name: f.name, depth });
      walk(f.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Files from a drop or a picker as an array (a FileList is not one). Folders are left out. */
export function droppedFiles(list) {
  return [...(list ?? [])].filter((f) => f && typeof f.size === 'number' && (f.size > 0 || f.type !== '' || /\.[^.]+$/.test(f.name ?? '')));
}
