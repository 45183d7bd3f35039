// The notification settings section of the profile page (#/profile?section=notifications):
// a table of kind × in the app / e-post / push, quiet hours and "Spara". The form's values
// are read and written through the pure helpers in lib/notifications.js.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { settingsRows, settingsBody, EMAIL_CHOICES } from '../lib/notifications.js';
import { alertBox, errorPanel } from './components.js';

export const SETTINGS_HEADING = 'notif-settings-h';

function checkbox(id, checked, label) {
  const box = h('input', { type: 'checkbox', id, checked: checked ? true : null });
  box.checked = Boolean(checked);
  return h('span', { class: 'cell-check' }, box, h('label', { for: id, class: 'visually-hidden' }, label));
}

function settingsTable(t, rows) {
  const head = h('thead', {}, h('tr', {},
    h('th', { scope: 'col' }, t('notif.settings.kind')),
    h('th', { scope: 'col' }, t('notif.settings.app')),
    h('th', { scope: 'col' }, t('notif.settings.email')),
    h('th', { scope: 'col' }, t('notif.settings.push'))));
  const body = h('tbody', {}, rows.map((row) => {
    const kindLabel = t(`notif.settings.kind.${row.kind}`);
    const select = h('select', { id: `notif-email-${row.kind}`, name: `email-${row.kind}` },
      EMAIL_CHOICES.map((choice) => h('option', { value: choice, selected: row.email === choice ? true : null }, t(`notif.settings.email.${choice}`))));
    select.value = row.email;
    return h('tr', { 'data-kind': row.kind },
      h('th', { scope: 'row' }, kindLabel),
      h('td', {}, checkbox(`notif-app-${row.kind}`, row.app, `${kindLabel}: ${t('notif.settings.app')}`)),
      h('td', {}, h('label', { for: `notif-email-${row.kind}`, class: 'visually-hidden' }, `${kindLabel}: ${t('notif.settings.email')}`), select),
      h('td', {}, checkbox(`notif-push-${row.kind}`, row.push, `${kindLabel}: ${t('notif.settings.push')}`)));
  }));
  return h('table', { class: 'stats-table notif-settings-table' }, head, body);
}

function readRows(root, rows) {
  return rows.map((row) => ({
    kind: row.kind,
    app: root.querySelector(`#notif-app-${row.kind}`).checked,
    email: root.querySelector(`#notif-email-${row.kind}`).value,
    push: root.querySelector(`#notif-push-${row.kind}`).checked,
  }));
}

/** The section; loads the settings itself. */
export function notificationSettingsSection(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  const body = h('div', { class: 'stack' }, h('p', { class: 'hint' }, '…'));

  async function load() {
    let settings;
    try {
      settings = await api.getNotificationSettings();
    } catch (err) {
      if (err?.code === 'unauthenticated') throw err;
      replaceChildren(body, errorPanel(t, err));
      return;
    }
    const rows = settingsRows(settings);
    const quiet = settings.quietHours ?? { enabled: true, from: '22:00', to: '07:00' };
    const enabled = h('input', { type: 'checkbox', id: 'notif-quiet-enabled' });
    enabled.checked = Boolean(quiet.enabled);
    const from = h('input', { type: 'time', id: 'notif-quiet-from', value: quiet.from, required: true });
    const to = h('input', { type: 'time', id: 'notif-quiet-to', value: quiet.to, required: true });
    const zone = h('input', { type: 'text', id: 'notif-time-zone', value: settings.timeZone ?? 'Europe/Stockholm', autocomplete: 'off' });
    const save = h('button', { type: 'submit', class: 'btn' }, t('notif.settings.save'));
    const form = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'table-wrap' }, settingsTable(t, rows)),
      h('fieldset', { class: 'stack' },
        h('legend', {}, t('notif.settings.quiet')),
        h('p', { class: 'check' }, enabled, ' ', h('label', { for: 'notif-quiet-enabled' }, t('notif.settings.quietEnabled'))),
        h('div', { class: 'row' },
          h('p', {}, h('label', { for: 'notif-quiet-from' }, t('notif.settings.quietFrom')), ' ', from),
          h('p', {}, h('label', { for: 'notif-quiet-to' }, t('notif.settings.quietTo')), ' ', to),
          h('p', {}, h('label', { for: 'notif-time-zone' }, t('notif.settings.timeZone')), ' ', zone)),
        h('p', { class: 'hint' }, t('notif.settings.quietHint'))),
      h('div', { class: 'row' }, save));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        const language = t.lang === 'en' ? 'en' : 'sv';
        await api.saveNotificationSettings(settingsBody(readRows(form, rows), { enabled: enabled.checked, from: from.value, to: to.value },
          zone.value.trim() || 'Europe/Stockholm', language));
        alert.success(t('notif.settings.saved'));
      } catch (err) {
        alert.error(t, err);
      } finally {
        save.disabled = false;
      }
    });
    // This device's push switch (web/views/push-device.js) follows this section on the
    // profile page: push is chosen per kind here and switched on per device there.
    replaceChildren(body, form);
  }

  load();
  return h('section', { class: 'card', id: 'notification-settings', 'aria-labelledby': SETTINGS_HEADING },
    h('h2', { id: SETTINGS_HEADING, tabindex: '-1' }, t('notif.settings.title')),
    h('p', { class: 'hint' }, t('notif.settings.intro')),
    alert.el, body);
}

/** On the plain profile page: a short card that leads to the settings. */
export function notificationSettingsLink(ctx) {
  const { t } = ctx;
  return h('section', { class: 'card', 'aria-labelledby': SETTINGS_HEADING },
    h('h2', { id: SETTINGS_HEADING }, t('notif.settings.title')),
    h('p', { class: 'hint' }, t('notif.settings.intro')),
    h('p', {}, h('a', { href: buildHash('profile', {}, { section: 'notifications' }) }, t('notif.settingsLink'))));
}

/** Scrolls to and focuses the section's heading (after app.js focused the page's h1). */
export function focusNotificationSettings(ctx, root) {
  setTimeout(() => {
    if (ctx.isCurrent && !ctx.isCurrent()) return;
    const heading = root.querySelector(`#${SETTINGS_HEADING}`);
    if (!heading?.isConnected) return;
    heading.scrollIntoView({ block: 'start' });
    heading.focus({ preventScroll: true });
  }, 0);
}
