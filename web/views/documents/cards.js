// Document links in rendered Markdown become cards: title, type, size, version and
// "Fastställd", read for every link on the page in one `GET /documents?ids=…` (the blocks
// of one drawing are gathered for a moment first). A link the reader may not open (or
// that no longer exists) stays a plain link. Loaded only when a text has such a link.
import { h, replaceChildren } from '../../lib/dom.js';
import { createApi } from '../../lib/api.js';
import { documentLinkTarget, idBatches, uniqueIds, documentHash } from '../../lib/documents.js';
import { documentsApi } from '../../lib/documents-api.js';
import { docIcon, docFacts } from './common.js';

/** Documents already read, by id → {doc, at}: a card drawn again soon after needs no request. */
const known = new Map();
/** A card older than this is read again (a new version or approval shows on the next drawing). */
const FRESH_MS = 30_000;
let pending = []; // [{link, target, t, lang}]
let timer = null;
const GATHER_MS = 30;
// A GET needs no CSRF token: a client of its own keeps this chunk free of the app's state.
const docsApi = documentsApi(createApi());

function card(link, target, doc, t, lang) {
  const version = target.version;
  const approvedShown = version === 'approved' && doc.approved;
  const facts = docFacts(t, lang, approvedShown ? { ...doc, version: doc.approved.version } : doc);
  const badges = [];
  if (doc.approved && (version === 'approved' || doc.approved.version === doc.version)) {
    badges.push(h('span', { class: 'badge badge-ok' }, t('documents.approved')));
  }
  if (doc.trashedAt) badges.push(h('span', { class: 'badge badge-danger' }, t('documents.inTrash')));
  link.classList.add('doc-card');
  link.setAttribute('href', documentHash(doc.id, version));
  link.setAttribute('data-document', doc.id);
  // An absolute link of this server opened a new tab (external); a card is internal.
  link.removeAttribute('target');
  link.removeAttribute('rel');
  replaceChildren(link,
    docIcon(doc),
    h('span', { class: 'doc-card-text' },
      h('span', { class: 'doc-card-title' }, doc.title),
      h('span', { class: 'doc-card-meta' }, facts, badges.length ? ' ' : null, badges)));
}

async function flush() {
  timer = null;
  const batch = pending;
  pending = [];
  const at = Date.now();
  const missing = uniqueIds(batch.map((p) => p.target)).filter((id) => !(at - (known.get(id)?.at ?? -Infinity) < FRESH_MS));
  for (const ids of idBatches(missing)) {
    try {
      const res = await docsApi.byIds(ids);
      for (const id of ids) known.set(id, { doc: null, at });
      for (const d of res.documents ?? []) known.set(String(d.id).toLowerCase(), { doc: d, at });
    } catch { /* the links stay plain links; the next drawing asks again */ }
  }
  for (const p of batch) {
    const doc = known.get(p.target.id)?.doc;
    if (doc && p.link.isConnected !== false) card(p.link, p.target, doc, p.t, p.lang);
    else if (known.has(p.target.id)) p.link.classList.add('doc-link-missing');
  }
}

/**
 * Turns the document links inside `root` into cards. `t` and `lang` are the reader's. Links
 * are `#/documents/<id>` or the same as a full URL of this server.
 */
export function enhanceDocumentLinks(root, { t, lang }) {
  const origin = globalThis.location?.origin ?? null;
  for (const link of root.querySelectorAll('a[href*="#/documents/"]')) {
    if (link.classList.contains('doc-card')) continue;
    const target = documentLinkTarget(link.getAttribute('href'), origin);
    if (!target) continue;
    pending.push({ link, target, t, lang });
  }
  if (pending.length && !timer) timer = setTimeout(flush, GATHER_MS);
}

/** Forgets what is known of a document (after it changed), so its next card is read again. */
export function forgetDocument(id) {
  known.delete(String(id).toLowerCase());
}
