// "Spela in en guide" (#/knowledge/record?workspace=): a trainer picks a workspace and a
// title; the page makes a meeting of its own, joins it (the microphone), starts a recording
// of kind "guide" and shows the sign, the time, a big "Markera kapitel" with its text field
// and "Stoppa". Stopping leaves and ends the meeting and opens the new recording's page,
// where "Skriv en lathund med den här inspelningen" goes on to the article editor.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { pageHeading, alertBox, field, showFieldErrors } from '../components.js';
import { createMeetingClient } from '../../meeting/client.js';
import { problemBox, exposeTestHook } from '../meeting.js';
import { recordingSign, recordingControls } from '../meeting/recording.js';

export async function renderGuideRecorder(ctx) {
  const { t, api, route } = ctx;
  ctx.setTitle(t('recording.guide.title'));
  const spaces = await api.listWorkspaces({ scope: 'mine', limit: 100 });
  const mine = (spaces.items ?? []).filter((w) => w.myRole);
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  const sign = recordingSign(t);
  let client = null;
  let controls = null;
  let meetingId = null;
  let ended = false;

  async function endMeeting() {
    if (!meetingId || ended) return;
    ended = true;
    try { await api.endMeeting(meetingId); } catch { /* it ends anyway when the last one leaves */ }
  }

  ctx.onCleanup(() => {
    controls?.dispose();
    client?.dispose();
    if (window.__communisMeeting?.client === client) window.__communisMeeting = null;
    endMeeting();
  });

  if (!ctx.live) {
    return h('section', {}, pageHeading(t('recording.guide.title')), h('p', { class: 'empty' }, t('meeting.noLive')));
  }
  if (!mine.length) {
    return h('section', {}, pageHeading(t('recording.guide.title')), h('p', { class: 'empty' }, t('recording.guide.noWorkspace')));
  }

  const wanted = route.query.workspace && mine.some((w) => w.id === route.query.workspace) ? route.query.workspace : mine[0].id;
  const workspace = field(t, { label: t('recording.guide.workspace'), name: 'guide-workspace', control: 'select', value: wanted,
    options: mine.map((w) => [w.id, w.name]) });
  const title = field(t, { label: t('recording.guide.name'), name: 'guide-title', required: true, hint: t('recording.guide.nameHint'), attrs: { maxlength: 200 } });
  const startBtn = h('button', { type: 'submit', class: 'btn btn-danger btn-large rec-guide-start' },
    h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), t('recording.guide.start'));
  const form = h('form', { class: 'card stack rec-guide-form', novalidate: true, 'aria-label': t('recording.guide.title') },
    h('p', {}, t('recording.guide.intro')), workspace.wrap, title.wrap, h('div', { class: 'actions' }, startBtn));

  async function stopped(res) {
    controls?.dispose();
    await client.leave();
    await endMeeting();
    const id = res?.recordingId;
    ctx.navigate(id ? buildHash('recording', { id }, { new: '1' }) : buildHash('workspace', { id: workspace.input.value }));
  }

  function recordingScreen(name) {
    controls = recordingControls(ctx, { client, alert, kind: 'guide', big: true, allowStart: false, onStopped: stopped });
    replaceChildren(body,
      h('section', { class: 'card rec-guide-live', 'aria-labelledby': 'guide-live-h' },
        h('h2', { id: 'guide-live-h', tabindex: '-1' }, name),
        h('p', { class: 'hint' }, t('recording.guide.liveHint'))),
      controls.el);
    controls.update(client.state);
    controls.chapterInput.focus();
  }

  function onChange(state) {
    if (!ctx.isCurrent()) return;
    sign.update(state);
    controls?.update(state);
    // The recording ended without "Stoppa" (the disk filled up, the connection dropped): say so.
    if (controls && !state.recording && state.recordingStop && state.recordingStop.reason !== 'stopped') {
      alert.error(t, t('recording.guide.interrupted'));
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    body.querySelector('.meeting-problem')?.remove();
    const name = title.input.value.trim();
    const errors = {};
    if (!name) errors.title = 'validation.required';
    else if ([...name].length > 200) errors.title = 'validation.titleTooLong';
    if (showFieldErrors(t, { title }, errors)) return;
    startBtn.disabled = true;
    try {
      const meeting = await api.createMeeting(workspace.input.value, { title: name });
      meetingId = meeting.id;
      ended = false;
      client = createMeetingClient({ live: ctx.live, meetingId, onChange });
      exposeTestHook(client);
      await client.join();
      if (client.state.status !== 'joined') throw new Error(t('recording.guide.notJoined'));
      await client.startRecording({ title: name, kind: 'guide' });
      recordingScreen(name);
    } catch (err) {
      startBtn.disabled = false;
      client?.dispose();
      client = null;
      await endMeeting();
      meetingId = null;
      if (err.name === 'MeetingError') form.before(problemBox(t, err.code));
      else alert.error(t, err?.code ? err : err?.message ?? err);
    }
  });

  replaceChildren(body, form);
  return h('section', { class: 'rec-guide' },
    h('p', { class: 'eyebrow' }, h('a', { href: buildHash('knowledge') }, t('kb.title'))),
    pageHeading(t('recording.guide.title')),
    sign.el, alert.el, body);
}
