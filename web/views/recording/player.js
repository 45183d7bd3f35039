// A recording's player: an <audio controls preload="metadata"> on the recording's audio (the
// server answers Range requests, so the element can seek) and its chapters as buttons that
// seek it and play. Used on the recording page and for each recording in a knowledge-bank
// article. `play()` is called inside the click, so the browser lets it start.
import { h, replaceChildren } from '../../lib/dom.js';
import { formatOffset, seekSeconds, audioUrl } from '../../meeting/recording-state.js';

/**
 * `rec`: a recording or an article's reference to one ({id|recordingId, title, chapters,
 * audioUrl?}). Returns {el, audio, seek(ms, {play})}.
 */
export function recordingPlayer(t, rec, { label = rec.title, headingLevel = null } = {}) {
  const audio = h('audio', { controls: true, preload: 'metadata', class: 'rec-audio', src: audioUrl(rec), 'aria-label': t('recording.player', { title: label ?? '' }) });
  const note = h('p', { class: 'hint rec-player-note', role: 'status' });
  let pending = null; // ms to seek to once the metadata is known

  function apply() {
    if (pending === null) return;
    const target = seekSeconds(pending, audio.duration);
    pending = null;
    try { audio.currentTime = target; } catch { /* not seekable yet: the next loadedmetadata tries again */ }
  }
  audio.addEventListener('loadedmetadata', apply);
  audio.addEventListener('error', () => { note.textContent = t('recording.playerError'); });
  audio.addEventListener('playing', () => { if (note.textContent === t('recording.pressPlay')) note.textContent = ''; });

  /** Seeks to `ms` and (by default) plays from there. */
  function seek(ms, { play = true } = {}) {
    pending = Math.max(0, Number(ms) || 0);
    if (audio.readyState >= 1) apply();
    else if (audio.preload === 'none' || audio.networkState === 0) audio.load();
    if (play) {
      const p = audio.play();
      p?.catch?.((err) => { if (err?.name === 'NotAllowedError') note.textContent = t('recording.pressPlay'); });
    }
  }

  const chapters = rec.chapters ?? [];
  const list = chapters.length
    ? h('ol', { class: 'rec-chapter-list', 'aria-label': t('recording.chaptersOf', { title: label ?? '' }) },
      chapters.map((c) => h('li', {},
        h('button', { type: 'button', class: 'btn btn-ghost btn-small rec-chapter', 'data-offset-ms': String(c.offsetMs),
          'aria-label': t('recording.playFrom', { time: formatOffset(c.offsetMs), title: c.title }),
          onclick: () => seek(c.offsetMs) },
        h('span', { class: 'rec-time' }, formatOffset(c.offsetMs)), ' ', c.title))))
    : null;
  const el = h('div', { class: 'rec-player' },
    headingLevel ? h(`h${headingLevel}`, {}, label) : null,
    audio, note,
    list ? h('div', { class: 'rec-chapters-wrap' }, h('p', { class: 'meta' }, t('recording.chapters')), list) : null);
  return { el, audio, seek, setNote(text) { replaceChildren(note, text); } };
}
