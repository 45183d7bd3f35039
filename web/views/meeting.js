// The meeting page (#/meetings/<id>): before joining, the "Gå med" button (a real click
// starts the audio); then the room (views/meeting/room.js); the lobby's waiting screen for
// guests; and the screens for a meeting that ended or a person who was removed. A browser
// that cannot take part (no WebCodecs Opus, no microphone) gets an explanation, never a
// silent meeting. The meeting's chat is its workspace thread (views/meeting/chat.js).
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { formatWhen } from '../lib/format.js';
import { pageHeading, alertBox } from './components.js';
import { createMeetingClient } from '../meeting/client.js';
import { meetingRoom } from './meeting/room.js';
import { meetingChat } from './meeting/chat.js';
import { recordingSign } from './meeting/recording.js';

const PROBLEMS = new Set(['no-webcodecs', 'no-opus', 'no-worklet', 'insecure', 'mic-denied', 'mic-missing', 'mic-failed', 'encoder-failed']);
const MIC_PROBLEMS = new Set(['mic-denied', 'mic-missing', 'mic-failed']);

function notFound(t) {
  return h('section', { class: 'card' }, pageHeading(t('meeting.notFoundTitle')), h('p', {}, t('meeting.notFoundText')),
    h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
}

/** The explanation for a browser or microphone problem (role=alert so it is announced). */
export function problemBox(t, code, { onListen } = {}) {
  const key = PROBLEMS.has(code) ? code : 'encoder-failed';
  return h('div', { class: 'alert alert-error meeting-problem', role: 'alert' },
    h('p', { class: 'meeting-problem-title' }, h('strong', {}, t(`meeting.problem.${key}.title`))),
    h('p', {}, t(`meeting.problem.${key}.text`)),
    MIC_PROBLEMS.has(key) && onListen
      ? h('p', {}, h('button', { type: 'button', class: 'btn btn-secondary', onclick: onListen }, t('meeting.listenOnly')))
      : null);
}

export async function renderMeeting(ctx) {
  const { t, api, lang } = ctx;
  const id = ctx.route.params.id;
  let meeting;
  try {
    meeting = await api.getMeeting(id);
  } catch (err) {
    if (err.code === 'not-found' || err.status === 404) return notFound(t);
    throw err;
  }
  ctx.setTitle(meeting.title);
  const live = ctx.live;
  const alert = alertBox();
  const body = h('div', { class: 'stack meeting-body' });
  const chatBox = h('div', {});
  const sign = recordingSign(t);
  let room = null;
  let client = null;
  let problem = null;
  let root = null; // the page's root element, once made

  const sub = () => {
    const parts = [t(`meeting.state.${meeting.state}`)];
    if (meeting.scheduledFor) parts.push(formatWhen(meeting.scheduledFor, lang));
    return parts.join(' · ');
  };
  // A meeting guest's page holds the meeting and nothing else: no way into a workspace
  // they cannot see ("hittades inte").
  const meetingGuest = Boolean(ctx.user?.meetingId);
  const crumbs = meetingGuest ? null : h('p', { class: 'crumbs' }, meeting.workspaceId
    ? h('a', { href: buildHash('workspace', { id: meeting.workspaceId }) }, t('meeting.backToWorkspace'))
    : h('a', { href: buildHash('home') }, t('common.backHome')));
  const subline = h('p', { class: 'meta' }, sub());

  function screen(kind, text) {
    room?.dispose();
    room = null;
    replaceChildren(body, h('section', { class: `card meeting-screen meeting-screen-${kind}`, 'aria-labelledby': 'meeting-screen-h' },
      h('h2', { id: 'meeting-screen-h', tabindex: '-1' }, t(`meeting.screen.${kind}.title`)),
      h('p', { role: 'status' }, text),
      kind === 'left' ? h('p', {}, joinButton(t('meeting.joinAgain'))) : null,
      meeting.workspaceId && kind !== 'lobby' && !meetingGuest
        ? h('p', {}, h('a', { href: buildHash('workspace', { id: meeting.workspaceId }) }, t('meeting.backToWorkspace')))
        : null));
    body.querySelector('h2')?.focus?.();
  }

  function onChange(state, before) {
    if (!ctx.isCurrent()) return;
    sign.update(state);
    markRoot(state);
    if (state.status === before.status && state.status === 'joined') { room?.update(state); return; }
    // A recording starting or stopping while waiting changes only the sign.
    if (state.status === before.status && state.status === 'lobby' && body.querySelector('.meeting-lobby')) return;
    switch (state.status) {
      case 'joined':
        if (meeting.state !== 'live') { meeting = { ...meeting, state: 'live' }; subline.textContent = sub(); }
        if (!room) {
          room = meetingRoom(ctx, { client, meeting, alert, onLeave: () => client.leave() });
          replaceChildren(body, room.el);
          room.el.querySelector('h2')?.focus?.();
        }
        room.update(state);
        return;
      case 'reconnecting':
        // The room stays, saying "Återansluter…", until the rejoin is answered.
        room?.update(state);
        return;
      case 'lobby':
        replaceChildren(body, h('section', { class: 'card meeting-screen meeting-lobby', 'aria-labelledby': 'lobby-h' },
          h('h2', { id: 'lobby-h', tabindex: '-1' }, t('meeting.lobby.title')),
          h('p', { role: 'status' }, t('meeting.lobby.waiting')),
          h('p', { class: 'hint' }, t('meeting.lobby.hint')),
          h('p', {}, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => client.leave() }, t('meeting.leave')))));
        body.querySelector('h2')?.focus?.();
        return;
      case 'ended':
        meeting = { ...meeting, state: 'ended' };
        subline.textContent = sub();
        screen('ended', state.endedBy?.name ? t('meeting.screen.ended.by', { name: state.endedBy.name }) : t('meeting.screen.ended.text'));
        return;
      case 'removed':
        screen('removed', !state.removed?.by?.name ? t('meeting.screen.removed.noBy')
          : t(state.removed.reason === 'denied' ? 'meeting.screen.denied' : 'meeting.screen.removed.text', { name: state.removed.by.name }));
        return;
      case 'left':
        screen('left', t('meeting.screen.left.text'));
        return;
      case 'idle':
        // Joining again after a reconnect failed: back to the start.
        if ((before.status === 'joining' || before.status === 'reconnecting') && (room || body.querySelector('.meeting-lobby'))) {
          room?.dispose();
          room = null;
          preJoin();
        }
        return;
      default:
    }
  }

  function joinButton(label = t('meeting.join')) {
    const btn = h('button', { type: 'button', class: 'btn btn-primary meeting-join' }, label);
    btn.addEventListener('click', () => join(btn, {}));
    return btn;
  }

  async function join(btn, options) {
    alert.clear();
    problem?.remove();
    problem = null;
    const label = btn?.textContent;
    if (btn) { btn.disabled = true; btn.textContent = t('meeting.joining'); }
    try {
      client ??= createMeetingClient({
        live, meetingId: id, onChange,
        onMicLevel: (l) => room?.micLevel(l),
        onLevels: (levels) => room?.levels(levels),
      });
      exposeTestHook(client);
      await client.join(options);
    } catch (err) {
      if (btn) { btn.disabled = false; btn.textContent = label; }
      if (err.name === 'MeetingError') {
        problem = problemBox(t, err.code, { onListen: () => join(null, { listen: true }) });
        body.prepend(problem);
      } else {
        alert.error(t, err);
      }
    }
  }

  function preJoin() {
    const people = meeting.participants ?? [];
    replaceChildren(body, h('section', { class: 'card meeting-prejoin', 'aria-labelledby': 'prejoin-h' },
      h('h2', { id: 'prejoin-h' }, t('meeting.prejoin.title')),
      h('p', {}, people.length
        ? t('meeting.prejoin.inNow', { names: people.map((p) => p.name).join(', ') })
        : t('meeting.prejoin.nobody')),
      h('p', { class: 'hint' }, t('meeting.prejoin.hint')),
      live ? joinButton() : h('p', { class: 'empty' }, t('meeting.noLive'))));
  }

  if (meeting.state === 'ended') {
    replaceChildren(body, h('section', { class: 'card meeting-screen meeting-screen-ended' },
      h('h2', {}, t('meeting.screen.ended.title')), h('p', {}, t('meeting.screen.ended.text'))));
  } else {
    preJoin();
    // From the invitation page's "Gå med" (a click, so audio may start): straight into the
    // lobby with the default microphone settings; no second "Gå med". Once only.
    if (ctx.route.query.join === '1' && live) {
      history.replaceState(null, '', buildHash('meeting', { id }));
      join(body.querySelector('.meeting-join'), {});
    }
  }

  if (meeting.threadId && meeting.workspaceId) {
    const chat = meetingChat(ctx, { workspaceId: meeting.workspaceId, threadId: meeting.threadId, meetingId: id, meetingGuest });
    ctx.onCleanup(() => chat.dispose());
    replaceChildren(chatBox, chat.el);
  }

  ctx.onCleanup(() => {
    client?.dispose();
    room?.dispose();
    if (window.__communisMeeting?.client === client) window.__communisMeeting = null;
  });

  /** The meeting root carries my stream id and the meeting's status (the browser tests read them). */
  function markRoot(state) {
    if (!root) return;
    if (Number.isInteger(state.you) && state.status !== 'idle') root.dataset.streamId = String(state.you);
    else delete root.dataset.streamId;
    root.dataset.meetingStatus = state.status;
  }

  const page = h('div', { class: 'meeting-page', 'data-segment': 'people' }, crumbs,
    h('div', { class: 'card ws-hero' }, h('p', { class: 'eyebrow' }, t('meeting.eyebrow')), pageHeading(meeting.title), subline),
    sign.el,
    alert.el,
    chatBox.firstChild ? segments(t, (s) => { page.dataset.segment = s; }) : null,
    h('div', { class: 'layout-two' }, h('div', { class: 'col-main stack' }, body), h('div', { class: 'col-side stack' }, chatBox)));
  root = page;
  if (client) markRoot(client.state);
  return page;
}

/**
 * "Deltagare | Chatt": on a phone (CSS) the participants and the chat take turns on the
 * first screen instead of the chat sitting a thousand pixels below; hidden on a wide screen,
 * where both are shown side by side.
 */
function segments(t, onChoose) {
  const buttons = ['people', 'chat'].map((s) => h('button', {
    type: 'button', class: 'segment', 'aria-pressed': String(s === 'people'), 'data-segment': s,
  }, t(`meeting.segment.${s}`)));
  for (const b of buttons) {
    b.addEventListener('click', () => {
      for (const o of buttons) o.setAttribute('aria-pressed', String(o === b));
      onChoose(b.dataset.segment);
    });
  }
  return h('div', { class: 'segments', role: 'group', 'aria-label': t('meeting.segment.label') }, buttons);
}

/**
 * The hook the browser tests read: state(), receivedLevels() (RMS per remote stream of
 * the PCM decoded in the last 500 ms), playedLevels(), ownStreamId(), stats(), cuesPlayed()
 * (the recording start/stop sounds played), quality() ({level, metrics}: my connection as
 * measured here) and rejoins() ([{rejoined, streamId}] per rejoin after a reconnect).
 */
export function exposeTestHook(client) {
  window.__communisMeeting = {
    client,
    state: () => client.state,
    ownStreamId: () => client.state.you,
    receivedLevels: () => client.receivedLevels(),
    playedLevels: () => client.playedLevels(),
    sending: () => client.sending,
    stats: () => client.audioStats(),
    cuesPlayed: () => client.cuesPlayed,
    quality: () => client.quality,
    rejoins: () => client.rejoins,
  };
}
