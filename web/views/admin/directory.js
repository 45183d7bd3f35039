// Katalog och grupper: the directory's state and last synchronisation, "Synkronisera nu" and
// "Provkör (ändrar inget)" with their report, the OIDC and mail state with "Skicka testmejl",
// and the group rules (rules.js).
import { h, replaceChildren } from '../../lib/dom.js';
import { plural } from '../../lib/i18n.js';
import { alertBox, actionButton, timeEl } from '../components.js';
import { groupRulesSection } from './rules.js';

const REPORT_COUNTS = ['created', 'updated', 'disabled', 'enabled', 'membershipsAdded', 'membershipsRemoved', 'errors'];

function fact(label, ...value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

/** A SyncReport: its counts as a list of words and numbers, then the server's messages. */
export function syncReport(t, report) {
  const counts = REPORT_COUNTS.map((k) => h('li', {}, plural(t, `admin.sync.count.${k}`, Number(report?.[k] ?? 0))));
  const messages = Array.isArray(report?.messages) ? report.messages : [];
  return h('div', { class: 'stack sync-report' },
    h('ul', { class: 'sync-counts' }, counts),
    messages.length ? h('div', {}, h('p', {}, h('strong', {}, t('admin.sync.messages'))),
      h('ul', { class: 'sync-messages' }, messages.map((m) => h('li', {}, String(m))))) : null);
}

function directoryCard(ctx, info, onSynced) {
  const { t, api, lang } = ctx;
  const alert = alertBox();
  const result = h('div', { class: 'stack' });
  if (!info.configured) {
    return h('section', { class: 'card', 'aria-labelledby': 'dir-h' },
      h('h2', { id: 'dir-h' }, t('admin.directory.title')), h('p', {}, t('admin.directory.notConfigured')));
  }
  const last = info.lastSync;
  const sync = (dryRun) => actionButton(t, dryRun ? t('admin.sync.dryRun') : t('admin.sync.now'), async () => {
    replaceChildren(result);
    try {
      const report = await api.syncDirectory(dryRun);
      // A real run changes the state above, which is drawn again; a dry run is shown here.
      if (!dryRun) { await onSynced(report); return; }
      const heading = h('h3', { tabindex: '-1' }, t('admin.sync.dryRunResult'));
      replaceChildren(result, heading, h('p', {}, t('admin.sync.dryRunDone')), syncReport(t, report));
      heading.focus();
    } catch (err) {
      if (err.code === 'conflict') throw Object.assign(new Error(), { code: 'sync-running' });
      throw err;
    }
  }, { alert, cls: `btn ${dryRun ? 'btn-secondary' : 'btn-primary'}` });
  return h('section', { class: 'card stack', 'aria-labelledby': 'dir-h' },
    h('h2', { id: 'dir-h' }, t('admin.directory.title')),
    h('dl', { class: 'facts' },
      fact(t('admin.directory.kind'), info.kind ? t(`admin.directory.kind.${info.kind}`) : '–'),
      fact(t('admin.directory.url'), info.url ?? '–'),
      fact(t('admin.directory.interval'), Number(info.syncIntervalMinutes ?? 0) > 0
        ? plural(t, 'admin.directory.everyMinutes', Number(info.syncIntervalMinutes)) : t('admin.directory.manualOnly')),
      fact(t('admin.directory.lastSync'), last
        ? [timeEl(last.at, lang), ' ', h('span', { class: `badge ${last.ok ? 'badge-ok' : 'badge-danger'}` },
          last.ok ? t('admin.directory.syncOk') : t('admin.directory.syncFailed'))]
        : t('admin.directory.neverSynced'))),
    last?.message ? h('p', {}, last.message) : null,
    last ? syncReport(t, last) : null,
    h('p', { class: 'hint' }, t('admin.sync.hint')),
    alert.el,
    h('div', { class: 'row' }, sync(false), sync(true)),
    result);
}

function loginAndMailCard(ctx, info) {
  const { t, api, user } = ctx;
  const alert = alertBox();
  const mail = info.mail ?? { configured: false, pending: 0, failed: 0 };
  const oidc = info.oidc;
  return h('section', { class: 'card stack', 'aria-labelledby': 'oidc-mail-h' },
    h('h2', { id: 'oidc-mail-h' }, t('admin.services.title')),
    h('h3', {}, t('admin.oidc.title')),
    oidc
      ? h('dl', { class: 'facts' }, fact(t('admin.oidc.name'), oidc.displayName ?? '–'), fact(t('admin.oidc.issuer'), oidc.issuer ?? '–'))
      : h('p', {}, t('admin.oidc.notConfigured')),
    h('h3', {}, t('admin.mail.title')),
    mail.configured
      ? h('div', { class: 'stack' },
        h('p', {}, t('admin.mail.configured')),
        h('dl', { class: 'facts' },
          fact(t('admin.mail.pending'), String(mail.pending ?? 0)),
          fact(t('admin.mail.failed'), String(mail.failed ?? 0))),
        alert.el,
        h('div', { class: 'row' }, actionButton(t, t('admin.mail.test'), async () => {
          await api.sendTestMail(ctx.lang);
          alert.success(t('admin.mail.testSent', { email: user.email }));
        }, { alert, cls: 'btn btn-secondary' })))
      : h('p', {}, t('admin.mail.notConfigured')));
}

export async function directoryTab(ctx) {
  const { t, api } = ctx;
  const status = h('div', { class: 'stack' });
  const notice = h('div', { class: 'alert alert-success', hidden: true, tabindex: '-1' });
  async function load() {
    const info = await api.getDirectory();
    replaceChildren(status, directoryCard(ctx, info, async (report) => {
      await load();
      const heading = h('h3', {}, t('admin.sync.result'));
      replaceChildren(notice, heading, h('p', { role: 'status' }, t('admin.sync.done')), syncReport(t, report));
      notice.hidden = false;
      notice.focus();
    }), loginAndMailCard(ctx, info));
  }
  await load();
  return h('div', { class: 'stack' }, notice, status, await groupRulesSection(ctx));
}
