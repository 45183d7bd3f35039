// Emoji reactions, shared by discussion posts, blog posts and blog comments.
import { h } from '../lib/dom.js';
import { hasReacted } from '../lib/live-state.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😄', '🎉', '👀', '🙏'];

/** Read-only reaction counts for a list entry, or null when there are none. */
export function reactionSummary(t, post) {
  const list = post.reactions ?? [];
  if (!list.length) return null;
  return h('span', { class: 'blog-reactions' }, list.map((r) => h('span', {
    class: 'reaction reaction-static', role: 'img', 'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }),
  }, `${r.emoji} ${r.count}`)));
}

/** Reactions of one post or comment: toggle buttons and a picker when `toggle(emoji, add)` is given. */
export function reactionBar(ctx, item, toggle) {
  const { t, user } = ctx;
  const mine = (emoji) => hasReacted(item, emoji, user.id);
  const existing = (item.reactions ?? []).map((r) => (toggle
    ? h('button', {
      type: 'button', class: `reaction${mine(r.emoji) ? ' reaction-mine' : ''}`, 'aria-pressed': mine(r.emoji) ? 'true' : 'false',
      'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }),
      'data-focus-key': `react-${r.emoji}`, 'data-focus-fallback': 'react-picker', onclick: () => toggle(r.emoji, !mine(r.emoji)),
    }, h('span', { 'aria-hidden': 'true' }, r.emoji), ' ', h('span', { 'aria-hidden': 'true' }, String(r.count)))
    : h('span', { class: 'reaction', role: 'img', 'aria-label': t('discussion.reactionLabel', { emoji: r.emoji, count: r.count }) },
      `${r.emoji} ${r.count}`)));
  const picker = toggle
    ? h('details', { class: 'react-picker' },
      h('summary', { 'data-focus-key': 'react-picker' }, t('discussion.react')),
      h('div', { class: 'react-options' }, QUICK_REACTIONS.map((emoji) => h('button', {
        type: 'button', class: 'reaction', 'aria-label': t('discussion.reactWith', { emoji }), 'data-focus-key': `pick-${emoji}`,
        'data-focus-fallback': `react-${emoji} react-picker`,
        'aria-pressed': mine(emoji) ? 'true' : 'false', onclick: () => toggle(emoji, !mine(emoji)),
      }, emoji))))
    : null;
  if (!existing.length && !picker) return null;
  return h('div', { class: 'reactions', role: 'group', 'aria-label': t('discussion.reactions') }, existing, picker);
}

/** A `toggle` for reactionBar that adds or removes a reaction to `targetId` over the live
 *  connection; `act` runs the send and reports a failure. */
export function liveReactionToggle(live, act, targetId) {
  return (emoji, add) => act(() => live.send(add ? 'reaction.add' : 'reaction.remove', { data: { targetId, emoji } }));
}
