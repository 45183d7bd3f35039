// web/lib/push.js with a fake browser (service worker container, PushManager, Notification)
// and a fake API, and web/sw.js's push and notificationclick handlers in a fake worker scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import {
  pushSupported, currentSubscription, enablePush, disablePush, keyBytes, keyText, subscriptionBody, PUSH_STATES, PUSH_ERRORS,
} from '../lib/push.js';

const SERVER_KEY = 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4';
const OTHER_KEY = 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8';

function fakeSubscription(endpoint, key, log) {
  return {
    endpoint,
    options: { applicationServerKey: keyBytes(key).buffer },
    toJSON: () => ({ endpoint, keys: { p256dh: 'p256dh-of-' + endpoint, auth: 'auth-of-' + endpoint } }),
    unsubscribe: async () => { log.push(['unsubscribe', endpoint]); return true; },
  };
}

function fakeBrowser({ permission = 'granted', registered = true, existing = null } = {}) {
  const log = [];
  let subscription = existing ? fakeSubscription(existing.endpoint, existing.key, log) : null;
  const pushManager = {
    getSubscription: async () => subscription,
    subscribe: async (options) => {
      log.push(['subscribe', options.userVisibleOnly, keyText(options.applicationServerKey)]);
      subscription = fakeSubscription('https://push.example.net/new', keyText(options.applicationServerKey), log);
      return subscription;
    },
  };
  const registration = { pushManager };
  let hasRegistration = registered;
  const env = {
    navigator: {
      userAgent: 'Mozilla/5.0 (Android 15) Firefox/140.0',
      serviceWorker: {
        getRegistration: async () => (hasRegistration ? registration : undefined),
        register: async (url) => { log.push(['register', url]); hasRegistration = true; return registration; },
        get ready() { return Promise.resolve(registration); },
      },
    },
    PushManager: function PushManager() {},
    Notification: {
      permission: 'default',
      requestPermission: async () => { log.push(['permission']); return permission; },
    },
  };
  return { env, log, current: () => subscription, unsubscribeAll: () => { subscription = null; } };
}

function fakeApi({ key = SERVER_KEY, failDelete = false } = {}) {
  const calls = [];
  return {
    calls,
    async request(method, path, options = {}) {
      calls.push([method, path, options.body]);
      if (path === '/push/vapid-public-key') return { key };
      if (method === 'POST' && path === '/push/subscriptions') return { id: 'sub-1' };
      if (method === 'DELETE') { if (failDelete) throw Object.assign(new Error('network'), { code: 'network' }); return {}; }
      if (method === 'POST' && path === '/push/test') return { sent: 1 };
      throw new Error(`unexpected ${method} ${path}`);
    },
  };
}

test('the key text and bytes convert both ways (65 bytes, base64url without padding)', () => {
  const bytes = keyBytes(SERVER_KEY);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
  assert.equal(keyText(bytes), SERVER_KEY);
  assert.equal(keyText(bytes.buffer), SERVER_KEY);
});

test('push is supported only with a service worker, PushManager and notifications', () => {
  assert.equal(pushSupported(fakeBrowser().env), true);
  const { env } = fakeBrowser();
  assert.equal(pushSupported({ ...env, PushManager: undefined }), false);
  assert.equal(pushSupported({ ...env, navigator: {} }), false);
  assert.equal(pushSupported({}), false);
});

test('enabling asks for permission, subscribes visibly with the server key and posts the subscription', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  assert.deepEqual(await enablePush(api, browser.env), { id: 'sub-1' });
  assert.deepEqual(browser.log, [['permission'], ['subscribe', true, SERVER_KEY]]);
  assert.deepEqual(api.calls[1], ['POST', '/push/subscriptions', {
    endpoint: 'https://push.example.net/new',
    keys: { p256dh: 'p256dh-of-https://push.example.net/new', auth: 'auth-of-https://push.example.net/new' },
    userAgent: 'Mozilla/5.0 (Android 15) Firefox/140.0',
  }]);
  assert.ok(await currentSubscription(browser.env));
});

test('a refused permission subscribes nothing and says push-denied', async () => {
  const browser = fakeBrowser({ permission: 'denied' });
  const api = fakeApi();
  await assert.rejects(enablePush(api, browser.env), { name: 'PushError', code: 'push-denied' });
  assert.deepEqual(api.calls, []);
  assert.equal(browser.current(), null);
});

test('an unsupported browser says push-unsupported', async () => {
  await assert.rejects(enablePush(fakeApi(), {}), { code: 'push-unsupported' });
  assert.equal(await currentSubscription({}), null);
});

test('a subscription made with another server key is replaced; one with the same key is reused', async () => {
  const other = fakeBrowser({ existing: { endpoint: 'https://push.example.net/old', key: OTHER_KEY } });
  await enablePush(fakeApi(), other.env);
  assert.deepEqual(other.log.slice(1), [['unsubscribe', 'https://push.example.net/old'], ['subscribe', true, SERVER_KEY]]);

  const same = fakeBrowser({ existing: { endpoint: 'https://push.example.net/kept', key: SERVER_KEY } });
  const api = fakeApi();
  await enablePush(api, same.env);
  assert.deepEqual(same.log, [['permission']], 'no new subscription');
  assert.equal(api.calls[1][2].endpoint, 'https://push.example.net/kept');
});

test('without a registered service worker (development) enabling registers sw.js first', async () => {
  const browser = fakeBrowser({ registered: false });
  await enablePush(fakeApi(), browser.env);
  assert.deepEqual(browser.log.map((entry) => entry[0]), ['permission', 'register', 'subscribe']);
});

test('disabling finds the id by posting the subscription again, deletes it and unsubscribes', async () => {
  const browser = fakeBrowser({ existing: { endpoint: 'https://push.example.net/kept', key: SERVER_KEY } });
  const api = fakeApi();
  await disablePush(api, browser.env);
  assert.deepEqual(api.calls.map(([method, path]) => `${method} ${path}`), ['POST /push/subscriptions', 'DELETE /push/subscriptions/sub-1']);
  assert.deepEqual(browser.log, [['unsubscribe', 'https://push.example.net/kept']]);
});

test('disabling unsubscribes the browser even when the server cannot be reached; nothing to do without a subscription', async () => {
  const browser = fakeBrowser({ existing: { endpoint: 'https://push.example.net/kept', key: SERVER_KEY } });
  await assert.rejects(disablePush(fakeApi({ failDelete: true }), browser.env));
  assert.deepEqual(browser.log, [['unsubscribe', 'https://push.example.net/kept']]);

  const none = fakeBrowser();
  const api = fakeApi();
  await disablePush(api, none.env);
  assert.deepEqual(api.calls, []);
});

test('the body sent to the server holds the endpoint, the keys and a short user agent', () => {
  const log = [];
  const body = subscriptionBody(fakeSubscription('https://push.example.net/x', SERVER_KEY, log), 'x'.repeat(500));
  assert.equal(body.userAgent.length, 300);
  assert.deepEqual(Object.keys(body), ['endpoint', 'keys', 'userAgent']);
});

test('every state and error of the switch has its text in both languages', () => {
  const sv = JSON.parse(readFileSync(new URL('../i18n/sv.json', import.meta.url), 'utf8'));
  const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));
  const keys = [...PUSH_STATES.map((s) => `push.state.${s}`), ...PUSH_ERRORS.map((c) => `push.error.${c}`),
    'push.testSent.one', 'push.testSent.other', 'error.push-disabled'];
  for (const key of keys) {
    assert.ok(sv[key], `sv ${key}`);
    assert.ok(en[key], `en ${key}`);
  }
});

/** web/sw.js run in a fake worker scope; returns its listeners and what they did. */
function worker({ windows = [] } = {}) {
  const listeners = {};
  const shown = [];
  const opened = [];
  const scope = {
    location: { origin: 'https://communis.example.se' },
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: { showNotification: async (title, options) => { shown.push({ title, options }); } },
    clients: {
      matchAll: async () => windows,
      openWindow: async (url) => { opened.push(url); },
      claim: async () => {},
    },
    caches: {},
  };
  scope.self = scope;
  vm.runInNewContext(readFileSync(new URL('../sw.js', import.meta.url), 'utf8'), { ...scope, URL, console });
  return { listeners, shown, opened };
}

async function dispatch(listener, event) {
  let done = Promise.resolve();
  listener({ ...event, waitUntil: (promise) => { done = promise; } });
  await done;
}

test('a push message is shown with its title, body, tag and url', async () => {
  const sw = worker();
  const message = { title: 'Möte startat', body: 'Ledningsgruppen', url: '/#/workspaces/w/meetings/m', tag: 'meeting-m' };
  await dispatch(sw.listeners.push, { data: { json: () => message } });
  assert.equal(sw.shown.length, 1);
  assert.equal(sw.shown[0].title, 'Möte startat');
  assert.equal(sw.shown[0].options.body, 'Ledningsgruppen');
  assert.equal(sw.shown[0].options.tag, 'meeting-m');
  assert.equal(sw.shown[0].options.data.url, '/#/workspaces/w/meetings/m');
});

test('a push message without readable data still shows a notification, and a foreign url becomes the start page', async () => {
  const sw = worker();
  await dispatch(sw.listeners.push, { data: null });
  await dispatch(sw.listeners.push, { data: { json: () => ({ title: 'X', url: 'https://evil.example/' }) } });
  await dispatch(sw.listeners.push, { data: { json: () => ({ title: 'Y', url: '//evil.example/' }) } });
  assert.equal(sw.shown[0].title, 'Communis');
  assert.equal(sw.shown[1].options.data.url, '/');
  assert.equal(sw.shown[2].options.data.url, '/');
});

test('a click focuses an open Communis window and takes it to the page', async () => {
  const log = [];
  const open = {
    url: 'https://communis.example.se/#/home',
    focus: async () => { log.push('focus'); return open; },
    navigate: async (url) => { log.push(['navigate', url]); },
  };
  const other = { url: 'https://elsewhere.example/', focus: async () => log.push('wrong window') };
  const sw = worker({ windows: [other, open] });
  let closed = false;
  await dispatch(sw.listeners.notificationclick, {
    notification: { data: { url: '/#/news/n1' }, close: () => { closed = true; } },
  });
  assert.ok(closed);
  assert.deepEqual(log, ['focus', ['navigate', 'https://communis.example.se/#/news/n1']]);
  assert.deepEqual(sw.opened, []);
});

test('a click with no Communis window open opens one; a window that cannot be navigated gets a new one too', async () => {
  const none = worker();
  await dispatch(none.listeners.notificationclick, { notification: { data: { url: '/#/news/n1' }, close() {} } });
  assert.deepEqual(none.opened, ['https://communis.example.se/#/news/n1']);

  const stubborn = { url: 'https://communis.example.se/', focus: async () => stubborn, navigate: async () => { throw new TypeError('not controlled'); } };
  const sw = worker({ windows: [stubborn] });
  await dispatch(sw.listeners.notificationclick, { notification: { data: { url: '/#/profile' }, close() {} } });
  assert.deepEqual(sw.opened, ['https://communis.example.se/#/profile']);
});
