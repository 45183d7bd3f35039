// Notifications as a person reads them: the sentence, where it leads and the quoted text.
// Pure (no DOM), so node --test can check every kind in both languages.
import { buildHash } from './router.js';
import { formatDay } from './format.js';

/**
 * What the notifications list shows for one notification `n` (as sent by the server,
 * see docs/protocol.md "Personal messages"):
 * - `text`: the sentence, from `notifications.kind.<kind>` (an unknown kind falls back to
 *   `notifications.kind.other`, so a newer server never shows an empty line);
 * - `href`: the page it opens (a mention's thread or workspace, a review reminder's article),
 *   or null when there is none;
 * - `excerpt`: quoted text under the sentence, or null (a review reminder names its article
 *   in the sentence already).
 */
export function describeNotification(t, n) {
  const name = n.actor?.name ?? '';
  if (n.kind === 'review-due') {
    const title = n.title ?? n.excerpt ?? '';
    return {
      text: t('notifications.kind.review-due', { title, reviewBy: formatDay(n.reviewBy, t.lang) }),
      href: n.howToId ? buildHash('article', { id: n.howToId }) : null,
      excerpt: null,
    };
  }
  const key = t.has(`notifications.kind.${n.kind}`) ? `notifications.kind.${n.kind}` : 'notifications.kind.other';
  // News, meetings and "läst och förstått" name their subject in the sentence.
  const titled = n.kind === 'news' || n.kind === 'meeting-started' || n.kind === 'ack-due';
  return {
    text: t(key, { name, title: n.excerpt ?? '' }),
    href: n.link && n.link.startsWith('#/') ? n.link
      : n.kind === 'meeting-started' && n.meetingId ? buildHash('meeting', { id: n.meetingId })
        : n.workspaceId ? buildHash('workspace', { id: n.workspaceId }, n.threadId ? { thread: n.threadId } : {}) : null,
    excerpt: titled ? null : (n.excerpt || null),
  };
}

/** The kinds of the settings table, in the order shown. */
export const SETTING_KINDS = ['mention', 'reply', 'news', 'meeting-started', 'ack-due', 'review-due'];
export const EMAIL_CHOICES = ['off', 'immediate', 'daily', 'weekly'];

/**
 * The settings as the form shows them, filled with what the server sent; `readForm` gives
 * them back in the server's shape. Pure: rows are `{kind, app, email, push}`.
 */
export function settingsRows(settings) {
  return SETTING_KINDS.map((kind) => {
    const k = settings?.kinds?.[kind] ?? {};
    return { kind, app: k.app !== false, email: EMAIL_CHOICES.includes(k.email) ? k.email : 'off', push: Boolean(k.push) };
  });
}

export function settingsBody(rows, quietHours, timeZone, language) {
  const kinds = {};
  for (const row of rows) kinds[row.kind] = { app: Boolean(row.app), email: row.email, push: Boolean(row.push) };
  return { kinds, quietHours: { enabled: Boolean(quietHours.enabled), from: quietHours.from, to: quietHours.to }, timeZone, language };
}
