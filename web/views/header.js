// The page header. On a wide screen: brand, main navigation, search, notifications,
// language, who is logged in and "Logga ut" in one band. On a phone (CSS, max-width 48rem)
// it is one row – brand, notifications and a "Meny" disclosure button that opens the tools
// (search, language, logout) – while the main navigation sits as a bar at the bottom of the
// screen, within reach of a thumb. A meeting guest (user.meetingId) gets only the brand,
// the language and "Logga ut": their page holds the meeting and nothing else.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { LANGUAGES } from '../lib/i18n.js';
import { field } from './components.js';
import { searchBox } from './search.js';

const KNOWLEDGE_ROUTES = ['knowledgeNew', 'article', 'articleEdit', 'articleHistory', 'guideRecorder', 'recording'];

/** The main-navigation entry a route belongs to (for aria-current). Pure. */
export function currentSection(name) {
  if (name === 'person' || name === 'personBlogPost') return 'people';
  if (name.startsWith('workspace')) return 'home';
  if (KNOWLEDGE_ROUTES.includes(name)) return 'knowledge';
  if (name.startsWith('admin')) return 'admin';
  if (name.startsWith('news')) return 'news';
  return name;
}

/** The main navigation for a user: [name, href, text key]. Pure. */
export function navLinks(user) {
  if (!user || user.meetingId) return [];
  const links = [['home', '#/', 'nav.home']];
  if (user.role !== 'guest') links.push(['people', '#/people', 'nav.people']);
  if (user.role !== 'guest') links.push(['news', '#/news', 'nav.news']);
  links.push(['knowledge', '#/knowledge', 'nav.knowledge']);
  links.push(['profile', '#/profile', 'nav.profile']);
  if (user.role === 'admin') links.push(['admin', '#/admin', 'nav.admin']);
  return links;
}

/**
 * Fills `headerEl`. Returns `{link, count}` of the notifications indicator (or null).
 * `onLanguage(lang)` switches the language; `logout()` logs out.
 */
export function renderHeader(headerEl, { t, user, route, lang, navigate, logout, onLanguage }) {
  const links = navLinks(user);
  const current = currentSection(route.name);
  const meetingGuest = Boolean(user?.meetingId);
  let unread = null;
  let notificationsLink = null;
  if (user && !meetingGuest) {
    const count = h('span', { class: 'unread-count', 'aria-hidden': 'true', hidden: true });
    notificationsLink = h('a', {
      class: 'notif-link', href: buildHash('notifications'), 'aria-current': route.name === 'notifications' ? 'page' : false,
    }, h('span', { class: 'notif-icon', 'aria-hidden': 'true' }), h('span', { class: 'notif-text' }, t('notifications.nav')), count);
    unread = { link: notificationsLink, count };
  }
  const langField = field(t, {
    label: t('header.language'), name: 'language', control: 'select', value: lang,
    options: LANGUAGES.map((l) => [l, t(`language.${l}`)]),
  });
  langField.wrap.classList.add('lang-switch');
  langField.input.addEventListener('change', () => onLanguage(langField.input.value, langField.input.id));

  const tools = h('div', { class: 'header-tools', id: 'header-tools' },
    user && !meetingGuest && route.name !== 'search' ? searchBox(t, { navigate, cls: 'header-search' }) : null,
    langField.wrap,
    user ? h('span', { class: 'header-user' }, user.name) : null,
    user ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: logout }, t('nav.logout')) : null);
  // The disclosure button only shows on a phone (CSS); on a wide screen the tools are always visible.
  const menuButton = h('button', {
    type: 'button', class: 'menu-button', 'aria-expanded': 'false', 'aria-controls': 'header-tools',
  }, h('span', { class: 'menu-icon', 'aria-hidden': 'true' }), h('span', {}, t('header.menu')));
  const setOpen = (open, { focusButton = false } = {}) => {
    menuButton.setAttribute('aria-expanded', String(open));
    tools.classList.toggle('header-tools-open', open);
    if (open) tools.querySelector('input, select, button')?.focus();
    else if (focusButton) menuButton.focus();
  };
  menuButton.addEventListener('click', () => setOpen(menuButton.getAttribute('aria-expanded') !== 'true'));
  tools.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menuButton.getAttribute('aria-expanded') === 'true') { e.preventDefault(); setOpen(false, { focusButton: true }); }
  });
  menuButton.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') setOpen(false);
  });
  replaceChildren(headerEl,
    h('div', { class: 'header-inner' },
      h('a', { class: 'brand', href: user ? (meetingGuest ? buildHash('meeting', { id: user.meetingId }) : '#/') : '#/login' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'),
        h('span', { class: 'brand-text' }, t('app.name')),
        h('span', { class: 'brand-sub' }, t('app.org'))),
      links.length
        ? h('nav', { class: 'main-nav', 'aria-label': t('nav.label') },
          h('ul', {}, links.map(([name, href, key]) =>
            h('li', {}, h('a', { href, 'aria-current': name === current ? 'page' : false, class: `nav-${name}` },
              h('span', { class: 'nav-long' }, t(key)), h('span', { class: 'nav-short', 'aria-hidden': 'true' }, t(key.replace('nav.', 'nav.short.'))))))))
        : null,
      notificationsLink,
      menuButton,
      tools));
  headerEl.classList.toggle('has-bottom-nav', links.length > 0);
  return unread;
}
