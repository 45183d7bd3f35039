// "Guideinspelningar" in the knowledge bank: recordings are findable where guides are. The
// playable guide recordings the viewer may read (GET /api/v1/recordings?kind=guide&state=complete:
// their workspaces', open workspaces' and those shared with the whole organisation), each
// linking to its page; narrowed to one workspace when the list is.
import { h, replaceChildren } from '../../lib/dom.js';
import { errorPanel, pager } from '../components.js';
import { recordingItem } from '../recording/list.js';

const PAGE = 10;

/** `scope`: a workspace id, 'organisation' (those shared with everyone) or '' (all). */
export function guideRecordings(ctx, scope = '') {
  const { t, api, lang } = ctx;
  const list = h('div', {});
  const el = h('section', { class: 'card kb-guide-recordings', 'aria-labelledby': 'kb-guides-h' },
    h('h2', { id: 'kb-guides-h' }, t('kb.guideRecordings')), list);

  async function load(offset) {
    try {
      const query = { kind: 'guide', state: 'complete', limit: PAGE, offset };
      if (scope && scope !== 'organisation') query.workspaceId = scope;
      const page = await api.listRecordings(query);
      let items = page?.items ?? [];
      if (scope === 'organisation') items = items.filter((r) => r.sharedWithOrganisation);
      replaceChildren(list, items.length
        ? h('ul', { class: 'rec-list' }, items.map((r) => {
          const li = recordingItem(t, lang, r);
          li.querySelector('.meta')?.append(' · ', r.sharedWithOrganisation ? t('kb.scope.organisation') : r.workspaceName ?? '');
          return li;
        }))
        : h('p', { class: 'empty' }, t('kb.noGuideRecordings')),
      scope === 'organisation' ? null : pager(t, page ?? {}, (o) => load(o)));
    } catch (err) {
      replaceChildren(list, errorPanel(t, err));
    }
  }
  return { el, ready: load(0) };
}
