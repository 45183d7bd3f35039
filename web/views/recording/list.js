// "Inspelningar" on a workspace page: the workspace's recordings that the viewer may play,
// newest first (GET /api/v1/recordings?workspaceId=), with "Spela in en guide".
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { formatWhen } from '../../lib/format.js';
import { formatOffset, recordingHash } from '../../meeting/recording-state.js';
import { errorPanel, pager } from '../components.js';

const PAGE = 10;

export function recordingItem(t, lang, r) {
  const meta = [
    t(r.kind === 'guide' ? 'recording.kind.guide' : 'recording.kind.meeting'),
    r.startedBy?.name,
    r.startedAt ? formatWhen(r.startedAt, lang) : null,
    Number.isFinite(r.durationMs) ? formatOffset(r.durationMs) : null,
  ].filter(Boolean).join(' · ');
  return h('li', { class: 'rec-item' },
    h('p', { class: 'rec-item-title' }, h('a', { href: recordingHash(r.id) }, r.title || t('search.untitled')),
      r.state === 'recording' ? h('span', { class: 'badge badge-danger' }, ' ', t('recording.sign')) : null,
      r.state === 'failed' ? h('span', { class: 'badge badge-danger' }, t('recording.failedShort')) : null),
    h('p', { class: 'meta' }, meta));
}

export function workspaceRecordings(ctx, ws) {
  const { t, api, lang } = ctx;
  const list = h('div', {});
  const el = h('section', { class: 'card recordings', 'aria-labelledby': 'recordings-h' },
    h('h2', { id: 'recordings-h' }, t('recording.listTitle')), list,
    ctx.user?.role !== 'guest' || ws.myRole
      ? h('p', {}, h('a', { class: 'btn btn-secondary', href: buildHash('guideRecorder', {}, { workspace: ws.id }) }, t('recording.guide.new')))
      : null);

  async function load(offset) {
    replaceChildren(list, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
    try {
      const page = await api.listRecordings({ workspaceId: ws.id, limit: PAGE, offset });
      const items = page?.items ?? [];
      replaceChildren(list, items.length
        ? h('ul', { class: 'rec-list' }, items.map((r) => recordingItem(t, lang, r)))
        : h('p', { class: 'empty' }, t('recording.none')),
      pager(t, page ?? {}, (o) => load(o)));
    } catch (err) {
      replaceChildren(list, errorPanel(t, err));
    }
  }
  load(0);
  return { el };
}
