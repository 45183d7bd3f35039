// Pure logic for blogs (workspace blogs and personal blogs): the list of posts, one open
// post with its comments, excerpts, permissions and links. No DOM, no network:
// (state, input) → new state, like lib/live-state.js.
// Event reducers ignore events with seq ≤ the last one applied (repeats after a resume) and
// are idempotent by id. Drafts never produce events: what the author saves is put in with
// `upsertBlogPost` from the answer to the write.
import { plainText } from './markdown.js';
import { isNewEvent, reactionsWith } from './live-state.js';
import { buildHash } from './router.js';

export const BLOG_EVENTS = new Set(['blog.published', 'blog.updated', 'blog.deleted', 'blog.commented',
  'reaction.added', 'reaction.removed', 'post.edited', 'post.deleted']);
export const EXCERPT_MAX = 240;

const advanced = (state, event) => (Number.isInteger(event?.seq) ? Math.max(state.lastSeq ?? 0, event.seq) : state.lastSeq);
const str = (v) => String(v ?? '');

/**
 * Order of a blog list: drafts first (most recently saved first), then published posts
 * newest first — as the server sends them.
 */
export function sortBlogPosts(posts) {
  const drafts = posts.filter((p) => p.status === 'draft').sort((a, b) => str(b.updatedAt).localeCompare(str(a.updatedAt)));
  const published = posts.filter((p) => p.status !== 'draft')
    .sort((a, b) => str(b.publishedAt ?? b.createdAt).localeCompare(str(a.publishedAt ?? a.createdAt)) || str(b.id).localeCompare(str(a.id)));
  return [...drafts, ...published];
}

// ------------------------------------------------------------------ list

/** A blog's list from an HTTP page (`items`), having seen workspace events up to `lastSeq`. */
export function blogListState(posts = [], lastSeq = 0) {
  return { posts: sortBlogPosts(posts), lastSeq, seenComments: [] };
}

/** Puts one post in (new or replacing the one with its id), e.g. from a write's answer. */
export function upsertBlogPost(state, post) {
  if (!post?.id) return state;
  const i = state.posts.findIndex((p) => p.id === post.id);
  const posts = i < 0 ? [...state.posts, post] : state.posts.map((p) => (p.id === post.id ? post : p));
  return { ...state, posts: sortBlogPosts(posts) };
}

/** Takes one post out (deleted by me over HTTP, or a `blog.deleted` event). */
export function removeBlogPost(state, id) {
  if (!state.posts.some((p) => p.id === id)) return state;
  return { ...state, posts: state.posts.filter((p) => p.id !== id) };
}

/** Applies one workspace event `{type, seq, data}` to a blog list. */
export function applyBlogListEvent(state, event) {
  if (!isNewEvent(state, event)) return state;
  const lastSeq = advanced(state, event);
  const { type, data } = event;
  switch (type) {
    case 'blog.published':
    case 'blog.updated':
      if (!data?.blogPost?.id) return { ...state, lastSeq };
      return { ...upsertBlogPost(state, data.blogPost), lastSeq };
    case 'blog.deleted':
      return { ...removeBlogPost(state, data?.blogPostId), lastSeq };
    case 'blog.commented': {
      const comment = data?.post;
      if (!comment?.id || state.seenComments.includes(comment.id)) return { ...state, lastSeq };
      if (!state.posts.some((p) => p.id === comment.threadId)) return { ...state, lastSeq };
      const posts = state.posts.map((p) => (p.id !== comment.threadId ? p : { ...p, commentCount: (p.commentCount ?? 0) + 1 }));
      return { ...state, lastSeq, posts, seenComments: [...state.seenComments, comment.id] };
    }
    case 'reaction.added':
    case 'reaction.removed': {
      if (!state.posts.some((p) => p.id === data?.targetId)) return { ...state, lastSeq };
      const add = type === 'reaction.added';
      const posts = state.posts.map((p) => (p.id !== data.targetId ? p
        : { ...p, reactions: reactionsWith(p.reactions, data.emoji, data.person?.id, add) }));
      return { ...state, lastSeq, posts };
    }
    default:
      return { ...state, lastSeq };
  }
}

// ------------------------------------------------------------------ one post

/** One open blog post with its comments (oldest first), having seen events up to `lastSeq`. */
export function blogPostState(post, comments = [], lastSeq = 0) {
  return { post, comments: [...comments], lastSeq, deleted: false };
}

function upsertComment(comments, comment) {
  const i = comments.findIndex((c) => c.id === comment.id);
  if (i < 0) return [...comments, comment];
  const next = [...comments];
  next[i] = comment;
  return next;
}

/** Applies one workspace event to the open post. */
export function applyBlogPostEvent(state, event) {
  if (!isNewEvent(state, event)) return state;
  const lastSeq = advanced(state, event);
  const { type, data } = event;
  const id = state.post?.id;
  switch (type) {
    case 'blog.published':
    case 'blog.updated':
      if (data?.blogPost?.id !== id) return { ...state, lastSeq };
      // Keep the comment count we know if the event's is behind the comments we hold.
      return { ...state, lastSeq, post: { ...data.blogPost, commentCount: Math.max(data.blogPost.commentCount ?? 0, state.comments.length) } };
    case 'blog.deleted':
      return data?.blogPostId === id ? { ...state, lastSeq, deleted: true } : { ...state, lastSeq };
    case 'blog.commented': {
      const comment = data?.post;
      if (!comment?.id || comment.threadId !== id) return { ...state, lastSeq };
      if (state.comments.some((c) => c.id === comment.id)) return { ...state, lastSeq };
      const comments = [...state.comments, comment];
      return { ...state, lastSeq, comments, post: { ...state.post, commentCount: Math.max((state.post.commentCount ?? 0) + 1, comments.length) } };
    }
    case 'post.edited':
    case 'post.deleted':
      if (!data?.post || data.post.threadId !== id) return { ...state, lastSeq };
      return { ...state, lastSeq, comments: upsertComment(state.comments, data.post) };
    case 'reaction.added':
    case 'reaction.removed': {
      const add = type === 'reaction.added';
      const target = data?.targetId;
      const change = (item) => ({ ...item, reactions: reactionsWith(item.reactions, data.emoji, data.person?.id, add) });
      if (target === id) return { ...state, lastSeq, post: change(state.post) };
      if (state.comments.some((c) => c.id === target)) {
        return { ...state, lastSeq, comments: state.comments.map((c) => (c.id === target ? change(c) : c)) };
      }
      return { ...state, lastSeq };
    }
    default:
      return { ...state, lastSeq };
  }
}

/** Adds my own comment from the write's answer (the event may come before or after). */
export function withComment(state, comment) {
  if (!comment?.id || state.comments.some((c) => c.id === comment.id)) return state;
  const comments = [...state.comments, comment];
  return { ...state, comments, post: { ...state.post, commentCount: Math.max((state.post.commentCount ?? 0) + 1, comments.length) } };
}

// ------------------------------------------------------------------ personal blogs (HTTP, not live)

/** The open personal post with the reactions from a reaction write's answer `{reactions}`. */
export function withPostReactions(state, reactions) {
  if (!Array.isArray(reactions)) return state;
  return { ...state, post: { ...state.post, reactions } };
}

/** A comment removed by the server: it stays in the list, marked deleted and without its text. */
export function withCommentDeleted(state, commentId) {
  if (!state.comments.some((c) => c.id === commentId && !c.deleted)) return state;
  return { ...state, comments: state.comments.map((c) => (c.id === commentId ? { ...c, deleted: true, body: '' } : c)) };
}

/** A comment on a personal blog may be deleted by its author and by the blog's author. */
export function canDeleteBlogComment(comment, { userId, blogAuthorId } = {}) {
  if (!comment || comment.deleted || !userId) return false;
  return comment.author?.id === userId || blogAuthorId === userId;
}

// ------------------------------------------------------------------ helpers for views

/** A one-paragraph plain-text excerpt of a Markdown body, cut at a word when possible. */
export function blogExcerpt(body, max = EXCERPT_MAX) {
  const text = plainText(body ?? '').replace(/\s+/g, ' ').trim();
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The author may edit (workspace and personal blogs alike). */
export function canEditBlogPost(post, userId) {
  return Boolean(post && userId && post.author?.id === userId);
}

/** The author may delete; a workspace owner may delete published posts of others. */
export function canDeleteBlogPost(post, { userId, isOwner = false } = {}) {
  if (!post || !userId) return false;
  return post.author?.id === userId || (isOwner && post.status === 'published' && Boolean(post.workspaceId));
}

/** The hash of a post's own page: its workspace's blog, or its author's personal blog. */
export function blogPostHash(post) {
  return post.workspaceId
    ? buildHash('workspaceBlogPost', { id: post.workspaceId, postId: post.id })
    : buildHash('personBlogPost', { id: post.author.id, postId: post.id });
}

/** The date a post is shown with: published, or (for a draft) last saved. */
export function blogPostDate(post) {
  return post?.status === 'draft' ? post.updatedAt ?? post.createdAt : post?.publishedAt ?? post?.createdAt;
}

/** Titles of blog posts known from feed items (`blog.published`), by id. */
export function blogTitlesFromFeed(items = []) {
  const titles = new Map();
  for (const item of items) {
    const post = item?.data?.blogPost;
    if (post?.id && post.title) titles.set(post.id, post.title);
  }
  return titles;
}

/**
 * The personal-blog feed address from the workspace template the server gives with a new
 * feed token: `…/feeds/workspaces/{workspaceId}/blog.atom?token=T` → `…/feeds/people/{personId}/blog.atom?token=T`.
 */
export function personalFeedTemplate(feedUrl, token) {
  const text = String(feedUrl ?? '');
  const i = text.indexOf('/feeds/');
  const base = i >= 0 ? text.slice(0, i) : '';
  return `${base}/feeds/people/{personId}/blog.atom?token=${encodeURIComponent(token ?? '')}`;
}
