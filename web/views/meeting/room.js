// Inside a meeting: your controls (microphone, hand, leave, your own level), the
// participant list with who is speaking, muted and hand icons and a level meter each, and
// for moderators the lobby, actions on participants, "end for all", a guest invitation and
// the statistics. Redrawn from the meeting state; the meters are updated in place.
// While the live connection is down, "Återansluter…" (data-testid meeting-reconnecting);
// while my connection is poor (or fair), a notice (data-testid meeting-quality-self);
// participants who are reconnecting or whose connection is fair/poor say so in words
// (each row: data-connection, data-quality).
import { h, replaceChildren } from '../../lib/dom.js';
import { plural } from '../../lib/i18n.js';
import { participantList, connectionOf } from '../../meeting/meeting-state.js';
import { meterFromRms, smoothMeter } from '../../meeting/levels.js';
import { avatar, keepFocus } from '../components.js';
import { guestInvite, statsPanel } from './moderator.js';
import { recordingControls } from './recording.js';
import { ask } from '../dialog.js';

function meterEl(label) {
  const bar = h('span', { class: 'meter-bar' });
  return { el: h('span', { class: 'meter', role: 'img', 'aria-label': label }, bar), bar, value: 0 };
}

function setMeter(m, target, elapsedMs) {
  m.value = smoothMeter(m.value, target, elapsedMs);
  m.bar.style.transform = `scaleX(${m.value.toFixed(3)})`;
}

export function meetingRoom(ctx, { client, meeting, alert, onLeave }) {
  const { t, lang } = ctx;
  let state = client.state;
  const meters = new Map(); // streamId → meter
  const mine = meterEl(t('meeting.yourLevel'));
  let micTarget = 0;
  let lastFrame = performance.now();
  let raf = null;

  const act = (fn) => async () => {
    alert.clear();
    try { await fn(); } catch (err) { alert.error(t, err); }
  };

  const muteBtn = h('button', { type: 'button', class: 'btn btn-secondary', 'data-focus-key': 'mute' });
  const handBtn = h('button', { type: 'button', class: 'btn btn-secondary', 'data-focus-key': 'hand' });
  const leaveBtn = h('button', { type: 'button', class: 'btn btn-danger', onclick: act(onLeave) }, t('meeting.leave'));
  const endBtn = h('button', { type: 'button', class: 'btn btn-danger', onclick: act(async () => {
    if (!await ask(t, t('meeting.endConfirm'))) return;
    await client.end();
  }) }, t('meeting.endForAll'));
  muteBtn.addEventListener('click', act(() => client.setMuted(!client.muted)));
  handBtn.addEventListener('click', act(() => client.setHand(!(state.participants[state.you]?.handRaised))));
  const micStatus = h('p', { class: 'meta mic-status', role: 'status' });
  const notice = h('p', { class: 'meeting-notice', role: 'status' });
  // The live regions stay in the page (empty when there is nothing to say) so that they are
  // announced when their text appears; the notice inside exists only while it applies.
  const reconnectingEl = h('div', { class: 'meeting-reconnecting-region', role: 'status' });
  const qualityEl = h('div', { class: 'meeting-quality-region', role: 'status' });
  let shownReconnecting = null;
  let shownQuality = null;

  const controls = h('section', { class: 'card meeting-controls', 'aria-labelledby': 'controls-h' },
    h('h2', { id: 'controls-h', tabindex: '-1' }, t('meeting.controls')),
    // On a phone this row is a bar fixed at the bottom of the screen (styles.css), within reach of a thumb.
    h('div', { class: 'row meeting-buttons meeting-bar', role: 'group', 'aria-label': t('meeting.controls') }, muteBtn, handBtn, leaveBtn),
    h('div', { class: 'row meeting-buttons' }, endBtn),
    h('div', { class: 'mic-line' }, h('span', { class: 'meta' }, t('meeting.yourMic')), mine.el, micStatus),
    notice);
  const connectionNotices = h('div', { class: 'meeting-connection-notices' }, reconnectingEl, qualityEl);

  const listHeading = h('h2', { id: 'participants-h' });
  const list = h('ul', { class: 'participant-list' });
  const participants = h('section', { class: 'card meeting-participants', 'aria-labelledby': 'participants-h' }, listHeading, list);
  const lobbyList = h('ul', { class: 'member-list lobby-list' });
  const lobby = h('section', { class: 'card meeting-lobby-list', 'aria-labelledby': 'lobby-list-h', hidden: true },
    h('h2', { id: 'lobby-list-h' }, t('meeting.lobbyList.title')), lobbyList);
  const modTools = h('div', { class: 'stack', hidden: true });
  let modBuilt = false;

  const recording = recordingControls(ctx, { client, alert, kind: 'meeting', title: () => meeting.title });
  const el = h('div', { class: 'stack meeting-room' }, connectionNotices, controls, recording.el, lobby, participants, modTools);

  function participantItem(p) {
    let m = meters.get(p.streamId);
    if (!m) { m = meterEl(t('meeting.levelOf', { name: p.person?.name ?? '' })); meters.set(p.streamId, m); }
    const name = p.person?.name ?? '';
    const badges = [];
    if (p.you) badges.push(h('span', { class: 'badge' }, t('meeting.you')));
    if (p.moderator) badges.push(h('span', { class: 'badge badge-role' }, t('meeting.moderator')));
    if (p.guest) badges.push(h('span', { class: 'badge badge-guest' }, t('meeting.guest')));
    // Text badges rather than emoji: they read out as they look, and need no emoji font.
    const icons = [];
    if (p.speaking) icons.push(h('span', { class: 'badge badge-speaking' }, t('meeting.speaking')));
    if (p.muted) icons.push(h('span', { class: 'badge badge-muted' }, t('meeting.muted')));
    if (p.handRaised) icons.push(h('span', { class: 'badge badge-hand' }, t('meeting.handRaised')));
    if (p.connection === 'reconnecting') icons.push(h('span', { class: 'badge badge-reconnecting' }, t('meeting.participantReconnecting')));
    else if (p.quality === 'fair' || p.quality === 'poor') {
      // Bars for the eye, words for everyone (not colour alone).
      icons.push(h('span', { class: `badge badge-quality badge-quality-${p.quality}` },
        h('span', { class: 'quality-bars', 'aria-hidden': 'true' }, h('span', {}), h('span', {}), h('span', {})),
        t(`meeting.quality.${p.quality}`)));
    }
    const actions = [];
    if (state.moderator && !p.you) {
      if (!p.muted) actions.push(h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-focus-key': `mute-${p.streamId}`,
        'aria-label': t('meeting.muteNamed', { name }), onclick: act(() => client.muteOther(p.streamId)) }, t('meeting.muteOther')));
      if (p.handRaised) actions.push(h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-focus-key': `hand-${p.streamId}`,
        'aria-label': t('meeting.lowerHandNamed', { name }), onclick: act(() => client.lowerHand(p.streamId)) }, t('meeting.lowerHand')));
      actions.push(h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': `remove-${p.streamId}`,
        'aria-label': t('meeting.removeNamed', { name }), onclick: act(() => client.remove(p.streamId)) }, t('meeting.remove')));
    }
    return h('li', { class: `participant${p.speaking ? ' participant-speaking' : ''}${p.muted ? ' participant-muted' : ''}${p.connection === 'reconnecting' ? ' participant-reconnecting' : ''}`,
      'data-stream': String(p.streamId), 'data-connection': p.connection, 'data-quality': p.quality },
      avatar(name),
      h('div', { class: 'participant-main' },
        h('p', { class: 'participant-name' }, h('span', { class: 'pname' }, name), ' ', badges, ' ', icons),
        m.el),
      actions.length ? h('div', { class: 'member-actions' }, actions) : null);
  }

  function renderConnection() {
    const down = state.status === 'reconnecting';
    if (down !== shownReconnecting) {
      shownReconnecting = down;
      replaceChildren(reconnectingEl, down
        ? h('div', { class: 'meeting-reconnecting', 'data-testid': 'meeting-reconnecting' },
          h('p', { class: 'meeting-reconnecting-title' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('strong', {}, t('meeting.reconnecting'))),
          h('p', { class: 'hint' }, t('meeting.reconnectingHint')))
        : null);
    }
    // The worse of what this page measures and what the server says of me (it also sees my sending).
    const rank = { good: 0, fair: 1, poor: 2 };
    const server = connectionOf(state.participants[state.you]).quality;
    const level = down ? 'good' : (rank[server] > rank[state.quality] ? server : state.quality ?? 'good');
    if (level !== shownQuality) {
      shownQuality = level;
      replaceChildren(qualityEl, level === 'good' ? null
        : h('div', { class: `meeting-quality-self meeting-quality-${level}`, 'data-testid': 'meeting-quality-self', 'data-quality': level },
          h('p', {}, h('strong', {}, t(`meeting.quality.self.${level}`))),
          h('p', { class: 'hint' }, t(`meeting.quality.self.${level}Hint`))));
    }
  }

  function render() {
    renderConnection();
    const people = participantList(state, lang).map((p) => (p.you && state.status === 'reconnecting' ? { ...p, connection: 'reconnecting' } : p));
    const self = state.participants[state.you];
    const muted = client.muted;
    // The label says what a press does (no aria-pressed: a toggle's name must not change).
    muteBtn.textContent = muted ? t('meeting.unmute') : t('meeting.mute');
    muteBtn.disabled = client.listenOnly;
    handBtn.textContent = self?.handRaised ? t('meeting.lowerOwnHand') : t('meeting.raiseHand');
    handBtn.disabled = state.status === 'reconnecting';
    endBtn.hidden = !state.moderator;
    micStatus.textContent = client.listenOnly ? t('meeting.listeningOnly') : muted ? t('meeting.micOff') : t('meeting.micOn');
    const n = client.lastNotice;
    notice.textContent = n?.by && n.muted && self?.muted ? t('meeting.mutedBy', { name: n.by.name }) : '';
    listHeading.textContent = plural(t, 'meeting.participants', people.length);
    keepFocus(list, () => replaceChildren(list, people.map(participantItem)));
    for (const id of [...meters.keys()]) if (!state.participants[id]) meters.delete(id);
    // Lobby (moderators only receive it).
    lobby.hidden = !state.moderator || !state.lobby.length;
    keepFocus(lobbyList, () => replaceChildren(lobbyList, state.lobby.map((e) => {
      const name = e.person?.name ?? '';
      return h('li', { class: 'member' },
        h('div', { class: 'person-line' }, avatar(name), h('p', { class: 'person-name' }, name)),
        h('div', { class: 'member-actions' },
          h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': `admit-${e.streamId}`,
            'aria-label': t('meeting.admitNamed', { name }), onclick: act(() => client.admit(e.streamId)) }, t('meeting.admit')),
          h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-focus-key': `deny-${e.streamId}`,
            'aria-label': t('meeting.denyNamed', { name }), onclick: act(() => client.deny(e.streamId)) }, t('meeting.deny'))));
    })));
    if (state.moderator && !modBuilt) {
      modBuilt = true;
      replaceChildren(modTools, guestInvite(ctx, meeting), statsPanel(ctx, client));
    }
    modTools.hidden = !state.moderator;
    recording.update(state);
  }

  // Meters: about 20 times a second, in place.
  function tick(now) {
    const elapsed = now - lastFrame;
    if (elapsed >= 50) {
      lastFrame = now;
      const played = client.playedLevels();
      for (const [id, m] of meters) {
        if (id === state.you) setMeter(m, client.sending ? micTarget : 0, elapsed);
        else setMeter(m, meterFromRms(played[id] ?? 0), elapsed);
      }
      setMeter(mine, micTarget, elapsed);
    }
    raf = requestAnimationFrame(tick);
  }
  raf = requestAnimationFrame(tick);
  document.body.classList.add('in-meeting');

  return {
    el,
    update(next) { state = next; render(); },
    micLevel({ meter }) { micTarget = meter; },
    levels() { /* read on the next frame */ },
    dispose() {
      if (raf) cancelAnimationFrame(raf);
      raf = null;
      recording.dispose();
      document.body.classList.remove('in-meeting');
    },
  };
}
