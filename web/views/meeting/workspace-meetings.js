// "Möten" on a workspace page: scheduled and live meetings with who is in them now (kept
// current by `meeting.roster` events on the workspace topic), "Starta möte" for an ad hoc
// meeting and a small form to schedule one.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { formatWhen } from '../../lib/format.js';
import { meetingListState, applyRoster, upsertMeeting, visibleMeetings } from '../../meeting/meeting-state.js';
import { field, alertBox, showFieldErrors, errorPanel } from '../components.js';
import { suggestedMeetingTitle } from '../../lib/live-meetings.js';

/** `datetime-local` value ("2026-12-01T09:00") in the browser's zone → ISO 8601 UTC. */
export function localInputToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function workspaceMeetings(ctx, ws) {
  const { t, api, lang } = ctx;
  const live = ctx.live;
  let meetings = meetingListState([]);
  let loaded = false;
  const early = [];
  const offs = [];
  const alert = alertBox();
  const list = h('ul', { class: 'meeting-list' });

  function render() {
    const items = visibleMeetings(meetings, lang);
    replaceChildren(list, items.length
      ? items.map((m) => {
        const people = m.participants ?? [];
        return h('li', { class: `meeting-item meeting-${m.state}` },
          h('p', { class: 'meeting-item-title' },
            h('a', { href: buildHash('meeting', { id: m.id }) }, m.title), ' ',
            h('span', { class: `badge ${m.state === 'live' ? 'badge-live' : ''}`.trim() }, t(`meeting.state.${m.state ?? 'scheduled'}`))),
          m.scheduledFor ? h('p', { class: 'meta' }, t('meeting.scheduledFor', { time: formatWhen(m.scheduledFor, lang) })) : null,
          h('p', { class: 'meta meeting-roster' }, people.length
            ? t('meeting.inNow', { names: people.map((p) => p.name).join(', ') })
            : t('meeting.nobodyIn')));
      })
      : h('li', { class: 'empty' }, t('meeting.none')));
  }

  async function create(meeting) {
    const created = await api.createMeeting(ws.id, meeting);
    meetings = upsertMeeting(meetings, created);
    render();
    return created;
  }

  // "Starta möte" asks for the meeting's own title, suggested from the date and time
  // ("Möte 7 dec. 10:15"), so meetings are not all called after their workspace.
  const quickTitle = field(t, { label: t('meeting.quickTitle'), name: 'meeting-now-title', required: true,
    value: suggestedMeetingTitle(t, lang), attrs: { maxlength: 200 } });
  const startBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('meeting.start'));
  const quick = h('form', { class: 'inline-form meeting-quick', novalidate: true, 'aria-label': t('meeting.start') },
    quickTitle.wrap, startBtn);
  quick.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    const value = quickTitle.input.value.trim();
    const errors = !value ? { title: 'validation.required' } : [...value].length > 200 ? { title: 'validation.titleTooLong' } : {};
    if (showFieldErrors(t, { title: quickTitle }, errors)) return;
    startBtn.disabled = true;
    try {
      const m = await create({ title: value });
      ctx.navigate(buildHash('meeting', { id: m.id }));
    } catch (err) {
      alert.error(t, err);
    } finally {
      startBtn.disabled = false;
    }
  });

  const title = field(t, { label: t('meeting.form.title'), name: 'meeting-title', required: true });
  const when = field(t, { label: t('meeting.form.when'), name: 'meeting-when', type: 'datetime-local' });
  const formAlert = alertBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-secondary' }, t('meeting.form.submit'));
  const form = h('form', { class: 'stack meeting-form', novalidate: true, 'aria-label': t('meeting.form.label') },
    formAlert.el, title.wrap, when.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formAlert.clear();
    const values = { title: title.input.value.trim(), when: when.input.value };
    const errors = {};
    if (!values.title) errors.title = 'validation.required';
    else if ([...values.title].length > 200) errors.title = 'validation.titleTooLong';
    if (values.when && !localInputToIso(values.when)) errors.when = 'meeting.form.badTime';
    if (showFieldErrors(t, { title, when }, errors)) return;
    submit.disabled = true;
    try {
      const body = { title: values.title };
      const iso = localInputToIso(values.when);
      if (iso) body.scheduledFor = iso;
      await create(body);
      title.input.value = '';
      when.input.value = '';
      formAlert.success(t('meeting.form.done', { title: values.title }));
    } catch (err) {
      formAlert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });

  const el = h('section', { class: 'card meetings', 'aria-labelledby': 'meetings-h' },
    h('h2', { id: 'meetings-h' }, t('meeting.sectionTitle')), alert.el, list,
    quick,
    h('details', { class: 'meeting-schedule' }, h('summary', {}, t('meeting.form.label')), form));

  if (live) {
    offs.push(live.on('roster', ({ workspaceId, data }) => {
      if (workspaceId !== ws.id) return;
      if (!loaded) { early.push(data); return; }
      meetings = applyRoster(meetings, data);
      render();
    }));
  }

  (async () => {
    replaceChildren(list, h('li', { class: 'loading', role: 'status' }, t('common.loading')));
    try {
      const res = await api.listMeetings(ws.id);
      meetings = meetingListState(res?.items ?? (Array.isArray(res) ? res : []));
      loaded = true;
      for (const data of early.splice(0)) meetings = applyRoster(meetings, data);
      render();
    } catch (err) {
      replaceChildren(list, h('li', {}, errorPanel(t, err)));
    }
  })();

  return { el, dispose() { for (const off of offs) off(); } };
}
