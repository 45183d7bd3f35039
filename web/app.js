// Communis web client: start-up, session, header, language switch, hash routing and the
// one live connection per tab (lib/socket.js) with its "Återansluter…" banner and the
// notifications indicator. Views live in views/; pure logic in lib/.
import { h, replaceChildren } from './lib/dom.js';
import { createApi } from './lib/api.js';
import { parseHash, requiresSession, buildHash } from './lib/router.js';
import { createTranslator, pickLanguage, STORAGE_KEY, plural, loadDictionaries } from './lib/i18n.js';
import { createLiveClient, liveUrl } from './lib/socket.js';
import { errorPanel, pageHeading, setDocumentCardTexts } from './views/components.js';
import { renderHeader as renderHeaderView } from './views/header.js';
import { renderLogin } from './views/login.js';
import { renderHome } from './views/home.js';
import { renderWorkspace } from './views/workspace.js';
import { renderPeople, renderPerson } from './views/people.js';
import { renderProfile } from './views/profile.js';
import { renderPasswordReset } from './views/password-reset.js';
import { renderInvitation } from './views/invitation.js';
import { renderNotifications } from './views/notifications.js';
import { renderSearch } from './views/search.js';

/**
 * A view loaded when first shown: meetings, recordings, the knowledge bank's editor and
 * administration are code most visits never run, so the bundle keeps them in chunks of their
 * own (esbuild splits at each import()) and the first load stays small.
 */
function lazy(load, name) {
  return async (ctx) => (await load())[name](ctx);
}
const meetingView = () => import('./views/meeting.js');
const knowledgeView = () => import('./views/knowledge.js');
const recordingView = () => import('./views/recording/page.js');
const guideView = () => import('./views/recording/guide.js');
const adminView = () => import('./views/admin/index.js');
const documentView = () => import('./views/documents/page.js');
const newsView = () => import('./views/news.js');
const newsArticleView = () => import('./views/news-article.js');
const newsEditorView = () => import('./views/news-editor.js');
const newsReportView = () => import('./views/news-report.js');

const VIEWS = {
  login: renderLogin,
  home: renderHome,
  workspace: renderWorkspace,
  workspaceBlog: renderWorkspace,
  workspaceBlogPost: renderWorkspace,
  workspaceDocuments: renderWorkspace,
  document: lazy(documentView, 'renderDocument'),
  people: renderPeople,
  person: renderPerson,
  personBlogPost: renderPerson,
  profile: renderProfile,
  admin: lazy(adminView, 'renderAdmin'),
  adminDirectory: lazy(adminView, 'renderAdmin'),
  adminAudit: lazy(adminView, 'renderAdmin'),
  adminNews: lazy(adminView, 'renderAdmin'),
  passwordReset: renderPasswordReset,
  passwordResetToken: renderPasswordReset,
  invitation: renderInvitation,
  notifications: renderNotifications,
  meeting: lazy(meetingView, 'renderMeeting'),
  meetingInvitation: lazy(() => import('./views/meeting-invitation.js'), 'renderMeetingInvitation'),
  search: renderSearch,
  knowledge: lazy(knowledgeView, 'renderKnowledge'),
  knowledgeNew: lazy(knowledgeView, 'renderArticleEditor'),
  article: lazy(knowledgeView, 'renderArticle'),
  articleEdit: lazy(knowledgeView, 'renderArticleEditor'),
  articleHistory: lazy(knowledgeView, 'renderArticleHistory'),
  guideRecorder: lazy(guideView, 'renderGuideRecorder'),
  recording: lazy(recordingView, 'renderRecording'),
  news: lazy(newsView, 'renderNews'),
  newsArticle: lazy(newsArticleView, 'renderNewsArticle'),
  newsNew: lazy(newsEditorView, 'renderNewsEditor'),
  newsEdit: lazy(newsEditorView, 'renderNewsEditor'),
  newsAcknowledgements: lazy(newsReportView, 'renderNewsAcknowledgements'),
};

/** `<meta name="communis-build">` of a bundle (hashed language files, version); null unbundled. */
const build = document.querySelector('meta[name="communis-build"]');

const state = {
  session: null, // SessionInfo or null
  lang: 'sv',
  dicts: {},
  t: null,
  renderSeq: 0,
  afterLogin: null,
  live: null, // the live client while logged in
  unread: 0, // unread notifications
  cleanups: [], // run when the current view is left
  notice: '', // a one-off message for the status banner (e.g. session ended)
};

const api = createApi({ getCsrfToken: () => state.session?.csrfToken ?? null });

// The login page asks which ways to log in (GET /auth/options) once it knows there is no
// session: a round trip after the session's. A browser that was not logged in last time asks
// both at start, side by side, and the login view gets that answer (once).
const SIGNED_IN_KEY = 'communis.signedIn';
let earlyAuthOptions = null;
const askAuthOptions = api.authOptions;
api.authOptions = () => {
  const early = earlyAuthOptions;
  earlyAuthOptions = null;
  return early ?? askAuthOptions();
};

function rememberSignedIn(yes) {
  try {
    if (yes) localStorage.setItem(SIGNED_IN_KEY, '1'); else localStorage.removeItem(SIGNED_IN_KEY);
  } catch { /* private mode: no head start */ }
}

function signedInLastTime() {
  try { return localStorage.getItem(SIGNED_IN_KEY) === '1'; } catch { return false; }
}
const headerEl = document.getElementById('site-header');
const mainEl = document.getElementById('main');
const liveStatusEl = document.getElementById('live-status');
let unreadEl = null;

function storedLanguage() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}

function setLanguage(lang) {
  state.lang = pickLanguage(lang);
  try { localStorage.setItem(STORAGE_KEY, state.lang); } catch { /* private mode */ }
  state.t = createTranslator(state.dicts, state.lang);
  document.documentElement.lang = state.lang;
}

/** Loads the texts of `lang` only (the other language's file is fetched when it is chosen). */
async function loadLanguage(lang) {
  state.dicts = await loadDictionaries(state.dicts, [lang], { build: build?.dataset });
}

function offline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

function renderLiveStatus() {
  const t = state.t;
  if (!t || !liveStatusEl) return;
  const liveState = state.live?.state;
  let text = '';
  if (offline()) text = t('app.offline');
  else if (liveState === 'reconnecting') text = t('live.reconnecting');
  else if (liveState === 'closed' && state.liveFatal) text = t('live.failed');
  else if (state.notice) text = state.notice;
  // The region stays in the page (empty when there is nothing to say) so that screen
  // readers announce it when text appears.
  if (liveStatusEl.textContent !== text) liveStatusEl.textContent = text;
  liveStatusEl.className = `live-status${liveState === 'reconnecting' || offline() ? ' live-status-reconnecting' : ''}`;
}

function renderUnread() {
  if (!unreadEl || !state.t) return;
  const t = state.t;
  unreadEl.link.setAttribute('aria-label', state.unread
    ? plural(t, 'notifications.navUnread', state.unread) : t('notifications.nav'));
  unreadEl.count.textContent = state.unread ? String(state.unread) : '';
  unreadEl.count.hidden = !state.unread;
}

function setUnread(count) {
  state.unread = Math.max(0, count);
  renderUnread();
}

async function loadUnread() {
  try {
    const res = await api.listNotifications({ limit: 1 });
    setUnread(res?.unread ?? 0);
  } catch { /* the indicator stays as it is */ }
}

function sendPresence() {
  if (state.live?.state === 'open') {
    state.live.send('presence.set', { data: { status: document.hidden ? 'away' : 'online' } }).catch(() => {});
  }
}

function startLive() {
  if (state.live || !state.session || typeof WebSocket === 'undefined') return;
  const live = createLiveClient({ url: liveUrl(location) });
  state.live = live;
  state.liveFatal = false;
  window.__communisLive = live; // debugging and the browser tests (drop(), state, lastSeq())
  live.on('state', (s) => {
    if (s === 'open') { state.notice = ''; if (document.hidden) sendPresence(); }
    renderLiveStatus();
  });
  live.on('fatal', () => { state.liveFatal = true; renderLiveStatus(); });
  live.on('notification', () => setUnread(state.unread + 1));
  live.on('session-ended', async () => {
    stopLive();
    // The server ended this connection's session (logout elsewhere, password change,
    // disabled account). Check: if the session still works, connect again.
    try { state.session = await api.getSession(); } catch { state.session = null; }
    if (state.session) { startLive(); render(); return; }
    // A page that already went to the login page itself ("Logga ut överallt") keeps its message.
    if (parseHash(location.hash).name === 'login') return;
    state.notice = state.t('live.sessionEnded');
    renderLiveStatus();
    navigate('#/login');
  });
  live.start();
  loadUnread();
}

function stopLive() {
  if (!state.live) return;
  state.live.stop();
  state.live = null;
  window.__communisLive = null;
  renderLiveStatus();
}

function setSession(info) {
  state.session = info;
  rememberSignedIn(Boolean(info));
  if (info) { state.notice = ''; startLive(); } else stopLive();
}

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function logout() {
  try { await api.logout(); } catch { /* the session may already be gone */ }
  state.session = null;
  rememberSignedIn(false);
  stopLive();
  setUnread(0);
  navigate('#/login');
}

function renderHeader(route) {
  unreadEl = renderHeaderView(headerEl, {
    t: state.t, user: state.session?.user, route, lang: state.lang, navigate, logout,
    async onLanguage(lang) {
      await loadLanguage(pickLanguage(lang));  // only the active language is loaded until another is chosen
      setLanguage(lang);
      render().then(() => {
        const select = headerEl.querySelector('select[name="language"]');
        (select?.offsetParent ? select : headerEl.querySelector('.menu-button'))?.focus();
      });
    },
  });
  document.body.classList.toggle('meeting-guest', Boolean(state.session?.user?.meetingId));
  renderUnread();
}

async function render() {
  const seq = ++state.renderSeq;
  for (const fn of state.cleanups.splice(0)) {
    try { fn(); } catch { /* a view's cleanup must not stop navigation */ }
  }
  const route = parseHash(location.hash);
  const t = state.t;
  if (requiresSession(route) && !state.session) {
    state.afterLogin = location.hash && route.name !== 'notFound' ? location.hash : null;
    if (location.hash !== '#/login') { location.hash = '#/login'; return; }
  }
  if (route.name === 'login' && state.session) { location.hash = '#/'; return; }
  // A meeting guest's page holds their meeting and nothing else.
  const guestMeeting = state.session?.user?.meetingId;
  if (guestMeeting && !(route.name === 'meeting' && route.params.id === guestMeeting) && route.name !== 'meetingInvitation') {
    location.hash = buildHash('meeting', { id: guestMeeting }); return;
  }
  renderHeader(route);
  renderLiveStatus();
  setDocumentCardTexts(t, state.lang);
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
    /** The hash a login should return to (for OIDC's returnTo), without consuming it. */
    get returnTo() { return state.afterLogin ?? '#/'; },
    rerender: () => render(),
    isCurrent: () => seq === state.renderSeq,
    get live() { return state.live; },
    get unread() { return state.unread; },
    setUnread,
    /** Registers `fn` to run when this view is left (or at once if it already was). */
    onCleanup(fn) {
      if (seq === state.renderSeq) state.cleanups.push(fn);
      else fn();
    },
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
      setSession(null);
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

/** The session, or null; a network failure (offline) also gives null, and says so. */
async function fetchSession() {
  try {
    return await api.getSession();
  } catch {
    return null;
  }
}

/** Back online after starting without a network: the session can be asked for now. */
async function onOnline() {
  renderLiveStatus();
  if (state.session) return;
  const session = await fetchSession();
  if (!session) return;
  state.session = session;
  startLive();
  await render();
}

/**
 * The bundle's service worker keeps the application shell for repeat visits and offline
 * use (sw.js). Registered after the page has loaded, so that it never competes with the
 * first load; not at all unbundled (development), where files change under their names.
 */
function registerServiceWorker() {
  if (!build || !('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register('sw.js').catch(() => { /* works without */ });
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

async function start() {
  // The language file and the session are fetched side by side: one round trip, not two.
  const lang = pickLanguage(storedLanguage());
  if (!signedInLastTime()) {
    earlyAuthOptions = askAuthOptions();
    earlyAuthOptions.catch(() => { /* the login view reports it */ });
  }
  const [session] = await Promise.all([fetchSession(), loadLanguage(lang)]);
  setLanguage(lang);
  state.session = session;
  rememberSignedIn(Boolean(session));
  if (state.session) startLive();
  window.addEventListener('hashchange', () => render());
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', renderLiveStatus);
  document.addEventListener('visibilitychange', sendPresence);
  await render();
  registerServiceWorker();
}

start();
