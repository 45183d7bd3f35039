// Moderator tools of a meeting: inviting a named guest (a link to copy) and the per
// participant statistics from `meeting.stats`.
import { h, replaceChildren } from '../../lib/dom.js';
import { absoluteUrl, formatDate } from '../../lib/format.js';
import { field, alertBox, showFieldErrors } from '../components.js';

export function guestInvite(ctx, meeting) {
  const { t, api, lang } = ctx;
  const alert = alertBox();
  const name = field(t, { label: t('meeting.invite.name'), name: 'meeting-guest-name', required: true });
  const email = field(t, { label: t('meeting.invite.email'), name: 'meeting-guest-email', type: 'email', hint: t('meeting.invite.emailHintMail') });
  const language = field(t, { label: t('invite.language'), name: 'meeting-guest-language', control: 'select', value: lang,
    options: [['sv', t('language.sv')], ['en', t('language.en')]] });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('meeting.invite.submit'));
  const result = h('div', {});
  const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('meeting.invite.title') }, alert.el, name.wrap, email.wrap, language.wrap, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    replaceChildren(result);
    const values = { name: name.input.value.trim(), email: email.input.value.trim() };
    const errors = {};
    if (!values.name) errors.name = 'validation.required';
    if (values.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) errors.email = 'validation.email';
    if (showFieldErrors(t, { name, email }, errors)) return;
    submit.disabled = true;
    try {
      const inv = await api.inviteToMeeting(meeting.id, values.email ? { ...values, language: language.input.value } : { name: values.name });
      name.input.value = '';
      email.input.value = '';
      const link = field(t, { label: t('meeting.invite.link'), name: 'meeting-invite-link', value: absoluteUrl(inv.url, location.origin), attrs: { readonly: true } });
      const copy = h('button', { type: 'button', class: 'btn btn-secondary' }, t('workspace.copyLink'));
      const copied = h('span', { class: 'hint', role: 'status' });
      copy.addEventListener('click', async () => {
        link.input.select();
        try { await navigator.clipboard.writeText(link.input.value); } catch { document.execCommand?.('copy'); }
        copied.textContent = t('workspace.copied');
      });
      replaceChildren(result, h('div', { class: 'invite-result' },
        h('p', { role: 'status' }, inv.emailed
          ? t('invite.emailedUntil', { email: values.email, date: formatDate(inv.expiresAt, lang) })
          : t('meeting.invite.done', { name: inv.guestName ?? values.name, date: formatDate(inv.expiresAt, lang) })),
        link.wrap, h('div', { class: 'row' }, copy, copied)));
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'meeting-invite-h' },
    h('h2', { id: 'meeting-invite-h' }, t('meeting.invite.title')),
    h('p', { class: 'hint' }, t('meeting.invite.hint')), form, result);
}

const COLUMNS = ['packetsIn', 'packetsOut', 'lost', 'jitterMs', 'droppedSlow', 'malformed', 'rateLimited', 'mutedDropped'];
/** Columns of newer servers, shown when the answer has them. */
const NEWER_COLUMNS = ['droppedStale', 'quality'];
/** What this page receives, per remote stream (the jitter buffers' statistics). */
const RECEIVED_COLUMNS = ['delayMs', 'targetMs', 'stalls', 'concealed'];

function statCell(t, r, c) {
  if (c === 'jitterMs') return Number(r[c] ?? 0).toFixed(1);
  if (c === 'quality') {
    // The participant's connection, in words (not colour alone).
    return r.connection === 'reconnecting' ? t('meeting.participantReconnecting')
      : t(`meeting.quality.${['good', 'fair', 'poor'].includes(r.quality) ? r.quality : 'good'}`);
  }
  return String(r[c] ?? 0);
}

/** The table of what this page receives: delay and target per stream (fields a buffer lacks show "–"). */
function receivedTable(t, client) {
  const streams = client.audioStats?.()?.playback?.streams ?? {};
  const names = {};
  for (const p of Object.values(client.state?.participants ?? {})) names[p.streamId] = p.person?.name;
  const ids = Object.keys(streams);
  if (!ids.length) return null;
  const cell = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v)) : '–');
  return h('table', { class: 'stats-table stats-received', 'data-testid': 'meeting-stats-received' },
    h('caption', {}, t('meeting.stats.received')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('meeting.stats.stream')),
      RECEIVED_COLUMNS.map((c) => h('th', { scope: 'col' }, t(`meeting.stats.${c}`))))),
    h('tbody', {}, ids.map((id) => h('tr', { 'data-stream': id }, h('th', { scope: 'row' }, names[id] ?? id),
      RECEIVED_COLUMNS.map((c) => h('td', {}, cell(streams[id]?.[c] ?? (c === 'delayMs' ? streams[id]?.bufferedMs : undefined))))))));
}

export function statsPanel(ctx, client) {
  const { t } = ctx;
  const alert = alertBox();
  const table = h('div', { class: 'table-wrap' });
  const btn = h('button', { type: 'button', class: 'btn btn-secondary' }, t('meeting.stats.load'));
  btn.addEventListener('click', async () => {
    alert.clear();
    btn.disabled = true;
    try {
      const res = await client.stats();
      const rows = res?.participants ?? [];
      const columns = [...COLUMNS, ...NEWER_COLUMNS.filter((c) => rows.some((r) => c in r))];
      replaceChildren(table, rows.length
        ? h('table', { class: 'stats-table' },
          h('caption', { class: 'visually-hidden' }, t('meeting.stats.title')),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('meeting.stats.person')),
            columns.map((c) => h('th', { scope: 'col' }, t(`meeting.stats.${c}`))))),
          h('tbody', {}, rows.map((r) => h('tr', { 'data-stream': String(r.streamId), 'data-connection': r.connection ?? 'ok' },
            h('th', { scope: 'row' }, r.person?.name ?? String(r.streamId)),
            columns.map((c) => h('td', {}, statCell(t, r, c)))))))
        : h('p', { class: 'empty' }, t('meeting.stats.none')), receivedTable(t, client));
    } catch (err) {
      alert.error(t, err);
    } finally {
      btn.disabled = false;
      btn.textContent = t('meeting.stats.refresh');
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'meeting-stats-h' },
    h('h2', { id: 'meeting-stats-h' }, t('meeting.stats.title')), alert.el, h('div', { class: 'row' }, btn), table);
}
