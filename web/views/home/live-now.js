// "Pågår nu" on the start page: meetings going on now in my workspaces (GET
// /api/v1/meetings?state=live), kept live from the `meeting.roster` events of the workspace
// topics the start page follows. Each entry: title, workspace, how many are in, "Gå med".
// The section shows only while a meeting is going on.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { plural } from '../../lib/i18n.js';
import { liveMeetingsState, applyLiveRoster, liveMeetingList } from '../../lib/live-meetings.js';

/** `names`: workspace id → name of the workspaces the start page follows live. */
export function liveNow(ctx, names) {
  const { t, api, lang } = ctx;
  let state = liveMeetingsState([]);
  let loaded = false;
  const early = [];
  const list = h('ul', { class: 'meeting-list live-now-list' });
  const section = h('section', { class: 'card live-now', 'aria-labelledby': 'live-now-h', hidden: true },
    h('h2', { id: 'live-now-h' }, t('meeting.liveNow')), list);

  function paint() {
    const items = liveMeetingList(state, lang);
    // Shown only while something is going on: an empty box on top of the feed is clutter.
    section.hidden = !items.length;
    replaceChildren(list, items.length
      ? items.map((m) => {
        const count = m.participants?.length ?? 0;
        return h('li', { class: 'meeting-item meeting-live' },
          h('p', { class: 'meeting-item-title' }, m.title, ' ', h('span', { class: 'badge badge-live' }, t('meeting.state.live'))),
          h('p', { class: 'meta' },
            m.workspace?.name ? h('span', {}, t('meeting.liveIn', { workspace: m.workspace.name })) : null,
            h('span', {}, plural(t, 'meeting.inCount', count))),
          h('p', {}, h('a', { class: 'btn btn-small btn-primary', href: buildHash('meeting', { id: m.id }),
            'aria-label': t('meeting.joinNamed', { title: m.title }) }, t('meeting.join'))));
      })
      : h('li', { class: 'empty' }, t('meeting.liveNowEmpty')));
  }

  const live = ctx.live;
  if (live) {
    const off = live.on('roster', ({ workspaceId, data }) => {
      if (!names.has(workspaceId)) return;
      const ws = { id: workspaceId, name: names.get(workspaceId) };
      if (!loaded) { early.push([ws, data]); return; }
      state = applyLiveRoster(state, ws, data);
      paint();
    });
    ctx.onCleanup(off);
  }

  async function load() {
    try {
      const res = await api.listLiveMeetings();
      state = liveMeetingsState(res?.items ?? []);
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      // An older server without the list: the rosters still fill it as meetings change.
    }
    loaded = true;
    for (const [ws, data] of early.splice(0)) state = applyLiveRoster(state, ws, data);
    paint();
  }

  return { section, load };
}
