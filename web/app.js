// Communis web client: start-up, session, header, language switch and hash routing.
// Views live in views/; pure logic in lib/.
import { h, replaceChildren } from './lib/dom.js';
import { createApi } from './lib/api.js';
import { parseHash, requiresSession, buildHash } from './lib/router.js';
import { createTranslator, pickLanguage, STORAGE_KEY, LANGUAGES } from './lib/i18n.js';
import { errorPanel, pageHeading, field } from './views/components.js';
import { renderLogin } from './views/login.js';
import { renderHome } from './views/home.js';
import { renderWorkspace } from './views/workspace.js';
import { renderPeople, renderPerson } from './views/people.js';
import { renderProfile } from './views/profile.js';
import { renderAdmin } from './views/admin.js';
import { renderInvitation } from './views/invitation.js';

const VIEWS = {
  login: renderLogin,
  home: renderHome,
  workspace: renderWorkspace,
  people: renderPeople,
  person: renderPerson,
  profile: renderProfile,
  admin: renderAdmin,
  invitation: renderInvitation,
};

const state = {
  session: null, // SessionInfo or null
  lang: 'sv',
  dicts: {},
  t: null,
  renderSeq: 0,
  afterLogin: null,
};

const api = createApi({ getCsrfToken: () => state.session?.csrfToken ?? null });
const headerEl = document.getElementById('site-header');
const mainEl = document.getElementById('main');

function storedLanguage() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}

function setLanguage(lang) {
  state.lang = pickLanguage(lang);
  try { localStorage.setItem(STORAGE_KEY, state.lang); } catch { /* private mode */ }
  state.t = createTranslator(state.dicts, state.lang);
  document.documentElement.lang = state.lang;
}

async function loadDictionaries() {
  const load = async (lang) => {
    const res = await fetch(`i18n/${lang}.json`, { credentials: 'same-origin' });
    return res.ok ? res.json() : {};
  };
  const entries = await Promise.all(LANGUAGES.map(async (l) => [l, await load(l)]));
  state.dicts = Object.fromEntries(entries);
}

function setSession(info) {
  state.session = info;
}

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function logout() {
  try { await api.logout(); } catch { /* the session may already be gone */ }
  state.session = null;
  navigate('#/login');
}

function renderHeader(route) {
  const t = state.t;
  const user = state.session?.user;
  const links = [];
  if (user) {
    links.push(['home', '#/', t('nav.home')]);
    if (user.role !== 'guest') links.push(['people', '#/people', t('nav.people')]);
    links.push(['profile', '#/profile', t('nav.profile')]);
    if (user.role === 'admin') links.push(['admin', '#/admin', t('nav.admin')]);
  }
  const current = route.name === 'person' ? 'people' : route.name === 'workspace' ? 'home' : route.name;
  const langField = field(t, {
    label: t('header.language'), name: 'language', control: 'select', value: state.lang,
    options: LANGUAGES.map((l) => [l, t(`language.${l}`)]),
  });
  langField.wrap.classList.add('lang-switch');
  langField.input.addEventListener('change', () => {
    setLanguage(langField.input.value);
    render().then(() => document.getElementById(langField.input.id)?.focus());
  });
  replaceChildren(headerEl,
    h('div', { class: 'header-inner' },
      h('a', { class: 'brand', href: user ? '#/' : '#/login' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'),
        h('span', { class: 'brand-text' }, t('app.name')),
        h('span', { class: 'brand-sub' }, t('app.org'))),
      links.length
        ? h('nav', { class: 'main-nav', 'aria-label': t('nav.label') },
          h('ul', {}, links.map(([name, href, text]) =>
            h('li', {}, h('a', { href, 'aria-current': name === current ? 'page' : false }, text)))))
        : null,
      h('div', { class: 'header-tools' },
        langField.wrap,
        user ? h('span', { class: 'header-user' }, user.name) : null,
        user ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: logout }, t('nav.logout')) : null)));
}

async function render() {
  const seq = ++state.renderSeq;
  const route = parseHash(location.hash);
  const t = state.t;
  if (requiresSession(route) && !state.session) {
    state.afterLogin = location.hash && route.name !== 'notFound' ? location.hash : null;
    if (location.hash !== '#/login') { location.hash = '#/login'; return; }
  }
  if (route.name === 'login' && state.session) { location.hash = '#/'; return; }
  renderHeader(route);
  document.title = t('app.title');
  const skip = document.getElementById('skip-link');
  skip.textContent = t('nav.skip');
  skip.onclick = (e) => { e.preventDefault(); mainEl.focus(); };
  const ctx = {
    api, t, lang: state.lang, route,
    get session() { return state.session; },
    get user() { return state.session?.user ?? null; },
    setSession(info) { setSession(info); },
    navigate,
    afterLogin() { const target = state.afterLogin ?? '#/'; state.afterLogin = null; navigate(target); },
    rerender: () => render(),
    isCurrent: () => seq === state.renderSeq,
    setTitle(text) { document.title = `${text} – ${t('app.name')}`; },
  };
  replaceChildren(mainEl, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  let content;
  try {
    const view = VIEWS[route.name];
    content = view
      ? await view(ctx)
      : h('section', { class: 'card' }, pageHeading(t('notFound.title')), h('p', {}, t('notFound.text')),
        h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
  } catch (err) {
    if (err?.code === 'unauthenticated') {
      state.session = null;
      if (seq === state.renderSeq) navigate('#/login');
      return;
    }
    content = h('section', {}, pageHeading(t('common.errorTitle')), errorPanel(t, err));
  }
  if (seq !== state.renderSeq) return;
  replaceChildren(mainEl, content);
  // Move focus to the new page's heading so keyboard and screen-reader users land there.
  const heading = mainEl.querySelector('h1');
  if (heading && state.rendered) heading.focus({ preventScroll: false });
  state.rendered = true;
}

async function start() {
  await loadDictionaries();
  setLanguage(storedLanguage());
  try {
    state.session = await api.getSession();
  } catch {
    state.session = null;
  }
  window.addEventListener('hashchange', () => render());
  await render();
}

start();
