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
  return {
    text: t(key, { name }),
    href: n.workspaceId ? buildHash('workspace', { id: n.workspaceId }, n.threadId ? { thread: n.threadId } : {}) : null,
    excerpt: n.excerpt || null,
  };
}
