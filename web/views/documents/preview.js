// The preview of a document page: page images made by the server in the background
// (GET documents/{id}/preview?page=N: 200 an image, 202 "still being made" with Retry-After,
// 404 none). The image is read with fetch and shown as a data: URL — the page's
// Content-Security-Policy allows images from 'self' and data: only, and a 202 must never
// show as a broken image.
import { h, replaceChildren } from '../../lib/dom.js';
import { previewUrl } from '../../lib/documents-api.js';

/** Waits between asking again while the preview is being made; about three minutes in all. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10_000;
const MAX_TRIES = 40;

function readAsDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** The preview part: `{el, show(doc, version), dispose()}`. */
export function previewSection(ctx) {
  const { t } = ctx;
  const body = h('div', { class: 'doc-preview-body' });
  const pager = h('div', { class: 'row doc-preview-pager' });
  const el = h('section', { class: 'card doc-preview', 'aria-labelledby': 'doc-preview-h' },
    h('h2', { id: 'doc-preview-h' }, t('documents.preview')), body, pager);
  let generation = 0;
  let timer = null;
  let key = '';

  function message(text, role = 'status') {
    replaceChildren(body, h('p', { class: 'empty doc-preview-message', role }, text));
  }

  async function load(doc, versionNumber, page, pages, mine, tries = 0) {
    if (mine !== generation) return;
    let res;
    try {
      res = await fetch(previewUrl(doc.id, page, versionNumber === doc.version ? null : versionNumber), { credentials: 'same-origin' });
    } catch {
      if (mine === generation) message(t('documents.previewFailed'), 'alert');
      return;
    }
    if (mine !== generation) return;
    if (res.status === 202) {
      if (!body.querySelector('.doc-preview-pending')) {
        replaceChildren(body, h('p', { class: 'empty doc-preview-pending', role: 'status' }, t('documents.previewPending')));
      }
      if (tries >= MAX_TRIES) { message(t('documents.previewSlow')); return; }
      const after = Number(res.headers.get('Retry-After'));
      const wait = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, Number.isFinite(after) ? after * 1000 : 2000));
      timer = setTimeout(() => load(doc, versionNumber, page, pages, mine, tries + 1), wait);
      return;
    }
    if (res.status === 404) {
      // 404 "preview-failed": the file could not be drawn; otherwise the type has no preview.
      let code = '';
      try { code = (await res.json())?.code ?? ''; } catch { /* no body */ }
      if (mine === generation) message(t(code === 'preview-failed' ? 'documents.previewFailed' : 'documents.previewNone'));
      return;
    }
    if (!res.ok) { message(t('documents.previewFailed'), 'alert'); return; }
    const url = await readAsDataUrl(await res.blob());
    if (mine !== generation) return;
    const count = Number(res.headers.get('Communis-Preview-Pages')) || pages || 1;
    replaceChildren(body, h('img', { class: 'doc-preview-image', src: url,
      alt: count > 1 ? t('documents.previewAltPage', { title: doc.title, page, pages: count }) : t('documents.previewAlt', { title: doc.title }) }));
    drawPager(doc, versionNumber, page, count);
  }

  function drawPager(doc, versionNumber, page, pages) {
    if (pages <= 1) { replaceChildren(pager); return; }
    const go = (p) => {
      generation += 1;
      load(doc, versionNumber, p, pages, generation);
    };
    replaceChildren(pager,
      h('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: page <= 1, onclick: () => go(page - 1) }, t('documents.previewPrev')),
      h('span', { class: 'meta' }, t('documents.previewPage', { page, pages })),
      h('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: page >= pages, onclick: () => go(page + 1) }, t('documents.previewNext')));
  }

  return {
    el,
    show(doc, version) {
      const number = version?.number ?? doc.version;
      const state = number === doc.version ? doc.preview?.state : null;
      const next = `${doc.id}:${number}:${state}:${doc.current?.sha256 ?? ''}`;
      if (next === key) return; // same file, same state: keep the image shown
      key = next;
      clearTimeout(timer);
      generation += 1;
      replaceChildren(pager);
      if (state === 'none') { message(t('documents.previewNone')); return; }
      if (state === 'failed') { message(t('documents.previewFailed')); return; }
      replaceChildren(body, h('p', { class: 'loading' }, t('common.loading')));
      load(doc, number, 1, number === doc.version ? (doc.preview?.pages ?? 1) : 1, generation);
    },
    dispose() { clearTimeout(timer); generation += 1; },
  };
}
