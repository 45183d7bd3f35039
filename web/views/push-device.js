// "Push-aviseringar på den här enheten": one switch that subscribes this browser to Web Push
// (web/lib/push.js) or unsubscribes it, and a test message. Mounted by the profile page and
// the notification settings; `ctx` gives `t` and `api`, `env` (tests) replaces the browser.
import { h, replaceChildren, uid } from '../lib/dom.js';
import { plural } from '../lib/i18n.js';
import { pushSupported, currentSubscription, enablePush, disablePush } from '../lib/push.js';
import { alertBox, actionButton } from './components.js';

/** The switch's state on this device: unsupported, off-on-server, blocked, on or off. */
export async function pushDeviceState(api, env) {
  if (!pushSupported(env)) return 'unsupported';
  try {
    await api.request('GET', '/push/vapid-public-key');
  } catch (err) {
    if (err?.code === 'push-disabled') return 'off-on-server';
    throw err;
  }
  const notifications = env ? env.Notification : globalThis.Notification;
  if (notifications?.permission === 'denied') return 'blocked';
  return (await currentSubscription(env)) ? 'on' : 'off';
}

/** The control: a labelled checkbox, a line saying what it means now, and "Skicka test". */
export function pushDeviceControl(ctx, env = undefined) {
  const { t, api } = ctx;
  const alert = alertBox();
  const id = uid('push');
  const box = h('input', { type: 'checkbox', id, role: 'switch', disabled: true });
  const status = h('p', { class: 'hint', id: `${id}-status`, 'aria-live': 'polite' });
  box.setAttribute('aria-describedby', status.id);
  const test = actionButton(t, t('push.test'), async () => {
    const { sent } = await api.request('POST', '/push/test');
    alert.success(plural(t, 'push.testSent', sent));
  }, { alert, cls: 'btn btn-secondary' });
  const section = h('section', { class: 'card push-device', 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, t('push.title')),
    h('div', { class: 'field field-check' }, box, h('label', { for: id }, t('push.thisDevice'))),
    status, test, alert.el);

  function show(state) {
    box.checked = state === 'on';
    box.disabled = !['on', 'off'].includes(state);
    test.hidden = state !== 'on';
    replaceChildren(status, t(`push.state.${state}`));
  }

  async function refresh() {
    try { show(await pushDeviceState(api, env)); } catch (err) { show('off'); alert.error(t, err); }
  }

  box.addEventListener('change', async () => {
    const wanted = box.checked;
    box.disabled = true;
    alert.clear();
    try {
      if (wanted) await enablePush(api, env); else await disablePush(api, env);
    } catch (err) {
      if (err?.name === 'PushError') alert.error(t, t(`push.error.${err.code}`)); else alert.error(t, err);
    }
    await refresh();
  });
  show('loading');
  refresh();
  return section;
}
