// "Vänta 2 minuter innan du försöker igen.": the notice a 429 too-many-attempts shows on the
// login and password-reset forms. It keeps the form's button disabled until the wait is
// over and counts down visibly; a polite live region speaks only when the wait starts and
// when it ends (lib/wait-time.js decides), not every second.
import { h } from '../lib/dom.js';
import { waitText, remainingSeconds, countdownAnnouncement } from '../lib/wait-time.js';

/**
 * Returns `{el, start(seconds), stop(), active}`; `button` is disabled while waiting.
 * `register(fn)` receives the clean-up to run when the view is left (ctx.onCleanup).
 */
export function waitNotice(t, { button, register, doneKey = 'wait.done' }) {
  const text = h('p', { class: 'wait-text' });
  const box = h('div', { class: 'alert alert-warning wait-notice', hidden: true }, text);
  const spoken = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  let timer = null;
  let until = 0;
  let previous = null;

  function tick() {
    const left = remainingSeconds(until, Date.now());
    const say = countdownAnnouncement(previous, left);
    previous = left;
    if (left > 0) {
      text.textContent = waitText(t, left);
      box.hidden = false;
      button.disabled = true;
      if (say === 'start') spoken.textContent = text.textContent;
      return;
    }
    stop();
    if (say === 'done') spoken.textContent = t(doneKey);
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    box.hidden = true;
    button.disabled = false;
  }

  register?.(() => { if (timer) clearInterval(timer); timer = null; });
  return {
    el: h('div', {}, box, spoken),
    start(seconds) {
      if (timer) clearInterval(timer);
      until = Date.now() + seconds * 1000;
      previous = null;
      spoken.textContent = '';
      tick();
      // Half a second keeps the shown count within a second of the truth.
      timer = setInterval(tick, 500);
    },
    stop,
    get active() { return timer !== null; },
  };
}
