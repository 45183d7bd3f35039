import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blogListState, applyBlogListEvent, upsertBlogPost, removeBlogPost, blogPostState, applyBlogPostEvent, withComment,
  sortBlogPosts, blogExcerpt, canEditBlogPost, canDeleteBlogPost, blogPostHash, blogPostDate, blogTitlesFromFeed,
  personalFeedTemplate, withPostReactions, withCommentDeleted, canDeleteBlogComment,
} from '../lib/blog-state.js';
import { validateBlogPost, BLOG_TITLE_MAX, BLOG_BODY_MAX } from '../lib/validation.js';
import { parseHash, buildHash } from '../lib/router.js';
import { feedState, applyFeedEvent } from '../lib/live-state.js';
import { IDEMPOTENT_WRITES } from '../lib/socket.js';
import { createApi } from '../lib/api.js';

const WS = '7b1c0000-0000-4000-8000-000000000001';
const ANNA = { id: 'a0000000-0000-4000-8000-00000000000a', name: 'Anna Lindqvist' };
const ERIK = { id: '3f2c0000-0000-4000-8000-000000000001', name: 'Erik Johansson' };

const blogPost = (id, extra = {}) => ({
  id, workspaceId: WS, author: ANNA, title: `Titel ${id}`, body: `Text **${id}**`, status: 'published',
  createdAt: '2026-11-26T10:00:00Z', updatedAt: '2026-11-26T10:00:00Z', publishedAt: '2026-11-26T10:00:00Z',
  reactions: [], commentCount: 0, ...extra,
});
const draft = (id, extra = {}) => {
  const p = blogPost(id, { status: 'draft', ...extra });
  delete p.publishedAt;
  return p;
};
const comment = (id, threadId, extra = {}) => ({
  id, workspaceId: WS, threadId, author: ERIK, body: `Kommentar ${id}`, createdAt: '2026-11-26T11:00:00Z', deleted: false, reactions: [], ...extra,
});

// ---------------------------------------------------------------- list

test('list: drafts first (latest saved first), then published newest first', () => {
  const posts = [
    blogPost('p1', { publishedAt: '2026-11-20T10:00:00Z' }),
    draft('d1', { updatedAt: '2026-11-21T10:00:00Z' }),
    blogPost('p2', { publishedAt: '2026-11-25T10:00:00Z' }),
    draft('d2', { updatedAt: '2026-11-22T10:00:00Z' }),
  ];
  assert.deepEqual(sortBlogPosts(posts).map((p) => p.id), ['d2', 'd1', 'p2', 'p1']);
  assert.deepEqual(blogListState(posts, 3).posts.map((p) => p.id), ['d2', 'd1', 'p2', 'p1']);
});

test('list: blog.published adds on top; a repeat (seq ≤ lastSeq) is ignored', () => {
  let s = blogListState([blogPost('p1')], 4);
  const ev = { type: 'blog.published', seq: 5, data: { blogPost: blogPost('p2', { publishedAt: '2026-11-27T08:00:00Z' }) } };
  s = applyBlogListEvent(s, ev);
  assert.deepEqual(s.posts.map((p) => p.id), ['p2', 'p1']);
  assert.equal(s.lastSeq, 5);
  assert.equal(applyBlogListEvent(s, ev), s, 'the same event again changes nothing');
  const older = applyBlogListEvent(s, { ...ev, seq: 3, data: { blogPost: blogPost('p3') } });
  assert.equal(older, s, 'an event from before the page load is ignored');
});

test('list: publishing my draft replaces it (same id) instead of adding a second entry', () => {
  let s = blogListState([draft('d1'), blogPost('p1')], 0);
  s = applyBlogListEvent(s, { type: 'blog.published', seq: 1, data: { blogPost: blogPost('d1', { publishedAt: '2026-11-27T08:00:00Z' }) } });
  assert.deepEqual(s.posts.map((p) => [p.id, p.status]), [['d1', 'published'], ['p1', 'published']]);
});

test('list: an event already contained in the HTTP page (same id) does not duplicate', () => {
  let s = blogListState([blogPost('p1')], 0);
  s = applyBlogListEvent(s, { type: 'blog.published', seq: 1, data: { blogPost: blogPost('p1') } });
  assert.equal(s.posts.length, 1);
});

test('list: updated, deleted, comment counts (once per comment) and reactions', () => {
  let s = blogListState([blogPost('p1'), blogPost('p2', { publishedAt: '2026-11-25T00:00:00Z' })], 0);
  s = applyBlogListEvent(s, { type: 'blog.updated', seq: 1, data: { blogPost: blogPost('p1', { title: 'Ny rubrik' }) } });
  assert.equal(s.posts.find((p) => p.id === 'p1').title, 'Ny rubrik');
  const c = { type: 'blog.commented', seq: 2, data: { post: comment('c1', 'p1') } };
  s = applyBlogListEvent(s, c);
  s = applyBlogListEvent({ ...s, lastSeq: 0 }, c); // replayed with a lower lastSeq: still counted once
  assert.equal(s.posts.find((p) => p.id === 'p1').commentCount, 1);
  s = applyBlogListEvent(s, { type: 'reaction.added', seq: 3, data: { targetId: 'p1', emoji: '👍', person: ERIK } });
  assert.deepEqual(s.posts.find((p) => p.id === 'p1').reactions, [{ emoji: '👍', count: 1, people: [ERIK.id] }]);
  const unrelated = applyBlogListEvent(s, { type: 'reaction.added', seq: 4, data: { targetId: 'other', emoji: '👍', person: ERIK } });
  assert.equal(unrelated.posts, s.posts, 'a reaction on a discussion post leaves the list alone');
  s = applyBlogListEvent(s, { type: 'blog.deleted', seq: 5, data: { blogPostId: 'p1' } });
  assert.deepEqual(s.posts.map((p) => p.id), ['p2']);
  assert.equal(s.lastSeq, 5);
});

test('list: discussion events only advance lastSeq', () => {
  const s = blogListState([blogPost('p1')], 0);
  const next = applyBlogListEvent(s, { type: 'thread.created', seq: 7, data: { thread: {}, post: {} } });
  assert.equal(next.posts, s.posts);
  assert.equal(next.lastSeq, 7);
});

test('list: my own saves (drafts have no events) go in with upsert; deletes with remove', () => {
  let s = blogListState([blogPost('p1')], 0);
  s = upsertBlogPost(s, draft('d1'));
  assert.deepEqual(s.posts.map((p) => p.id), ['d1', 'p1']);
  s = upsertBlogPost(s, draft('d1', { title: 'Ändrad' }));
  assert.equal(s.posts.length, 2);
  assert.equal(s.posts[0].title, 'Ändrad');
  assert.equal(removeBlogPost(s, 'nope'), s);
  assert.deepEqual(removeBlogPost(s, 'd1').posts.map((p) => p.id), ['p1']);
});

// ---------------------------------------------------------------- one post

test('post: comments arrive once, in order; count follows', () => {
  let s = blogPostState(blogPost('p1', { commentCount: 1 }), [comment('c1', 'p1')], 10);
  const ev = { type: 'blog.commented', seq: 11, data: { post: comment('c2', 'p1') } };
  s = applyBlogPostEvent(s, ev);
  assert.deepEqual(s.comments.map((c) => c.id), ['c1', 'c2']);
  assert.equal(s.post.commentCount, 2);
  assert.equal(applyBlogPostEvent(s, ev), s, 'repeat ignored');
  s = applyBlogPostEvent(s, { type: 'blog.commented', seq: 12, data: { post: comment('c3', 'other') } });
  assert.equal(s.comments.length, 2, 'comment on another post ignored');
  assert.equal(s.lastSeq, 12);
});

test('post: my comment from the ack and then its event count once', () => {
  let s = blogPostState(blogPost('p1'), [], 0);
  s = withComment(s, comment('c1', 'p1'));
  s = applyBlogPostEvent(s, { type: 'blog.commented', seq: 1, data: { post: comment('c1', 'p1') } });
  assert.equal(s.comments.length, 1);
  assert.equal(s.post.commentCount, 1);
  assert.equal(withComment(s, comment('c1', 'p1')), s);
});

test('post: updated, reactions on post and comments, comment deleted, post deleted', () => {
  let s = blogPostState(blogPost('p1'), [comment('c1', 'p1')], 0);
  s = applyBlogPostEvent(s, { type: 'blog.updated', seq: 1, data: { blogPost: blogPost('p1', { body: 'Ny text' }) } });
  assert.equal(s.post.body, 'Ny text');
  assert.equal(s.post.commentCount, 1, 'the count never falls below the comments shown');
  s = applyBlogPostEvent(s, { type: 'blog.updated', seq: 2, data: { blogPost: blogPost('other', { body: 'x' }) } });
  assert.equal(s.post.body, 'Ny text');
  s = applyBlogPostEvent(s, { type: 'reaction.added', seq: 3, data: { targetId: 'p1', emoji: '🎉', person: ERIK } });
  s = applyBlogPostEvent(s, { type: 'reaction.added', seq: 4, data: { targetId: 'c1', emoji: '👍', person: ANNA } });
  assert.equal(s.post.reactions[0].count, 1);
  assert.equal(s.comments[0].reactions[0].emoji, '👍');
  s = applyBlogPostEvent(s, { type: 'reaction.removed', seq: 5, data: { targetId: 'p1', emoji: '🎉', person: ERIK } });
  assert.deepEqual(s.post.reactions, []);
  s = applyBlogPostEvent(s, { type: 'post.deleted', seq: 6, data: { post: comment('c1', 'p1', { deleted: true, body: '' }) } });
  assert.equal(s.comments[0].deleted, true);
  assert.equal(s.deleted, false);
  s = applyBlogPostEvent(s, { type: 'blog.deleted', seq: 7, data: { blogPostId: 'p1' } });
  assert.equal(s.deleted, true);
});

// ---------------------------------------------------------------- validation

test('validation: title 1..200 (trimmed), body 1..20000, the same for draft and publish', () => {
  assert.deepEqual(validateBlogPost({ title: 'Rubrik', body: 'Text' }), {});
  assert.deepEqual(validateBlogPost({ title: '   ', body: '' }), { title: 'validation.required', body: 'validation.required' });
  assert.deepEqual(validateBlogPost({ title: 'a'.repeat(BLOG_TITLE_MAX), body: 'b'.repeat(BLOG_BODY_MAX) }), {});
  assert.deepEqual(validateBlogPost({ title: 'a'.repeat(BLOG_TITLE_MAX + 1), body: 'b'.repeat(BLOG_BODY_MAX + 1) }),
    { title: 'validation.titleTooLong', body: 'validation.bodyTooLong' });
  assert.deepEqual(validateBlogPost({ title: '  ' + 'å'.repeat(200) + '  ', body: 'x' }), {}, 'counted after trimming, in characters');
  assert.deepEqual(validateBlogPost({ title: '😀'.repeat(200), body: 'x' }), {}, 'emoji count as one character');
  assert.equal(validateBlogPost({ title: 'x', body: ' \n\t ' }).body, 'validation.required');
});

// ---------------------------------------------------------------- helpers

test('excerpt: plain text without Markdown, cut at a word with an ellipsis', () => {
  assert.equal(blogExcerpt('Hej **där**, [länk](https://example.se)!'), 'Hej där, länk!');
  const long = `${'ord '.repeat(100)}slut`;
  const ex = blogExcerpt(long, 50);
  assert.ok([...ex].length <= 50, ex);
  assert.ok(ex.endsWith('ord…'), ex);
  assert.equal(blogExcerpt(''), '');
  assert.equal(blogExcerpt('<script>alert(1)</script>'), '<script>alert(1)</script>', 'text, never HTML (shown with textContent)');
});

test('permissions: author edits; author or (published) owner deletes', () => {
  const p = blogPost('p1');
  assert.equal(canEditBlogPost(p, ANNA.id), true);
  assert.equal(canEditBlogPost(p, ERIK.id), false);
  assert.equal(canDeleteBlogPost(p, { userId: ERIK.id, isOwner: true }), true);
  assert.equal(canDeleteBlogPost(p, { userId: ERIK.id, isOwner: false }), false);
  assert.equal(canDeleteBlogPost(draft('d1'), { userId: ERIK.id, isOwner: true }), false, "an owner cannot see (or delete) another's draft");
  assert.equal(canDeleteBlogPost({ ...p, workspaceId: undefined }, { userId: ERIK.id, isOwner: true }), false, 'personal posts: author only');
});

test('links and dates: workspace and personal posts have their own hash routes', () => {
  assert.equal(blogPostHash(blogPost('p1')), `#/workspaces/${WS}/blog/p1`);
  const personal = { ...blogPost('p2'), workspaceId: undefined };
  assert.equal(blogPostHash(personal), `#/people/${ANNA.id}/blog/p2`);
  assert.deepEqual(parseHash(`#/workspaces/${WS}/blog`), { name: 'workspaceBlog', params: { id: WS }, query: {} });
  assert.deepEqual(parseHash(`#/workspaces/${WS}/blog/p1`), { name: 'workspaceBlogPost', params: { id: WS, postId: 'p1' }, query: {} });
  assert.deepEqual(parseHash(`#/people/${ANNA.id}/blog/p2`).params, { id: ANNA.id, postId: 'p2' });
  assert.equal(parseHash(`#/people/${ANNA.id}/blog/p2`).name, 'personBlogPost');
  assert.equal(buildHash('workspaceBlog', { id: WS }), `#/workspaces/${WS}/blog`);
  assert.equal(parseHash(`#/workspaces/${WS}/other/p1`).name, 'notFound');
  assert.equal(blogPostDate(blogPost('p1', { publishedAt: '2026-11-27T00:00:00Z' })), '2026-11-27T00:00:00Z');
  assert.equal(blogPostDate(draft('d1', { updatedAt: '2026-11-28T00:00:00Z' })), '2026-11-28T00:00:00Z');
});

test('feed: blog.published and blog.commented are feed items; titles are found for comments', () => {
  let s = feedState({ items: [] });
  s = applyFeedEvent(s, { workspaceId: WS, workspaceName: 'Lathundar', type: 'blog.published', seq: 3, data: { blogPost: blogPost('p1', { publishedAt: '2026-11-26T12:00:00Z' }) } });
  s = applyFeedEvent(s, { workspaceId: WS, workspaceName: 'Lathundar', type: 'blog.commented', seq: 4, data: { post: comment('c1', 'p1', { createdAt: '2026-11-26T13:00:00Z' }) } });
  assert.deepEqual(s.items.map((i) => i.type), ['blog.commented', 'blog.published']);
  assert.equal(s.items[1].createdAt, '2026-11-26T12:00:00Z');
  assert.equal(applyFeedEvent(s, { workspaceId: WS, type: 'blog.updated', seq: 5, data: { blogPost: blogPost('p1') } }), s, 'edits are not feed items');
  assert.equal(blogTitlesFromFeed(s.items).get('p1'), 'Titel p1');
});

test('blog comments are resent after a reconnect with the same idempotency key', () => {
  assert.ok(IDEMPOTENT_WRITES.has('blog.comment'));
  assert.ok(!IDEMPOTENT_WRITES.has('blog.save'), 'blog.save has no idempotency key: never resent');
});

test('personal feed template from the workspace template of a new feed token', () => {
  assert.equal(personalFeedTemplate('https://communis.example/feeds/workspaces/{workspaceId}/blog.atom?token=cft_x', 'cft_x'),
    'https://communis.example/feeds/people/{personId}/blog.atom?token=cft_x');
});

// ---------------------------------------------------------------- personal blogs (HTTP)

const SARA = { id: '5a7a0000-0000-4000-8000-000000000005', name: 'Sara Nilsson' };
const personalPost = (id, extra = {}) => {
  const p = blogPost(id, { author: ERIK, commentCount: 0, ...extra });
  delete p.workspaceId;
  return p;
};
const personalComment = (id, author, extra = {}) => ({
  id, blogPostId: 'p1', author, body: `Kommentar ${id}`, createdAt: '2026-11-26T11:00:00Z', deleted: false, ...extra,
});

test('personal: a new comment from the POST answer is added once and counted', () => {
  let s = blogPostState(personalPost('p1'), [], 0);
  const c = personalComment('c1', SARA);
  s = withComment(s, c);
  s = withComment(s, c);
  assert.deepEqual(s.comments.map((x) => x.id), ['c1']);
  assert.equal(s.post.commentCount, 1);
});

test('personal: a deleted comment stays in the list, without text; deleting again changes nothing', () => {
  const s = blogPostState(personalPost('p1', { commentCount: 2 }), [personalComment('c1', SARA), personalComment('c2', ERIK)], 0);
  const d = withCommentDeleted(s, 'c1');
  assert.deepEqual(d.comments.map((c) => [c.id, c.deleted, c.body]), [['c1', true, ''], ['c2', false, 'Kommentar c2']]);
  assert.equal(s.comments[0].deleted, false, 'the old state is left alone');
  assert.equal(withCommentDeleted(d, 'c1'), d);
  assert.equal(withCommentDeleted(d, 'unknown'), d);
});

test('personal: reactions come from the answer of PUT / DELETE', () => {
  const s = blogPostState(personalPost('p1'), [], 0);
  const reactions = [{ emoji: '🎉', count: 1, people: [SARA.id] }];
  assert.deepEqual(withPostReactions(s, reactions).post.reactions, reactions);
  assert.equal(withPostReactions(s, undefined), s, 'an answer without reactions changes nothing');
});

test('personal: a comment may be deleted by its author and by the blog author, not by others', () => {
  const c = personalComment('c1', SARA);
  assert.equal(canDeleteBlogComment(c, { userId: SARA.id, blogAuthorId: ERIK.id }), true);
  assert.equal(canDeleteBlogComment(c, { userId: ERIK.id, blogAuthorId: ERIK.id }), true);
  assert.equal(canDeleteBlogComment(c, { userId: ANNA.id, blogAuthorId: ERIK.id }), false);
  assert.equal(canDeleteBlogComment({ ...c, deleted: true, body: '' }, { userId: SARA.id, blogAuthorId: ERIK.id }), false);
  assert.equal(canDeleteBlogComment(c, { userId: null, blogAuthorId: ERIK.id }), false);
});

test('personal: api paths for one post, comments and reactions (emoji percent-encoded)', async () => {
  const calls = [];
  const api = createApi({
    fetchImpl: async (url, init) => { calls.push({ url, init }); return { ok: true, status: 200, headers: { get: () => null }, text: async () => '{}' }; },
    getCsrfToken: () => 'tok',
  });
  await api.getPersonalPost(ERIK.id, 'p1', { limit: 100, offset: 0 });
  await api.commentPersonalPost(ERIK.id, 'p1', 'Hej **du**');
  await api.deletePersonalComment(ERIK.id, 'p1', 'c1');
  await api.reactPersonalPost(ERIK.id, 'p1', '🎉', true);
  await api.reactPersonalPost(ERIK.id, 'p1', '❤️', false);
  const base = `/api/v1/people/${ERIK.id}/blog/p1`;
  assert.deepEqual(calls.map((c) => [c.init.method, c.url]), [
    ['GET', `${base}?limit=100&offset=0`],
    ['POST', `${base}/comments`],
    ['DELETE', `${base}/comments/c1`],
    ['PUT', `${base}/reactions/%F0%9F%8E%89`],
    ['DELETE', `${base}/reactions/%E2%9D%A4%EF%B8%8F`],
  ]);
  assert.deepEqual(JSON.parse(calls[1].init.body), { body: 'Hej **du**' });
  assert.ok(calls.slice(1).every((c) => c.init.headers['X-CSRF-Token'] === 'tok'));
});
