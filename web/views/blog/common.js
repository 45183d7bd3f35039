// Pieces shared by the workspace blog (workspace.js) and personal blogs (personal.js): a
// post's meta line, one entry of a blog list, the not-found notice and loading one post
// with all its comments.
import { h } from '../../lib/dom.js';
import { plural } from '../../lib/i18n.js';
import { blogExcerpt, blogPostHash, blogPostDate } from '../../lib/blog-state.js';
import { timeEl } from '../components.js';
import { reactionSummary } from '../reactions.js';

/** Posts per list request (a workspace blog shows one page, a personal blog pages through). */
export const LIST_LIMIT = 50;

const COMMENT_PAGE = 100;
const COMMENT_PAGES_MAX = 20;

/**
 * One post and its comments from `getPage({limit, offset})`, which answers
 * `{blogPost, comments: {items, total}}` (GET /blog/{id} and GET /people/{p}/blog/{id}).
 * Returns `{post, comments}`.
 */
export async function loadPostWithComments(getPage) {
  const first = await getPage({ limit: COMMENT_PAGE, offset: 0 });
  const comments = [...(first.comments?.items ?? [])];
  const total = first.comments?.total ?? comments.length;
  for (let page = 1; page < COMMENT_PAGES_MAX && comments.length < total; page++) {
    const res = await getPage({ limit: COMMENT_PAGE, offset: page * COMMENT_PAGE });
    if (!res.comments?.items?.length) break;
    comments.push(...res.comments.items);
  }
  return { post: first.blogPost, comments };
}

function draftBadge(t, post) {
  return post.status === 'draft' ? h('span', { class: 'badge badge-draft' }, t('blog.draft')) : null;
}

/** "Anna Lindqvist · 2026-11-26 18:02 · Utkast" */
export function postMeta(ctx, post, { withAuthor = true } = {}) {
  const { t, lang } = ctx;
  return h('p', { class: 'meta' },
    withAuthor ? h('span', { class: 'blog-author' }, post.author?.name ?? '') : null,
    h('span', {}, post.status === 'draft' ? t('blog.savedAt') : t('blog.publishedAt'), ' ', timeEl(blogPostDate(post), lang)),
    draftBadge(t, post));
}

/** One entry of a blog list: title (link), author, date, draft badge, excerpt, reactions, comments. */
export function listItem(ctx, post, { showAuthor = true, showComments = true, actions = null } = {}) {
  const { t } = ctx;
  const titleId = `blog-item-${post.id}`;
  const counts = [
    showComments && post.status !== 'draft' ? h('span', {}, plural(t, 'blog.commentCount', post.commentCount ?? 0)) : null,
    reactionSummary(t, post),
  ].filter(Boolean);
  return h('li', { class: `blog-item${post.status === 'draft' ? ' blog-item-draft' : ''}`, 'data-blog-post': post.id },
    h('article', { 'aria-labelledby': titleId },
      h('h3', { class: 'blog-item-title', id: titleId },
        h('a', { href: blogPostHash(post), 'data-focus-key': `post-${post.id}` }, post.title)),
      postMeta(ctx, post, { withAuthor: showAuthor }),
      post.body ? h('p', { class: 'excerpt' }, blogExcerpt(post.body)) : null,
      counts.length ? h('p', { class: 'meta' }, counts) : null,
      actions));
}

/** A post that was not found, with a link back to the list. */
export function notFoundNotice(t, backHref) {
  return h('div', { class: 'stack' },
    h('p', { role: 'alert' }, t('blog.notFound')),
    h('p', {}, h('a', { href: backHref }, t('blog.backToList'))));
}
