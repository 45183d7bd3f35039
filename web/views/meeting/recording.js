// Recording in a meeting: the "Spelas in" sign everyone sees (a live region, so screen
// readers announce it; also in the lobby), the message when a recording stopped and why, and
// the moderators' controls: start, stop, mark a chapter, the chapters so far with their
// times, and a warning when the recorder fell behind. Drawn from the meeting state
// (meeting-state.js + recording-state.js); the elements are made once and updated in place
// so focus and the live region survive updates.
import { h, replaceChildren } from '../../lib/dom.js';
import { formatOffset, stopReasonKey, chapterTitleError, elapsedMs } from '../../meeting/recording-state.js';
import { plural } from '../../lib/i18n.js';

/** The sign: red dot + "Spelas in" while recording; the stop reason afterwards. */
export function recordingSign(t) {
  const el = h('div', { class: 'rec-sign-region', role: 'status' });
  let shown = '';
  return {
    el,
    update(state) {
      const active = state.status === 'joined' || state.status === 'reconnecting' || state.status === 'lobby';
      let key = '';
      if (active && state.recording) key = `on:${state.status === 'lobby' ? 'lobby' : 'in'}:${state.recording.id}`;
      else if (active && state.recordingStop) key = `off:${state.recordingStop.reason}`;
      if (key === shown) return;
      shown = key;
      if (!key) { replaceChildren(el); el.className = 'rec-sign-region'; return; }
      if (state.recording) {
        el.className = 'rec-sign-region rec-sign-on';
        replaceChildren(el,
          h('p', { class: 'rec-sign' },
            h('span', { class: 'rec-dot', 'aria-hidden': 'true' }),
            h('strong', {}, t('recording.sign')),
            state.recording.title ? h('span', { class: 'rec-sign-title' }, ` · ${state.recording.title}`) : null),
          state.status === 'lobby' ? h('p', { class: 'rec-sign-lobby' }, t('recording.lobbyNotice')) : null);
      } else {
        el.className = 'rec-sign-region rec-sign-off';
        replaceChildren(el, h('p', {}, t(stopReasonKey(state.recordingStop.reason))));
      }
    },
  };
}

/** The chapters of a recording as a list with their times. */
export function chapterList(t, chapters, cls = 'rec-chapters') {
  return h('ol', { class: cls, 'aria-label': t('recording.chapters') },
    chapters.map((c) => h('li', {}, h('span', { class: 'rec-time' }, formatOffset(c.offsetMs)), ' ', c.title)));
}

/**
 * Recording controls for a meeting room: moderators start and stop and mark chapters;
 * everyone sees the chapters while it records. `kind` 'meeting' or 'guide'; `big` makes the
 * chapter button large (the guide recorder).
 */
export function recordingControls(ctx, { client, alert, kind = 'meeting', title = () => '', big = false, onStopped = null, allowStart = true }) {
  const { t } = ctx;
  let state = client.state;
  let busy = false;
  let timer = null;
  const act = (btn, fn) => async () => {
    if (busy) return;
    busy = true;
    btn.disabled = true;
    alert.clear();
    try { await fn(); } catch (err) { alert.error(t, err); } finally { busy = false; btn.disabled = false; render(); }
  };

  const startBtn = h('button', { type: 'button', class: 'btn btn-danger rec-start', 'data-focus-key': 'rec-start' },
    h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), t('recording.start'));
  const stopBtn = h('button', { type: 'button', class: 'btn btn-danger rec-stop', 'data-focus-key': 'rec-stop' },
    kind === 'guide' ? t('recording.guide.stop') : t('recording.stop'));
  startBtn.addEventListener('click', act(startBtn, () => client.startRecording({ title: title() || undefined, kind })));
  stopBtn.addEventListener('click', act(stopBtn, async () => {
    const res = await client.stopRecording();
    await onStopped?.(res);
  }));

  const inputId = `rec-chapter-${Math.random().toString(36).slice(2, 8)}`;
  const chapterInput = h('input', { id: inputId, type: 'text', name: 'chapter', maxlength: 200, autocomplete: 'off',
    placeholder: t('recording.chapter.placeholder'), 'aria-describedby': `${inputId}-err` });
  const chapterError = h('p', { class: 'field-error', id: `${inputId}-err`, hidden: true });
  const chapterBtn = h('button', { type: 'submit', class: `btn btn-primary rec-mark${big ? ' rec-mark-big' : ''}` }, t('recording.chapter.mark'));
  const chapterForm = h('form', { class: `rec-chapter-form${big ? ' rec-chapter-form-big' : ''}`, novalidate: true, 'aria-label': t('recording.chapter.form') },
    h('div', { class: 'field' }, h('label', { for: inputId }, t('recording.chapter.label')), chapterInput, chapterError),
    chapterBtn);
  chapterForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = chapterInput.value.trim();
    const error = chapterTitleError(value, state.recording);
    chapterError.hidden = !error;
    chapterError.textContent = error ? t(error) : '';
    if (error) { chapterInput.setAttribute('aria-invalid', 'true'); chapterInput.focus(); return; }
    chapterInput.removeAttribute('aria-invalid');
    await act(chapterBtn, async () => {
      await client.markChapter(value);
      chapterInput.value = '';
      chapterInput.focus();
    })();
  });
  const elapsed = h('span', { class: 'rec-elapsed', role: 'timer', 'aria-label': t('recording.elapsed') });
  const behind = h('p', { class: 'alert alert-warning rec-behind', role: 'alert', hidden: true });
  const chapters = h('div', { class: 'rec-chapter-box' });
  const buttons = h('div', { class: 'row rec-buttons' }, startBtn, stopBtn, elapsed);
  const el = h('section', { class: `card rec-controls rec-controls-${kind}`, 'aria-labelledby': `${inputId}-h` },
    h('h2', { id: `${inputId}-h` }, kind === 'guide' ? t('recording.guide.controls') : t('recording.title')),
    buttons, behind, chapterForm, chapters);

  function tick() {
    elapsed.textContent = state.recording ? formatOffset(elapsedMs(state.recording.startedAt)) : '';
  }

  function render() {
    const rec = state.recording;
    const moderator = Boolean(state.moderator);
    el.hidden = (state.status !== 'joined' && state.status !== 'reconnecting') || (!moderator && !rec);
    startBtn.hidden = !moderator || Boolean(rec) || !allowStart;
    stopBtn.hidden = !moderator || !rec;
    chapterForm.hidden = !moderator || !rec;
    elapsed.hidden = !rec;
    const b = state.recordingBehind;
    behind.hidden = !(moderator && rec && b && b.recordingId === rec.id);
    behind.textContent = behind.hidden ? '' : plural(t, 'recording.behind', b.droppedPackets);
    const list = rec?.chapters ?? [];
    replaceChildren(chapters, list.length ? [h('h3', {}, t('recording.chapters')), chapterList(t, list)] : null);
    tick();
    if (rec && !timer) timer = setInterval(tick, 1000);
    if (!rec && timer) { clearInterval(timer); timer = null; }
  }
  render();

  return {
    el,
    chapterInput,
    update(next) { state = next; render(); },
    dispose() { if (timer) clearInterval(timer); timer = null; },
  };
}
