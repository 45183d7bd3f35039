// "Dokument", a part of a workspace page (#/workspaces/<id>/documents?folder=<id>, and
// ?trash=1 for the trash): breadcrumbs, the folders and documents of one folder with type,
// size, version and badges, new folder, rename, move, to the trash and back, uploads by the
// file picker or by dropping files on the list. Reads over HTTP, then follows the
// workspace's live `document.*` / `folder.*` events (lib/documents.js applies them).
import { h, replaceChildren, uid } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { plural } from '../../lib/i18n.js';
import { libraryState, applyLibraryEvent, isDocumentEvent, documentHash, formatSize, droppedFiles } from '../../lib/documents.js';
import { documentsApi, PAGE_LIMIT } from '../../lib/documents-api.js';
import { alertBox, errorPanel, timeEl, keepFocus, pager } from '../components.js';
import { subscribeFirst } from '../live-section.js';
import { confirmDialog } from '../dialog.js';
import { docIcon, docBadges, docFacts, problemText } from './common.js';
import { nameDialog, folderDialog } from './dialogs.js';
import { uploadQueue } from './upload.js';

const SUBSCRIBE_WAIT_MS = 3000;

/** The hash of a folder of the library (null = the top), or of the trash. */
export function libraryHash(wsId, { folder = null, trash = false } = {}) {
  return buildHash('workspaceDocuments', { id: wsId }, { folder: folder ?? undefined, trash: trash ? '1' : undefined });
}

/**
 * The documents part of a workspace page. Returns `{el, dispose}`. `folderId` is the folder
 * shown (null = the top), `trash` shows the trash instead.
 */
export function documentsSection(ctx, ws, { folderId = null, trash = false, onRemoved } = {}) {
  const { t, lang, user } = ctx;
  const docsApi = documentsApi(ctx.api);
  const live = ctx.live;
  const wsId = ws.id;
  const isMember = Boolean(ws.myRole);
  const alert = alertBox();
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const headingId = uid('docs-h');
  const heading = h('h2', { id: headingId, tabindex: '-1' }, trash ? t('documents.trashTitle') : t('documents.title'));
  const crumbs = h('nav', { class: 'doc-crumbs', 'aria-label': t('documents.pathLabel') });
  const toolbar = h('div', { class: 'row doc-toolbar' });
  const listEl = h('div', { class: 'doc-list-body' }, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  const usage = h('p', { class: 'hint doc-usage' });
  const pagerEl = h('div', {});
  let offset = 0;
  const queue = uploadQueue(wsId);
  const dropHint = h('p', { class: 'hint doc-drop-hint' }, t('documents.dropHint'));
  const dropZone = h('div', { class: 'doc-drop' }, listEl);
  const el = h('section', { class: 'card documents', 'aria-labelledby': headingId },
    heading, crumbs, alert.el, toolbar, status, dropZone, pagerEl, usage);
  const disposers = [];
  let state = null;
  let loaded = false;
  const buffer = [];
  let allFolders = null;

  // ------------------------------------------------------------ drawing
  function crumbLinks() {
    if (trash) {
      replaceChildren(crumbs, h('ol', {},
        h('li', {}, h('a', { href: libraryHash(wsId) }, t('documents.title'))),
        h('li', {}, h('span', { 'aria-current': 'page' }, t('documents.trash')))));
      return;
    }
    const path = state?.path ?? [];
    // At the top the heading says where one is; breadcrumbs start inside a folder.
    crumbs.hidden = path.length === 0;
    const items = [h('li', {}, path.length
      ? h('a', { href: libraryHash(wsId) }, t('documents.title'))
      : h('span', { 'aria-current': 'page' }, t('documents.title')))];
    path.forEach((p, i) => items.push(h('li', {}, i === path.length - 1
      ? h('span', { 'aria-current': 'page' }, p.name)
      : h('a', { href: libraryHash(wsId, { folder: p.id }) }, p.name))));
    replaceChildren(crumbs, h('ol', {}, items));
  }

  function folderRow(f) {
    const actions = state.canWrite ? h('div', { class: 'doc-actions' },
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `rename-f-${f.id}`,
        'aria-label': t('documents.renameNamed', { name: f.name }), onclick: () => renameFolder(f) }, t('documents.rename')),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `move-f-${f.id}`,
        'aria-label': t('documents.moveNamed', { name: f.name }), onclick: () => moveFolder(f) }, t('documents.move')),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `delete-f-${f.id}`,
        'aria-label': t('documents.deleteFolderNamed', { name: f.name }), onclick: () => deleteFolder(f) }, t('documents.delete')))
      : null;
    return h('li', { class: 'doc-item doc-folder' },
      h('span', { class: 'doc-icon doc-icon-folder', 'aria-hidden': 'true' }),
      h('div', { class: 'doc-main' },
        h('a', { class: 'doc-title', href: libraryHash(wsId, { folder: f.id }), 'data-focus-key': `f-${f.id}` },
          h('span', { class: 'visually-hidden' }, `${t('documents.folder')}: `), f.name)),
      actions);
  }

  function documentRow(d) {
    const meta = [docFacts(t, lang, d)];
    const when = d.trashedAt ?? d.updatedAt;
    const actions = [];
    if (trash) {
      if (state.canWrite || d.canWrite) {
        actions.push(h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-focus-key': `restore-${d.id}`,
          'aria-label': t('documents.restoreNamed', { name: d.title }), onclick: (e) => restoreDocument(d, e.currentTarget) }, t('documents.restore')));
      }
    } else if (state.canWrite) {
      actions.push(
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `rename-${d.id}`,
          'aria-label': t('documents.renameNamed', { name: d.title }), onclick: () => renameDocument(d) }, t('documents.rename')),
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `move-${d.id}`,
          'aria-label': t('documents.moveNamed', { name: d.title }), onclick: () => moveDocument(d) }, t('documents.move')),
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `trash-${d.id}`,
          'aria-label': t('documents.trashNamed', { name: d.title }), onclick: () => trashDocument(d) }, t('documents.toTrash')));
    }
    return h('li', { class: 'doc-item', 'data-document': d.id },
      docIcon(d),
      h('div', { class: 'doc-main' },
        h('a', { class: 'doc-title', href: documentHash(d.id), 'data-focus-key': `d-${d.id}` }, d.title),
        h('p', { class: 'meta' }, meta.join(' · '), when ? [' · ', trash ? t('documents.trashedAt') : t('documents.changed'), ' ', timeEl(when, lang)] : null),
        h('p', { class: 'doc-badges' }, docBadges(ctx, d, { shared: state.sharedExternally || d.sharedExternally }))),
      actions.length ? h('div', { class: 'doc-actions' }, actions) : null);
  }

  function render() {
    if (!state) return;
    crumbLinks();
    keepFocus(listEl, () => {
      const items = [...state.folders.map(folderRow), ...state.documents.map(documentRow)];
      replaceChildren(listEl, items.length
        ? h('ul', { class: 'doc-list', 'aria-labelledby': headingId }, items)
        : h('p', { class: 'empty' }, trash ? t('documents.trashEmpty') : state.folderId ? t('documents.folderEmpty') : t('documents.empty')));
    });
    // The space used matters where there is a limit (read with the folder; not followed live).
    usage.textContent = !trash && state.usedBytes !== null && state.quotaBytes
      ? t('documents.usageOf', { used: formatSize(state.usedBytes, lang), quota: formatSize(state.quotaBytes, lang) })
      : '';
    if (!trash) {
      el.classList.toggle('documents-shared', state.sharedExternally);
    }
  }

  function renderToolbar() {
    const parts = [];
    if (!trash && state?.canWrite) {
      // A button that opens the hidden file input: focusable and styled as every other button.
      const input = h('input', { type: 'file', multiple: true, hidden: true, class: 'doc-file-input', tabindex: '-1',
        'aria-label': t('documents.uploadFiles') });
      input.addEventListener('change', () => { upload(droppedFiles(input.files)); input.value = ''; });
      parts.push(
        h('button', { type: 'button', class: 'btn btn-primary doc-upload-button', onclick: () => input.click() }, t('documents.uploadFiles')), input,
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: newFolder }, t('documents.newFolder')));
    }
    if (trash) parts.push(h('a', { class: 'btn btn-secondary', href: libraryHash(wsId, { folder: folderId }) }, t('documents.backToLibrary')));
    else if (state?.canWrite) parts.push(h('a', { class: 'btn btn-ghost', href: libraryHash(wsId, { trash: true }) }, t('documents.trash')));
    replaceChildren(toolbar, parts);
    toolbar.hidden = parts.length === 0;
    if (!trash && state?.canWrite) {
      dropZone.before(queue.attach(ctx, onUploaded));
      dropZone.append(dropHint);
      dropZone.classList.add('doc-drop-active');
    }
  }

  // ------------------------------------------------------------ actions
  async function onUploaded(res, file) {
    status.textContent = t('documents.uploaded', { name: file.name });
    // The live event adds it too; reading it here shows it at once whatever the connection
    // (applying both is harmless: the reducer is idempotent).
    if (!res?.documentId || !state) { load().catch(() => {}); return; }
    try {
      const doc = await docsApi.get(res.documentId);
      state = applyLibraryEvent(state, { type: 'document.added', data: { document: doc } });
      render();
    } catch { load().catch(() => {}); }
  }

  function upload(files) {
    if (!files.length) return;
    queue.add(files, (file) => ({
      filename: file.name, workspace: wsId, folder: state.folderId ?? undefined, filetype: file.type || undefined,
    }));
    status.textContent = plural(t, 'documents.uploadStarted', files.length);
  }

  async function run(action, success) {
    alert.clear();
    try {
      await action();
      if (success) status.textContent = success;
      if (!live || live.state !== 'open') await load();
    } catch (err) {
      if (err?.status === 409 && err.code !== 'locked') alert.error(t, t('documents.error.conflict'));
      else alert.error(t, problemText(t, lang, err));
    }
  }

  async function newFolder() {
    const name = await nameDialog(t, { title: t('documents.newFolder'), label: t('documents.folderName'), confirm: t('documents.create') });
    if (!name) return;
    await run(async () => {
      const f = await docsApi.createFolder(wsId, name, state.folderId);
      state = applyLibraryEvent(state, { type: 'folder.created', data: { folder: f } });
      allFolders = null;
      render();
    }, t('documents.folderCreated', { name }));
  }

  async function renameFolder(f) {
    const name = await nameDialog(t, { title: t('documents.renameFolder'), label: t('documents.folderName'), value: f.name, confirm: t('documents.save') });
    if (!name || name === f.name) return;
    await run(async () => {
      const updated = await docsApi.updateFolder(f.id, { name });
      state = applyLibraryEvent(state, { type: 'folder.updated', data: { folder: updated ?? { ...f, name } } });
      render();
    }, t('documents.renamed', { name }));
  }

  async function folders() {
    allFolders ??= (await docsApi.folders(wsId)).folders ?? [];
    return allFolders;
  }

  async function moveFolder(f) {
    let list;
    try { list = await folders(); } catch (err) { alert.error(t, err); return; }
    const choice = await folderDialog(t, { title: t('documents.moveTitle', { name: f.name }), folders: list, current: f.parentId ?? null, exclude: f.id, confirm: t('documents.move'), lang });
    if (!choice || choice.folderId === (f.parentId ?? null)) return;
    await run(async () => {
      const updated = await docsApi.updateFolder(f.id, { parentId: choice.folderId });
      state = applyLibraryEvent(state, { type: 'folder.updated', data: { folder: updated ?? { ...f, parentId: choice.folderId } } });
      allFolders = null;
      render();
    }, t('documents.moved', { name: f.name }));
  }

  async function deleteFolder(f) {
    const sure = await confirmDialog({ title: t('documents.deleteFolderTitle', { name: f.name }), text: t('documents.deleteFolderText'),
      confirm: t('documents.delete'), cancel: t('common.cancel'), danger: true });
    if (!sure) return;
    alert.clear();
    try {
      await docsApi.deleteFolder(f.id);
      state = applyLibraryEvent(state, { type: 'folder.deleted', data: { folderId: f.id } });
      allFolders = null;
      render();
      status.textContent = t('documents.folderDeleted', { name: f.name });
      heading.focus();
    } catch (err) {
      alert.error(t, err?.status === 409 ? t('documents.error.folderNotEmpty') : problemText(t, lang, err));
    }
  }

  async function renameDocument(d) {
    const title = await nameDialog(t, { title: t('documents.renameDocument'), label: t('documents.titleLabel'), value: d.title, confirm: t('documents.save') });
    if (!title || title === d.title) return;
    await run(async () => {
      const updated = await docsApi.update(d.id, { title });
      state = applyLibraryEvent(state, { type: 'document.moved', data: { document: updated ?? { ...d, title } } });
      render();
    }, t('documents.renamed', { name: title }));
  }

  async function moveDocument(d) {
    let list;
    try { list = await folders(); } catch (err) { alert.error(t, err); return; }
    const choice = await folderDialog(t, { title: t('documents.moveTitle', { name: d.title }), folders: list, current: d.folderId ?? null, confirm: t('documents.move'), lang });
    if (!choice || choice.folderId === (d.folderId ?? null)) return;
    await run(async () => {
      const updated = await docsApi.update(d.id, { folderId: choice.folderId });
      state = applyLibraryEvent(state, { type: 'document.moved', data: { document: updated ?? { ...d, folderId: choice.folderId } } });
      render();
      heading.focus();
    }, t('documents.moved', { name: d.title }));
  }

  async function trashDocument(d) {
    const sure = await confirmDialog({ title: t('documents.trashTitleNamed', { name: d.title }), text: t('documents.trashText'),
      confirm: t('documents.toTrash'), cancel: t('common.cancel'), danger: true });
    if (!sure) return;
    await run(async () => {
      await docsApi.trashDocument(d.id);
      state = applyLibraryEvent(state, { type: 'document.deleted', data: { document: { ...d, trashedAt: new Date().toISOString() } } });
      render();
      heading.focus();
    }, t('documents.trashed', { name: d.title }));
  }

  async function restoreDocument(d) {
    await run(async () => {
      const restored = await docsApi.restore(d.id);
      state = applyLibraryEvent(state, { type: 'document.restored', data: { document: restored ?? { ...d, trashedAt: null } } });
      render();
      heading.focus();
    }, t('documents.restored', { name: d.title }));
  }

  // ------------------------------------------------------------ drag and drop
  let dragDepth = 0;
  dropZone.addEventListener('dragenter', (e) => {
    if (!state?.canWrite || trash || !e.dataTransfer?.types?.includes('Files')) return;
    e.preventDefault();
    dragDepth += 1;
    dropZone.classList.add('doc-drop-over');
  });
  dropZone.addEventListener('dragover', (e) => {
    if (!state?.canWrite || trash || !e.dataTransfer?.types?.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  dropZone.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) dropZone.classList.remove('doc-drop-over');
  });
  dropZone.addEventListener('drop', (e) => {
    if (!state?.canWrite || trash) return;
    e.preventDefault();
    dragDepth = 0;
    dropZone.classList.remove('doc-drop-over');
    upload(droppedFiles(e.dataTransfer?.files));
  });
  // A file dropped beside the list would make the browser open it in place of Communis (and
  // end the uploads going on): outside the list a drop does nothing.
  const ignoreDrop = (e) => {
    if (e.dataTransfer?.types?.includes('Files') && !dropZone.contains(e.target)) {
      e.preventDefault();
      if (e.type === 'dragover') e.dataTransfer.dropEffect = 'none';
    }
  };
  window.addEventListener('dragover', ignoreDrop);
  window.addEventListener('drop', ignoreDrop);
  disposers.push(() => { window.removeEventListener('dragover', ignoreDrop); window.removeEventListener('drop', ignoreDrop); });

  // ------------------------------------------------------------ loading and live events
  async function load() {
    const res = trash ? await docsApi.trash(wsId, { offset: offset || undefined })
      : await docsApi.library(wsId, { folder: folderId ?? undefined, offset: offset || undefined });
    const page = trash ? res : res.documents;
    // More than a page (100) of documents in one folder: "Föregående" / "Nästa".
    replaceChildren(pagerEl, page ? pager(t, { limit: page.limit ?? PAGE_LIMIT, offset: page.offset ?? offset, total: page.total ?? 0,
      items: page.items ?? [] }, (o) => { offset = o; load().then(() => heading.focus()).catch((err) => alert.error(t, err)); }) : null);
    // Members write (the server says so with `canWrite`; the trash answers a page without it).
    const writable = trash || res.canWrite === undefined ? isMember : res.canWrite;
    state = libraryState(res, { meId: user?.id ?? null, lang, trash });
    state.canWrite = Boolean(writable);
    for (const ev of buffer.splice(0)) state = applyLibraryEvent(state, ev);
    loaded = true;
    render();
  }

  if (isMember && live) {
    disposers.push(
      live.on('event', (ev) => {
        if (ev.workspaceId !== wsId || !isDocumentEvent(ev)) return;
        if (ev.type.startsWith('folder.')) allFolders = null;
        if (ev.type === 'folder.deleted' && (ev.data?.folderId ?? ev.data?.folder?.id) === folderId && !trash) {
          ctx.navigate(libraryHash(wsId));
          return;
        }
        if (!loaded) { buffer.push(ev); return; }
        const before = state;
        state = applyLibraryEvent(state, ev);
        if (state !== before) render();
      }),
      live.on('reload', (msg) => { if (msg.workspaceId === wsId) load().catch((err) => alert.error(t, err)); }),
      live.on('unsubscribed', (msg) => { if (msg.workspaceId === wsId) onRemoved?.(msg.reason); }),
    );
  }

  (async () => {
    try {
      if (isMember && live) await subscribeFirst(live, wsId, SUBSCRIBE_WAIT_MS);
      await load();
      renderToolbar();
    } catch (err) {
      if (err?.status === 404 && folderId) {
        replaceChildren(listEl, h('p', { class: 'empty', role: 'status' }, t('documents.folderMissing'), ' ',
          h('a', { href: libraryHash(wsId) }, t('documents.backToTop'))));
      } else replaceChildren(listEl, errorPanel(t, err));
    }
  })();

  return {
    el,
    dispose() {
      for (const off of disposers) off();
      if (isMember && live) live.unsubscribe(wsId);
    },
  };
}
