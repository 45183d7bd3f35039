// Administration (admins only): one page with a sub-navigation — Konton (#/admin),
// Katalog och grupper (#/admin/directory), Granskningslogg (#/admin/audit), Nyheter (#/admin/news).
import { h } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { pageHeading } from '../components.js';
import { notAllowedPage } from '../people.js';
import { usersTab } from './users.js';
import { directoryTab } from './directory.js';
import { auditTab } from './audit.js';
import { newsAdminTab } from '../news-admin.js';

const TABS = [
  ['admin', 'admin.tab.users', 'admin.intro', usersTab],
  ['adminDirectory', 'admin.tab.directory', 'admin.directoryIntro', directoryTab],
  ['adminAudit', 'admin.tab.audit', 'admin.auditIntro', auditTab],
  ['adminNews', 'admin.tab.news', 'admin.newsIntro', newsAdminTab],
];

export async function renderAdmin(ctx) {
  const { t, user, route } = ctx;
  const [name, titleKey, introKey, tab] = TABS.find(([n]) => n === route.name) ?? TABS[0];
  ctx.setTitle(`${t(titleKey)} – ${t('admin.title')}`);
  if (user.role !== 'admin') return notAllowedPage(t, 'admin.notAllowed');
  const content = await tab(ctx);
  return h('div', { class: 'admin-page' },
    h('div', { class: 'hero' }, pageHeading(t('admin.title')), h('p', { class: 'lead' }, t(introKey))),
    h('nav', { class: 'ws-tabs admin-tabs', 'aria-label': t('admin.tabsLabel') },
      h('ul', {}, TABS.map(([n, key]) => h('li', {},
        h('a', { class: 'ws-tab', href: buildHash(n), 'aria-current': n === name ? 'page' : false }, t(key)))))),
    content);
}
