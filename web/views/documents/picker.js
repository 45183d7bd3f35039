// "Länka dokument": a modal that browses a workspace's library (folders, a filter on the
// titles) and returns the chosen document, optionally as its approved version. The editor
// writes the Markdown link; the rendered text shows it as a card (cards.js).
import { h, uid, replaceChildren } from '../../lib/dom.js';
import { documentsApi } from '../../lib/documents-api.js';
import { sortLibrary } from '../../lib/documents.js';
import { errorMessage } from '../../lib/api.js';
import { docIcon, docFacts } from './common.js';

/**
 * Opens the picker. `workspaceId` is where it starts (the discussion's or blog's workspace;
 * null: the first of mine). Resolves with `{doc, approved}` or null when cancelled.
 */
export async function pickDocument(ctx, { workspaceId = null } = {}) {
  const { t, lang } = ctx;
  const docsApi = documentsApi(ctx.api);
  const opener = document.activeElement;
  const id = uid('pick');
  let spaces = [];
  try {
    spaces = ((await ctx.api.listWorkspaces({ limit: 100 })).items ?? []).filter((w) => w.myRole);
  } catch { spaces = []; }
  if (workspaceId && !spaces.some((w) => w.id === workspaceId)) spaces.unshift({ id: workspaceId, name: t('documents.thisWorkspace') });
  let ws = workspaceId ?? spaces[0]?.id ?? null;
  let folder = null;
  let listing = null;

  return new Promise((resolve) => {
    let answer = null;
    const wsSelect = h('select', { id: `${id}-ws` }, spaces.map((w) => h('option', { value: w.id, selected: w.id === ws }, w.name)));
    const filter = h('input', { id: `${id}-q`, type: 'search', autocomplete: 'off' });
    const approved = h('input', { id: `${id}-approved`, type: 'checkbox' });
    const crumbs = h('p', { class: 'doc-picker-path meta' });
    const list = h('div', { class: 'doc-picker-list', 'aria-live': 'polite' });
    const close = h('button', { type: 'button', class: 'btn btn-secondary' }, t('common.cancel'));
    const dialog = h('dialog', { class: 'dialog doc-picker', 'aria-labelledby': `${id}-h` },
      h('h2', { id: `${id}-h` }, t('documents.pickTitle')),
      spaces.length > 1 ? h('div', { class: 'field' }, h('label', { for: `${id}-ws` }, t('documents.pickWorkspace')), wsSelect) : null,
      h('div', { class: 'field' }, h('label', { for: `${id}-q` }, t('documents.pickFilter')), filter),
      h('div', { class: 'field field-check' }, approved, h('label', { for: `${id}-approved` }, t('documents.pickApproved'))),
      crumbs, list,
      h('div', { class: 'row dialog-buttons' }, close));

    function draw() {
      if (!listing) return;
      const q = filter.value.trim().toLocaleLowerCase(lang);
      const match = (s) => !q || String(s ?? '').toLocaleLowerCase(lang).includes(q);
      const { folders, documents } = sortLibrary(listing.folders ?? [], listing.documents?.items ?? [], lang);
      const path = listing.path ?? [];
      replaceChildren(crumbs, path.length
        ? [h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => open(path.length > 1 ? path[path.length - 2].id : null) },
          t('documents.pickUp')), ' ', path.map((p) => p.name).join(' / ')]
        : t('documents.topLevel'));
      const items = [
        ...folders.filter((f) => match(f.name)).map((f) => h('li', {},
          h('button', { type: 'button', class: 'doc-pick doc-pick-folder', onclick: () => open(f.id) },
            h('span', { class: 'doc-icon doc-icon-folder', 'aria-hidden': 'true' }),
            h('span', {}, h('span', { class: 'visually-hidden' }, `${t('documents.folder')}: `), f.name)))),
        ...documents.filter((d) => match(d.title)).map((d) => h('li', {},
          h('button', { type: 'button', class: 'doc-pick', onclick: () => { answer = { doc: d, approved: approved.checked && Boolean(d.approved) }; dialog.close(); } },
            docIcon(d),
            h('span', { class: 'doc-pick-text' }, h('span', { class: 'doc-pick-title' }, d.title),
              h('span', { class: 'meta' }, docFacts(t, lang, d), d.approved ? ` · ${t('documents.approved')}` : ''))))),
      ];
      replaceChildren(list, items.length ? h('ul', { class: 'doc-pick-list', 'aria-label': t('documents.pickListLabel') }, items)
        : h('p', { class: 'empty' }, t('documents.pickNone')));
    }

    async function open(folderId) {
      folder = folderId;
      replaceChildren(list, h('p', { class: 'loading' }, t('common.loading')));
      if (!ws) { replaceChildren(list, h('p', { class: 'empty' }, t('documents.pickNoWorkspace'))); return; }
      try {
        listing = await docsApi.library(ws, { folder: folder ?? undefined });
        draw();
      } catch (err) {
        replaceChildren(list, h('p', { class: 'alert alert-error', role: 'alert' }, errorMessage(err, t)));
      }
    }

    wsSelect.addEventListener('change', () => { ws = wsSelect.value; open(null); });
    filter.addEventListener('input', draw);
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener !== document.body && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    filter.focus();
    open(null);
  });
}
