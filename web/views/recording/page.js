// A recording's page (#/recordings/<id>?t=<ms>): who recorded what and when, the player
// with the chapters (`?t=` seeks there and plays), a download link; for managers rename,
// sharing with the whole organisation and delete; and "Skriv en lathund med den här
// inspelningen", which opens the article editor with the recording attached.
import { h } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { formatWhen } from '../../lib/format.js';
import { formatOffset, formatBytes, parseSeek, audioUrl } from '../../meeting/recording-state.js';
import { pageHeading, alertBox, field, showFieldErrors, actionButton } from '../components.js';
import { recordingPlayer } from './player.js';
import { ask } from '../dialog.js';

function notFound(t) {
  return h('section', { class: 'card' }, pageHeading(t('recording.notFoundTitle')), h('p', {}, t('recording.notFoundText')),
    h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
}

function managerTools(ctx, rec, alert) {
  const { t, api } = ctx;
  const name = field(t, { label: t('recording.rename.label'), name: 'recording-title', value: rec.title, required: true, attrs: { maxlength: 200 } });
  const save = h('button', { type: 'submit', class: 'btn btn-secondary' }, t('recording.rename.submit'));
  const rename = h('form', { class: 'inline-form rec-rename', novalidate: true, 'aria-label': t('recording.rename.label') }, name.wrap, save);
  rename.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const title = name.input.value.trim();
    const errors = {};
    if (!title) errors.name = 'validation.required';
    else if ([...title].length > 200) errors.name = 'validation.titleTooLong';
    if (showFieldErrors(t, { name }, errors)) return;
    save.disabled = true;
    try {
      await api.updateRecording(rec.id, { title });
      ctx.rerender();
    } catch (err) { alert.error(t, err); } finally { save.disabled = false; }
  });

  const shareId = `rec-share-${rec.id}`;
  const share = h('input', { type: 'checkbox', id: shareId, checked: Boolean(rec.sharedWithOrganisation), 'aria-describedby': `${shareId}-hint` });
  const shareStatus = h('span', { class: 'hint', role: 'status' });
  share.addEventListener('change', async () => {
    alert.clear();
    share.disabled = true;
    const wanted = share.checked;
    try {
      const updated = await api.updateRecording(rec.id, { sharedWithOrganisation: wanted });
      rec.sharedWithOrganisation = updated?.sharedWithOrganisation ?? wanted;
      share.checked = rec.sharedWithOrganisation;
      shareStatus.textContent = t(rec.sharedWithOrganisation ? 'recording.share.on' : 'recording.share.off');
    } catch (err) {
      share.checked = !wanted;
      alert.error(t, err);
    } finally { share.disabled = false; }
  });
  const shareBox = h('div', { class: 'field rec-share' },
    h('p', { class: 'checkbox-line' }, share, ' ', h('label', { for: shareId }, t('recording.share.label'))),
    h('p', { class: 'hint', id: `${shareId}-hint` }, t('recording.share.hint', { name: rec.workspaceName ?? '' })), shareStatus);

  const del = actionButton(t, t('recording.delete'), async () => {
    if (!await ask(t, t('recording.deleteConfirm', { title: rec.title }))) return;
    await api.deleteRecording(rec.id);
    ctx.navigate(rec.workspaceId ? buildHash('workspace', { id: rec.workspaceId }) : buildHash('home'));
  }, { alert, cls: 'btn btn-danger' });

  return h('section', { class: 'card rec-manage', 'aria-labelledby': 'rec-manage-h' },
    h('h2', { id: 'rec-manage-h' }, t('recording.manage')), rename, shareBox, h('div', { class: 'actions' }, del));
}

/** #/recordings/:id?t=&new= */
export async function renderRecording(ctx) {
  const { t, api, lang, route } = ctx;
  let rec;
  try {
    rec = await api.getRecording(route.params.id);
  } catch (err) {
    if (err.code === 'not-found' || err.status === 404) return notFound(t);
    throw err;
  }
  ctx.setTitle(rec.title);
  const alert = alertBox();
  if (route.query.new === '1') alert.success(t('recording.justRecorded'));
  const facts = [
    [t('recording.fact.by'), rec.startedBy?.name ?? t('common.dash')],
    [t('recording.fact.when'), rec.startedAt ? formatWhen(rec.startedAt, lang) : t('common.dash')],
    [t('recording.fact.duration'), Number.isFinite(rec.durationMs) ? formatOffset(rec.durationMs) : t('common.dash')],
  ];
  if (Number.isFinite(rec.sizeBytes)) facts.push([t('recording.fact.size'), formatBytes(rec.sizeBytes, lang)]);
  if (rec.sharedWithOrganisation) facts.push([t('recording.fact.shared'), t('recording.share.yes')]);

  const stateNote = rec.state === 'recording'
    ? h('div', { class: 'alert alert-warning', role: 'status' }, t('recording.stillRecording'))
    : rec.state === 'failed'
      ? h('div', { class: 'alert alert-error', role: 'status' }, t('recording.failed', { reason: rec.stopReason ?? '' }))
      : null;

  const player = recordingPlayer(t, rec);
  const seekTo = parseSeek(route.query.t);
  if (seekTo !== null) player.seek(seekTo);

  const participants = rec.participants ?? [];
  const writeLink = rec.canManage || ctx.user?.role !== 'guest'
    ? h('a', { class: 'btn btn-primary rec-write', href: buildHash('knowledgeNew', {}, { workspace: rec.workspaceId ?? '', recording: rec.id }) },
      t('recording.writeArticle'))
    : null;

  return h('div', { class: 'recording-page stack' },
    h('p', { class: 'crumbs' }, rec.workspaceId
      ? h('a', { href: buildHash('workspace', { id: rec.workspaceId }) }, rec.workspaceName || t('recording.backToWorkspace'))
      : h('a', { href: buildHash('home') }, t('common.backHome'))),
    h('div', { class: 'card ws-hero' },
      h('p', { class: 'eyebrow' }, t(rec.kind === 'guide' ? 'recording.kind.guide' : 'recording.kind.meeting')),
      pageHeading(rec.title),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))))),
    alert.el, stateNote,
    h('section', { class: 'card', 'aria-labelledby': 'rec-listen-h' },
      h('h2', { id: 'rec-listen-h' }, t('recording.listen')),
      player.el,
      h('p', { class: 'row' },
        h('a', { class: 'btn btn-secondary', href: audioUrl(rec, { download: true }), download: '' }, t('recording.download')),
        writeLink)),
    participants.length
      ? h('section', { class: 'card', 'aria-labelledby': 'rec-people-h' },
        h('h2', { id: 'rec-people-h' }, t('recording.participants')),
        h('ul', { class: 'rec-participants' }, participants.map((p) => h('li', {}, p.person?.name ?? '',
          Number.isFinite(p.joinedOffsetMs) && p.joinedOffsetMs > 0 ? ` (${t('recording.joinedAt', { time: formatOffset(p.joinedOffsetMs) })})` : ''))))
      : null,
    rec.canManage ? managerTools(ctx, rec, alert) : null);
}
