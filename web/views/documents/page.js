// A document's page, #/documents/<id>?version=N|approved: title, path, badges, preview,
// download and open, open in a desktop program (WebDAV), check out / check in, a new version
// with a comment, the versions (restore, approve), compare two versions, and where it is
// linked from. Follows the workspace's live events for this document.
import { h, replaceChildren, uid } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import {
  parseVersion, pickVersion, sortVersions, compareRows, desktopOpenUrl, documentHash, formatSize, lockState, currentFileName,
} from '../../lib/documents.js';
import { documentsApi, contentUrl } from '../../lib/documents-api.js';
import { alertBox, errorPanel, timeEl, pageHeading, actionButton, field } from '../components.js';
import { plural } from '../../lib/i18n.js';
import { confirmDialog } from '../dialog.js';
import { subscribeFirst } from '../live-section.js';
import { docIcon, docBadges, docFacts, problemText, typeLabel } from './common.js';
import { commentDialog } from './dialogs.js';
import { singleUpload } from './upload.js';
import { libraryHash } from './library.js';
import { previewSection } from './preview.js';
import { MY_TOKENS_HASH } from '../api-tokens.js';

const SUBSCRIBE_WAIT_MS = 3000;

function notFound(t) {
  return h('section', { class: 'card' }, pageHeading(t('documents.notFoundTitle')), h('p', {}, t('documents.notFoundText')),
    h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
}

/** #/documents/:id */
export async function renderDocument(ctx) {
  const { t, lang, user, route } = ctx;
  const docsApi = documentsApi(ctx.api);
  const id = route.params.id;
  const selector = parseVersion(route.query.version ?? null);
  let doc;
  let versions;
  try {
    [doc, versions] = await Promise.all([docsApi.get(id), docsApi.versions(id).then((r) => r.versions ?? [])]);
  } catch (err) {
    if (err?.status === 404 || err?.code === 'not-found') return notFound(t);
    throw err;
  }
  const alert = alertBox();
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const top = h('div', { class: 'stack' });
  const actionsEl = h('div', { class: 'row doc-page-actions' });
  const lockEl = h('div', { class: 'doc-lock' });
  const versionsEl = h('section', { class: 'card', 'aria-labelledby': 'doc-versions-h' });
  const compareEl = h('section', { class: 'card doc-compare', 'aria-labelledby': 'doc-compare-h' });
  const linksEl = h('section', { class: 'card', 'aria-labelledby': 'doc-links-h' });
  const newVersionEl = h('section', { class: 'card', 'aria-labelledby': 'doc-newversion-h' });
  const desktopEl = h('div', { class: 'doc-desktop' });
  const preview = previewSection(ctx);
  const disposers = [];
  ctx.onCleanup(() => { for (const off of disposers.splice(0)) off(); preview.dispose(); });

  const shown = () => pickVersion(versions, selector, doc);

  async function refresh({ withVersions = true } = {}) {
    const [d, v] = await Promise.all([docsApi.get(id), withVersions ? docsApi.versions(id).then((r) => r.versions ?? []) : versions]);
    doc = d;
    versions = v;
    drawAll();
  }

  // ------------------------------------------------------------ top: title, path, badges
  function drawTop() {
    ctx.setTitle(doc.title);
    const v = shown();
    const path = doc.path ?? [];
    const crumbs = h('nav', { class: 'doc-crumbs', 'aria-label': t('documents.pathLabel') }, h('ol', {},
      h('li', {}, h('a', { href: buildHash('workspace', { id: doc.workspaceId }) }, doc.workspaceName ?? t('documents.workspace'))),
      h('li', {}, h('a', { href: libraryHash(doc.workspaceId) }, t('documents.title'))),
      path.map((p) => h('li', {}, h('a', { href: libraryHash(doc.workspaceId, { folder: p.id }) }, p.name)))));
    const notices = [];
    if (doc.trashedAt) notices.push(h('div', { class: 'alert alert-warning', role: 'status' }, t('documents.trashedNotice')));
    if (selector !== null && !v) notices.push(h('div', { class: 'alert alert-warning', role: 'status' }, t('documents.versionMissing')));
    else if (v && v.number !== doc.version) {
      notices.push(h('div', { class: 'alert alert-warning doc-old-version', role: 'status' },
        selector === 'approved' ? t('documents.showingApproved', { version: v.number }) : t('documents.showingOld', { version: v.number }), ' ',
        h('a', { href: documentHash(id) }, t('documents.showCurrent', { version: doc.version }))));
    }
    replaceChildren(top,
      crumbs,
      h('div', { class: 'doc-page-head' }, docIcon(doc),
        h('div', {}, pageHeading(doc.title),
          h('p', { class: 'meta' }, docFacts(t, lang, doc)),
          h('p', { class: 'doc-badges' }, docBadges(ctx, doc)))),
      notices);
  }

  // ------------------------------------------------------------ actions: download, open, desktop, lock
  function drawActions() {
    const v = shown();
    const version = v && v.number !== doc.version ? v.number : null;
    const fileName = v?.fileName ?? currentFileName(doc);
    replaceChildren(actionsEl,
      h('a', { class: 'btn btn-primary', href: contentUrl(doc, { version, download: true }), download: fileName,
        'aria-label': t('documents.downloadNamed', { name: fileName }) }, t('documents.download')),
      h('a', { class: 'btn btn-secondary', href: contentUrl(doc, { version }), target: '_blank', rel: 'noopener' }, t('documents.open')));
    const desktop = desktopOpenUrl(doc, location.origin);
    if (desktop && doc.canWrite !== false && !doc.trashedAt) {
      const tokenArea = h('div', { class: 'doc-token' });
      replaceChildren(desktopEl,
        h('a', { class: 'btn btn-secondary doc-desktop-open', href: desktop.href }, t('documents.openDesktop')),
        h('p', { class: 'hint' }, t(`documents.desktopNote.${desktop.program === 'libreoffice' ? 'libreoffice' : 'office'}`), ' ',
          t('documents.desktopToken')),
        h('div', { class: 'row' }, tokenButton(tokenArea), h('a', { href: MY_TOKENS_HASH, class: 'doc-tokens-link' }, t('documents.myTokens'))),
        tokenArea);
    } else replaceChildren(desktopEl);
    drawLock();
  }

  function tokenButton(area) {
    return actionButton(t, t('documents.createToken'), async () => {
      const res = await ctx.api.request('POST', '/tokens', { body: { name: t('documents.tokenName') } });
      const f = field(t, { label: t('documents.tokenLabel'), name: 'dav-token', value: res?.token ?? '', attrs: { readonly: true } });
      replaceChildren(area, f.wrap, h('p', { class: 'hint' }, t('documents.tokenOnce'), ' ',
        h('a', { href: MY_TOKENS_HASH }, t('documents.tokenManage'))));
      f.input.select();
    }, { alert, cls: 'btn btn-small btn-ghost' });
  }

  function drawLock() {
    const lock = lockState(doc.lock, user?.id);
    const parts = [];
    if (doc.trashedAt) { replaceChildren(lockEl); return; }
    if (!lock && doc.canWrite) {
      parts.push(actionButton(t, t('documents.checkOut'), async () => {
        await docsApi.lock(id);
        await refresh({ withVersions: false });
        status.textContent = t('documents.checkedOut');
      }, { alert: problemAlert(), cls: 'btn btn-secondary', focusKey: 'lock', focusFallback: 'unlock' }));
      parts.push(h('p', { class: 'hint' }, t('documents.checkOutHint')));
    } else if (lock?.mine) {
      parts.push(actionButton(t, t('documents.checkIn'), async () => {
        await docsApi.unlock(id);
        await refresh({ withVersions: false });
        status.textContent = t('documents.checkedIn');
      }, { alert: problemAlert(), cls: 'btn btn-secondary', focusKey: 'unlock', focusFallback: 'lock' }));
    } else if (lock && doc.canApprove) {
      // Owners and administrators may break someone else's lock (canApprove: the same people).
      parts.push(actionButton(t, t('documents.breakLock'), async () => {
        const sure = await confirmDialog({ title: t('documents.breakLockTitle', { name: lock.holderName }), text: t('documents.breakLockText'),
          confirm: t('documents.breakLock'), cancel: t('common.cancel'), danger: true });
        if (!sure) return;
        await docsApi.unlock(id);
        await refresh({ withVersions: false });
        status.textContent = t('documents.lockBroken');
      }, { alert: problemAlert(), cls: 'btn btn-danger', focusKey: 'break', focusFallback: 'lock' }));
    }
    replaceChildren(lockEl, parts);
  }

  // ------------------------------------------------------------ new version
  // Redrawn only when what it says changes (a live event must not empty a half-filled form).
  let newVersionKey = null;
  function drawNewVersion() {
    const lock = lockState(doc.lock, user?.id);
    const key = `${doc.canWrite}|${doc.trashedAt}|${lock?.holderId ?? ''}|${doc.version}`;
    if (key === newVersionKey) return;
    newVersionKey = key;
    if (!doc.canWrite || doc.trashedAt) { newVersionEl.hidden = true; return; }
    newVersionEl.hidden = false;
    const fileId = uid('version-file');
    const file = h('input', { id: fileId, type: 'file', required: true });
    const comment = field(t, { label: t('documents.comment'), name: 'version-comment', control: 'textarea', attrs: { rows: 2, maxlength: 1000 } });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('documents.uploadVersion'));
    const progress = singleUpload(ctx);
    const formAlert = alertBox();
    const form = h('form', { class: 'stack', novalidate: true },
      lock && !lock.mine ? h('p', { class: 'alert alert-warning' }, t('documents.lockedWarning', { name: lock.holderName })) : null,
      formAlert.el,
      h('div', { class: 'field' }, h('label', { for: fileId }, t('documents.versionFile')), file),
      comment.wrap, h('div', { class: 'row' }, submit), progress.el);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      const chosen = file.files?.[0];
      if (!chosen) { formAlert.error(t, t('documents.chooseFile')); file.focus(); return; }
      submit.disabled = true;
      const res = await progress.start(chosen, {
        filename: chosen.name, document: id, comment: comment.input.value.trim(), filetype: chosen.type || undefined,
      });
      submit.disabled = false;
      if (res) {
        file.value = '';
        comment.input.value = '';
        status.textContent = t('documents.versionUploaded', { version: res.version ?? '' });
        await refresh();
      }
    });
    replaceChildren(newVersionEl, h('h2', { id: 'doc-newversion-h' }, t('documents.newVersion')), form);
  }

  // ------------------------------------------------------------ versions
  function drawVersions() {
    const sorted = sortVersions(versions);
    const v = shown();
    const items = sorted.map((ver) => {
      const current = ver.number === doc.version;
      const approved = doc.approved ? doc.approved.version === ver.number : Boolean(ver.approved);
      const actions = [
        ver.number !== v?.number ? h('a', { class: 'btn btn-small btn-ghost', href: documentHash(id, current ? null : ver.number),
          'aria-label': t('documents.showVersionN', { version: ver.number }) }, t('documents.show')) : null,
        h('a', { class: 'btn btn-small btn-ghost', href: contentUrl(doc, { version: ver.number, download: true }),
          'aria-label': t('documents.downloadVersionN', { version: ver.number }) }, t('documents.download')),
      ];
      if (doc.canWrite && !current && !doc.trashedAt) {
        actions.push(actionButton(t, t('documents.restoreVersion'), async () => {
          const answer = await commentDialog(t, { title: t('documents.restoreVersionTitle', { version: ver.number }),
            label: t('documents.comment'), value: t('documents.restoredComment', { version: ver.number }), confirm: t('documents.restoreVersion') });
          if (!answer) return;
          await docsApi.restoreVersion(id, ver.number, answer.comment);
          await refresh();
          status.textContent = t('documents.versionRestored', { version: ver.number });
        }, { alert: problemAlert(), cls: 'btn btn-small btn-secondary', ariaLabel: t('documents.restoreVersionN', { version: ver.number }),
          focusKey: `restore-v${ver.number}`, focusFallback: 'doc-versions-h' }));
      }
      if (doc.canApprove && !doc.trashedAt) {
        actions.push(approved
          ? actionButton(t, t('documents.unapprove'), async () => {
            await docsApi.removeApproval(id);
            await refresh();
            status.textContent = t('documents.unapproved');
          }, { alert: problemAlert(), cls: 'btn btn-small btn-ghost', ariaLabel: t('documents.unapproveN', { version: ver.number }),
            focusKey: `approve-v${ver.number}`, focusFallback: 'doc-versions-h' })
          : actionButton(t, t('documents.approve'), async () => {
            await docsApi.approve(id, ver.number);
            await refresh();
            status.textContent = t('documents.approvedNow', { version: ver.number });
          }, { alert: problemAlert(), cls: 'btn btn-small btn-secondary', ariaLabel: t('documents.approveN', { version: ver.number }),
            focusKey: `approve-v${ver.number}`, focusFallback: 'doc-versions-h' }));
      }
      return h('li', { class: `doc-version${ver.number === v?.number ? ' doc-version-shown' : ''}`, 'data-version': ver.number },
        h('div', { class: 'doc-version-head' },
          h('strong', {}, t('documents.versionTitle', { version: ver.number })),
          current ? h('span', { class: 'badge' }, t('documents.current')) : null,
          approved ? h('span', { class: 'badge badge-ok' }, t('documents.approved')) : null),
        h('p', { class: 'meta' }, ver.createdBy?.name ?? '', ' · ', timeEl(ver.createdAt, lang), ' · ', formatSize(ver.size, lang),
          ver.fileName ? ` · ${ver.fileName}` : '',
          ver.restoredFrom ? ` · ${t('documents.restoredFrom', { version: ver.restoredFrom })}` : ''),
        ver.comment ? h('p', { class: 'doc-version-comment' }, ver.comment) : null,
        h('div', { class: 'row doc-version-actions' }, actions));
    });
    replaceChildren(versionsEl,
      h('h2', { id: 'doc-versions-h', tabindex: '-1', 'data-focus-key': 'doc-versions-h' }, t('documents.versions'),
        ' ', h('span', { class: 'count' }, `(${versions.length})`)),
      h('ol', { class: 'doc-versions', reversed: true }, items));
  }

  function problemAlert() {
    return { clear: () => alert.clear(), error: (tt, err) => alert.error(t, problemText(t, lang, err)) };
  }

  // ------------------------------------------------------------ compare
  let compareKey = null;
  function drawCompare() {
    if (compareKey === versions.length) return;
    compareKey = versions.length;
    if (versions.length < 2) { compareEl.hidden = true; return; }
    compareEl.hidden = false;
    const sorted = sortVersions(versions);
    const options = sorted.map((v) => [String(v.number), t('documents.versionTitle', { version: v.number })]);
    const from = field(t, { label: t('documents.compareFrom'), name: 'compare-from', control: 'select', value: String(sorted[1].number), options });
    const to = field(t, { label: t('documents.compareTo'), name: 'compare-to', control: 'select', value: String(sorted[0].number), options });
    const result = h('div', { class: 'doc-diff', 'aria-live': 'polite' });
    const form = h('form', { class: 'row doc-compare-form' }, from.wrap, to.wrap, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('documents.compare')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      replaceChildren(result, h('p', { class: 'loading' }, t('common.loading')));
      try {
        const res = await docsApi.compare(id, Number(from.input.value), Number(to.input.value));
        const rows = compareRows(res.lines ?? []);
        const added = (res.lines ?? []).filter((l) => l.kind === 'added').length;
        const removed = (res.lines ?? []).filter((l) => l.kind === 'removed').length;
        replaceChildren(result,
          h('p', { class: 'meta' }, t('documents.compareSummary', { added, removed })),
          rows.some((r) => r.kind !== 'same' && r.kind !== 'fold')
            ? h('pre', { class: 'doc-diff-lines' }, rows.map((r) => (r.kind === 'fold'
              ? h('div', { class: 'diff-fold' }, plural(t, 'documents.unchangedLines', r.count))
              : h('div', { class: `diff-${r.kind}` }, h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, r.sign),
                r.kind !== 'same' ? h('span', { class: 'visually-hidden' }, `${t(r.kind === 'added' ? 'documents.added' : 'documents.removed')}: `) : null,
                r.text))))
            : h('p', { class: 'empty' }, t('documents.noDifferences')));
      } catch (err) {
        const message = err?.code === 'text-pending' ? 'documents.comparePending'
          : err?.code === 'text-unavailable' ? 'documents.compareUnavailable' : null;
        replaceChildren(result, message ? h('p', { class: 'empty', role: 'status' }, t(message)) : errorPanel(t, err));
      }
    });
    replaceChildren(compareEl, h('h2', { id: 'doc-compare-h' }, t('documents.compareTitle')), form, result);
  }

  // ------------------------------------------------------------ links
  async function drawLinks() {
    replaceChildren(linksEl, h('h2', { id: 'doc-links-h' }, t('documents.linkedFrom')), h('p', { class: 'loading' }, t('common.loading')));
    try {
      const res = await docsApi.links(id);
      const links = res.links ?? [];
      replaceChildren(linksEl, h('h2', { id: 'doc-links-h' }, t('documents.linkedFrom')),
        links.length
          ? h('ul', { class: 'doc-links' }, links.map((l) => h('li', {},
            h('span', { class: 'badge' }, t.has(`documents.linkKind.${l.kind}`) ? t(`documents.linkKind.${l.kind}`) : l.kind), ' ',
            h('a', { href: l.url }, l.title || t('search.untitled')))))
          : h('p', { class: 'empty' }, t('documents.noLinks')));
    } catch (err) {
      replaceChildren(linksEl, h('h2', { id: 'doc-links-h' }, t('documents.linkedFrom')), errorPanel(t, err));
    }
  }

  // ------------------------------------------------------------ trash
  function trashActions() {
    if (!doc.canWrite) return null;
    return doc.trashedAt
      ? actionButton(t, t('documents.restore'), async () => { await docsApi.restore(id); await refresh(); status.textContent = t('documents.restored', { name: doc.title }); },
        { alert: problemAlert(), cls: 'btn btn-secondary' })
      : actionButton(t, t('documents.toTrash'), async () => {
        const sure = await confirmDialog({ title: t('documents.trashTitleNamed', { name: doc.title }), text: t('documents.trashText'),
          confirm: t('documents.toTrash'), cancel: t('common.cancel'), danger: true });
        if (!sure) return;
        await docsApi.trashDocument(id);
        ctx.navigate(libraryHash(doc.workspaceId, { folder: doc.folderId }));
      }, { alert: problemAlert(), cls: 'btn btn-ghost' });
  }
  const trashEl = h('div', { class: 'row' });

  function drawAll() {
    drawTop();
    drawActions();
    drawNewVersion();
    drawVersions();
    drawCompare();
    replaceChildren(trashEl, trashActions());
    preview.show(doc, shown());
  }

  // ------------------------------------------------------------ live
  const live = ctx.live;
  if (live) {
    disposers.push(live.on('event', (ev) => {
      if (ev.workspaceId !== doc.workspaceId || ev.data?.document?.id !== id) return;
      refresh({ withVersions: ev.type !== 'document.locked' && ev.type !== 'document.unlocked' }).catch(() => {});
    }));
    const wsId = doc.workspaceId;
    const wasSubscribed = live.isSubscribed?.(wsId);
    subscribeFirst(live, wsId, SUBSCRIBE_WAIT_MS).catch(() => {});
    disposers.push(() => { if (!wasSubscribed) live.unsubscribe(wsId); });
  }

  drawAll();
  drawLinks();
  return h('div', { class: 'document-page stack' },
    top, alert.el, status,
    h('div', { class: 'layout-two' },
      h('div', { class: 'col-main stack' },
        h('section', { class: 'card doc-file', 'aria-label': t('documents.fileLabel', { type: typeLabel(t, doc) }) }, actionsEl, desktopEl, lockEl, trashEl),
        preview.el, newVersionEl, versionsEl, compareEl),
      h('div', { class: 'col-side stack' }, linksEl)));
}

