// Pieces shared by the documents views and the link cards: the type icon, the badges
// (Fastställd, Utcheckad av X till 14:30, Delas med externa) and refusal messages.
import { h } from '../../lib/dom.js';
import { fileKind, iconText, currentFileName, lockState, uploadProblem, formatSize } from '../../lib/documents.js';
import { formatTime, formatDateTime } from '../../lib/format.js';
import { errorMessage } from '../../lib/api.js';

/** The spoken type of a document ("Word-dokument", "PDF", …). */
export function typeLabel(t, doc) {
  const kind = fileKind(doc?.mediaType ?? doc?.current?.mediaType, currentFileName(doc));
  return t(`documents.kind.${kind}`);
}

/** The type icon: a coloured tile with the extension, hidden from screen readers (the type is said in text). */
export function docIcon(doc) {
  const name = currentFileName(doc);
  const type = doc?.mediaType ?? doc?.current?.mediaType;
  return h('span', { class: `doc-icon doc-icon-${fileKind(type, name)}`, 'aria-hidden': 'true' }, iconText(type, name));
}

/** "till 14:30" today, else with the date. */
export function untilText(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = new Date().toDateString() === d.toDateString();
  return sameDay ? formatTime(iso, lang) : formatDateTime(iso, lang);
}

/** The lock badge's text: "Utcheckad av Erik Johansson till 14:30" (or "av dig"). */
export function lockText(t, lang, lock, meId) {
  const s = lockState(lock, meId);
  if (!s) return '';
  const until = untilText(s.expiresAt, lang);
  if (s.mine) return until ? t('documents.lockedByMeUntil', { time: until }) : t('documents.lockedByMe');
  return until ? t('documents.lockedByUntil', { name: s.holderName, time: until }) : t('documents.lockedBy', { name: s.holderName });
}

/** The badges of a document: approved, checked out, shared with external people. */
export function docBadges(ctx, doc, { shared = doc?.sharedExternally } = {}) {
  const { t, lang, user } = ctx;
  const out = [];
  if (doc?.approved) {
    out.push(h('span', { class: 'badge badge-ok doc-approved', title: t('documents.approvedVersion', { version: doc.approved.version }) },
      doc.approved.version === doc.version ? t('documents.approved') : t('documents.approvedVersionShort', { version: doc.approved.version })));
  }
  const lock = lockText(t, lang, doc?.lock, user?.id);
  if (lock) out.push(h('span', { class: 'badge badge-pending doc-locked' }, lock));
  if (shared) out.push(h('span', { class: 'badge badge-guest doc-shared' }, t('documents.sharedExternally')));
  if (doc?.trashedAt) out.push(h('span', { class: 'badge badge-danger' }, t('documents.inTrash')));
  return out;
}

/** "Word-dokument · 1,4 MB · version 3". */
export function docFacts(t, lang, doc) {
  return [typeLabel(t, doc), formatSize(doc.size ?? doc.current?.size, lang), t('documents.versionN', { version: doc.version })]
    .filter(Boolean).join(' · ');
}

/** The message for a refused upload or write: size limit, lock (who and until when), disk full, … */
export function problemText(t, lang, err) {
  const p = uploadProblem(err);
  if (!p) return errorMessage(err, t);
  if (p.maxBytes) return t(p.key, { max: formatSize(p.maxBytes, lang) });
  if (p.key === 'documents.error.lockedBy' && p.until) {
    return t('documents.error.lockedByUntil', { ...p.params, time: untilText(p.until, lang) });
  }
  return t(p.key, p.params ?? {});
}
