// Web Push on this device: subscribe the browser's push service with the server's VAPID key
// (`GET /push/vapid-public-key`), hand the subscription to the server (`POST
// /push/subscriptions`), and undo both. The service worker (sw.js) shows what arrives.
//
// Every function takes `env` — `{ navigator, Notification, userAgent }` — so that node tests
// run the logic with fakes; in the browser the defaults are the page's own.

/** What the device switch can say (web/views/push-device.js, i18n `push.state.*`). */
export const PUSH_STATES = ['loading', 'unsupported', 'off-on-server', 'blocked', 'on', 'off'];
/** The codes of `PushError` (i18n `push.error.*`). */
export const PUSH_ERRORS = ['push-unsupported', 'push-denied'];

/** An error with a stable `code` for the view: push-unsupported, push-denied. */
export class PushError extends Error {
  constructor(code) {
    super(code);
    this.name = 'PushError';
    this.code = code;
  }
}

function browserEnv() {
  return { navigator: globalThis.navigator, Notification: globalThis.Notification, PushManager: globalThis.PushManager };
}

/** Whether this browser can receive push messages at all (a service worker, PushManager, notifications). */
export function pushSupported(env = browserEnv()) {
  return Boolean(env.navigator && 'serviceWorker' in env.navigator && env.PushManager && env.Notification);
}

/** The VAPID key's base64url text as the bytes `applicationServerKey` takes. */
export function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const binary = atob(base64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The same bytes back as base64url without padding. */
export function keyText(bytes) {
  const array = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return btoa(String.fromCharCode(...array)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The page's service worker registration; registered now when the page has none (development). */
async function registration(env) {
  const container = env.navigator.serviceWorker;
  const existing = await container.getRegistration();
  if (!existing) await container.register('sw.js');
  return container.ready;
}

/** This browser's push subscription, or null. */
export async function currentSubscription(env = browserEnv()) {
  if (!pushSupported(env)) return null;
  const existing = await env.navigator.serviceWorker.getRegistration();
  return existing ? existing.pushManager.getSubscription() : null;
}

/** What the server stores of a subscription (`POST /push/subscriptions`). */
export function subscriptionBody(subscription, userAgent = '') {
  const json = subscription.toJSON();
  return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth }, userAgent: userAgent.slice(0, 300) };
}

/**
 * Turns push on for this device: asks for permission (PushError push-denied when refused),
 * subscribes with the server's key — anew when an old subscription was made with another
 * key — and registers the subscription with the server. Answers the server's `{id}`.
 */
export async function enablePush(api, env = browserEnv()) {
  if (!pushSupported(env)) throw new PushError('push-unsupported');
  const permission = await env.Notification.requestPermission();
  if (permission !== 'granted') throw new PushError('push-denied');
  const { key } = await api.request('GET', '/push/vapid-public-key');
  const reg = await registration(env);
  let subscription = await reg.pushManager.getSubscription();
  const ownKey = subscription?.options?.applicationServerKey;
  if (subscription && ownKey && keyText(ownKey) !== key) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  return api.request('POST', '/push/subscriptions', { body: subscriptionBody(subscription, env.navigator.userAgent ?? '') });
}

/**
 * Turns push off for this device: the server forgets it (the same subscription posted again
 * names its id, then it is deleted) and the browser unsubscribes. Nothing to do without one.
 */
export async function disablePush(api, env = browserEnv()) {
  const subscription = await currentSubscription(env);
  if (!subscription) return;
  try {
    const { id } = await api.request('POST', '/push/subscriptions', { body: subscriptionBody(subscription, env.navigator.userAgent ?? '') });
    await api.request('DELETE', `/push/subscriptions/${encodeURIComponent(id)}`);
  } finally {
    // Unsubscribed in any case: a server that cannot be reached must not keep the device on.
    await subscription.unsubscribe();
  }
}
