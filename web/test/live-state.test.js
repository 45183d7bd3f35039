import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  presenceFromState, applyPresence, presentList, typingReceived, typingNames, typingCleared, typingPruned,
  nextTypingExpiry, createTypingThrottle, threadListState, applyThreadEvent, postListState, applyPostEvent,
  postTree, hasReacted, reactionsWith, feedState, appendFeedSlice, applyFeedEvent, isNewEvent,
} from '../lib/live-state.js';
import { mentionQuery, matchMembers, insertMention, mentionMarkdown } from '../lib/mention.js';
import { keyDifferences } from '../lib/i18n.js';
import { mentions } from '../lib/markdown.js';

const WS = '7b1c0000-0000-4000-8000-000000000001';
const ERIK = { id: '3f2c0000-0000-4000-8000-000000000001', name: 'Erik Johansson' };
const SARA = { id: '8e950000-0000-4000-8000-000000000002', name: 'Sara Nilsson' };

const thread = (id, at, extra = {}) => ({ id, workspaceId: WS, title: `T ${id}`, author: ERIK, createdAt: at, lastActivityAt: at, postCount: 1, ...extra });
const post = (id, threadId, at, extra = {}) => ({ id, workspaceId: WS, threadId, author: ERIK, body: `body ${id}`, createdAt: at, deleted: false, reactions: [], ...extra });

// ---------------------------------------------------------------- presence

test('presence: state, then joins, status changes and leaves; sorted by name', () => {
  let s = presenceFromState({ present: [{ personId: ERIK.id, name: ERIK.name, status: 'online' }] });
  s = applyPresence(s, { type: 'presence.diff', data: { joins: [{ personId: SARA.id, name: SARA.name, status: 'online' }, { personId: 'a1', name: 'Anna Lindqvist', status: 'away' }], leaves: [], changes: [] } });
  assert.deepEqual(presentList(s).map((p) => p.name), ['Anna Lindqvist', 'Erik Johansson', 'Sara Nilsson']);
  s = applyPresence(s, { type: 'presence.diff', data: { joins: [], leaves: [], changes: [{ personId: SARA.id, name: SARA.name, status: 'away' }] } });
  assert.equal(presentList(s).find((p) => p.personId === SARA.id).status, 'away');
  s = applyPresence(s, { type: 'presence.diff', data: { joins: [], leaves: [ERIK.id], changes: [] } });
  assert.deepEqual(presentList(s).map((p) => p.personId), ['a1', SARA.id]);
  // A new presence.state (after a reconnect) replaces everything.
  s = applyPresence(s, { type: 'presence.state', data: { present: [{ personId: ERIK.id, name: ERIK.name, status: 'online' }] } });
  assert.deepEqual(presentList(s), [{ personId: ERIK.id, name: ERIK.name, status: 'online' }]);
});

test('presence: a join for someone already present is not a duplicate; Swedish sorting (Å after Z)', () => {
  let s = presenceFromState({ present: [{ personId: 'x', name: 'Åsa Ek', status: 'online' }, { personId: 'y', name: 'Zara Ny', status: 'online' }] });
  s = applyPresence(s, { type: 'presence.diff', data: { joins: [{ personId: 'x', name: 'Åsa Ek', status: 'online' }] } });
  assert.deepEqual(presentList(s).map((p) => p.name), ['Zara Ny', 'Åsa Ek']);
});

// ---------------------------------------------------------------- typing

test('typing: shows until expiresInMs has passed, repeats extend it', () => {
  let s = typingReceived(undefined, { personId: SARA.id, name: 'Sara Nilsson', threadId: 't1', expiresInMs: 6000 }, 1000);
  assert.deepEqual(typingNames(s, 1000, { threadId: 't1' }), ['Sara Nilsson']);
  assert.deepEqual(typingNames(s, 6999, { threadId: 't1' }), ['Sara Nilsson']);
  assert.deepEqual(typingNames(s, 7000, { threadId: 't1' }), [], 'expired');
  assert.equal(nextTypingExpiry(s, 1000), 6000);
  s = typingReceived(s, { personId: SARA.id, name: 'Sara Nilsson', threadId: 't1', expiresInMs: 6000 }, 5000);
  assert.deepEqual(typingNames(s, 9000, { threadId: 't1' }), ['Sara Nilsson'], 'extended by the repeat');
  assert.deepEqual(typingNames(typingPruned(s, 11_000), 0), []);
});

test('typing: filtered by thread, never shows myself, cleared when the post arrives', () => {
  let s = typingReceived(undefined, { personId: SARA.id, name: 'Sara', threadId: 't1', expiresInMs: 6000 }, 0);
  s = typingReceived(s, { personId: ERIK.id, name: 'Erik', threadId: 't2', expiresInMs: 6000 }, 0);
  assert.deepEqual(typingNames(s, 1, { threadId: 't1' }), ['Sara']);
  assert.deepEqual(typingNames(s, 1, { excludeId: SARA.id }), ['Erik']);
  assert.deepEqual(typingNames(typingCleared(s, SARA.id), 1, { threadId: 't1' }), []);
});

test('typing throttle: at most one notice per 3 s for the same thread', () => {
  const th = createTypingThrottle(3000);
  assert.equal(th.ready(0, 't1'), true);
  assert.equal(th.ready(1000, 't1'), false);
  assert.equal(th.ready(2999, 't1'), false);
  assert.equal(th.ready(3000, 't1'), true);
  assert.equal(th.ready(3100, 't2'), true, 'another thread sends at once');
});

// ---------------------------------------------------------------- thread list

test('thread list: new threads and replies move to the top and count posts', () => {
  let s = threadListState([thread('a', '2026-11-26T10:00:00Z'), thread('b', '2026-11-26T11:00:00Z')], 10);
  assert.deepEqual(s.threads.map((t) => t.id), ['b', 'a']);
  s = applyThreadEvent(s, { type: 'thread.created', seq: 11, data: { thread: thread('c', '2026-11-26T12:00:00Z'), post: post('pc', 'c', '2026-11-26T12:00:00Z') } });
  assert.deepEqual(s.threads.map((t) => t.id), ['c', 'b', 'a']);
  s = applyThreadEvent(s, { type: 'post.created', seq: 12, data: { post: post('p1', 'a', '2026-11-26T13:00:00Z') } });
  assert.deepEqual(s.threads.map((t) => t.id), ['a', 'c', 'b']);
  assert.equal(s.threads[0].postCount, 2);
  assert.equal(s.threads[0].lastActivityAt, '2026-11-26T13:00:00Z');
  assert.equal(s.lastSeq, 12);
});

test('thread list: duplicates after a resume (seq ≤ last applied) are ignored', () => {
  let s = threadListState([thread('a', '2026-11-26T10:00:00Z')], 5);
  const reply = { type: 'post.created', seq: 6, data: { post: post('p1', 'a', '2026-11-26T13:00:00Z') } };
  s = applyThreadEvent(s, reply);
  const again = applyThreadEvent(s, reply);
  assert.equal(again, s, 'the very same state comes back');
  assert.equal(s.threads[0].postCount, 2);
  // Older than what the page load already contains.
  assert.equal(applyThreadEvent(threadListState([], 5), { type: 'thread.created', seq: 5, data: { thread: thread('z', 'x') } }).threads.length, 0);
  // The same post under a new seq (e.g. re-delivered after a reload) is still counted once.
  s = applyThreadEvent(s, { ...reply, seq: 9 });
  assert.equal(s.threads[0].postCount, 2);
  assert.equal(isNewEvent({ lastSeq: 9 }, { seq: 9 }), false);
  assert.equal(isNewEvent({ lastSeq: 9 }, { seq: 10 }), true);
});

// ---------------------------------------------------------------- posts

test('posts: replies, edits and deletions update the open thread only', () => {
  let s = postListState('t1', [post('p1', 't1', '2026-11-26T10:00:00Z')], 3);
  s = applyPostEvent(s, { type: 'post.created', seq: 4, data: { post: post('p2', 't1', '2026-11-26T10:01:00Z', { parentId: 'p1' }) } });
  s = applyPostEvent(s, { type: 'post.created', seq: 5, data: { post: post('x', 'other', '2026-11-26T10:02:00Z') } });
  assert.deepEqual(s.posts.map((p) => p.id), ['p1', 'p2']);
  s = applyPostEvent(s, { type: 'post.edited', seq: 6, data: { post: post('p1', 't1', '2026-11-26T10:00:00Z', { body: 'ny text', editedAt: '2026-11-26T10:05:00Z' }) } });
  assert.equal(s.posts[0].body, 'ny text');
  assert.ok(s.posts[0].editedAt);
  s = applyPostEvent(s, { type: 'post.deleted', seq: 7, data: { post: post('p2', 't1', '2026-11-26T10:01:00Z', { parentId: 'p1', deleted: true, body: '', deletedBy: ERIK }) } });
  assert.equal(s.posts[1].deleted, true);
  assert.equal(s.posts.length, 2, 'a deleted post stays as a marker');
  const tree = postTree(s.posts);
  assert.equal(tree.length, 1);
  assert.equal(tree[0].children[0].post.id, 'p2');
});

test('posts: a replayed post.created (duplicate seq) is not added twice', () => {
  let s = postListState('t1', [], 0);
  const ev = { type: 'post.created', seq: 1, data: { post: post('p1', 't1', 'x') } };
  s = applyPostEvent(applyPostEvent(s, ev), ev);
  assert.equal(s.posts.length, 1);
  s = applyPostEvent(s, { ...ev, seq: 2 }); // same post, already shown
  assert.equal(s.posts.length, 1);
});

test('reactions: counts, people and toggling; applying twice changes nothing', () => {
  let s = postListState('t1', [post('p1', 't1', 'x')], 0);
  const add = (seq, person, emoji = '👍') => ({ type: 'reaction.added', seq, data: { targetId: 'p1', emoji, person } });
  s = applyPostEvent(s, add(1, ERIK));
  s = applyPostEvent(s, add(2, SARA));
  s = applyPostEvent(s, add(2, SARA)); // duplicate after resume
  assert.deepEqual(s.posts[0].reactions, [{ emoji: '👍', count: 2, people: [ERIK.id, SARA.id] }]);
  assert.equal(hasReacted(s.posts[0], '👍', SARA.id), true);
  s = applyPostEvent(s, { type: 'reaction.removed', seq: 3, data: { targetId: 'p1', emoji: '👍', person: SARA } });
  assert.equal(hasReacted(s.posts[0], '👍', SARA.id), false);
  s = applyPostEvent(s, { type: 'reaction.removed', seq: 4, data: { targetId: 'p1', emoji: '👍', person: ERIK } });
  assert.deepEqual(s.posts[0].reactions, [], 'an emoji nobody gives any more disappears');
  assert.deepEqual(reactionsWith([{ emoji: '🎉', count: 1, people: [ERIK.id] }], '🎉', ERIK.id, true), [{ emoji: '🎉', count: 1, people: [ERIK.id] }]);
});

// ---------------------------------------------------------------- feed

test('feed: live items go on top, duplicates are ignored, older slices append', () => {
  let s = feedState({ items: [{ workspace: { id: WS, name: 'Lathundar' }, seq: 2, type: 'post.created', createdAt: '2026-11-26T10:00:00Z', data: {} }], next: 'cur' });
  const ev = { workspaceId: WS, workspaceName: 'Lathundar', type: 'thread.created', seq: 3, data: { thread: thread('t', '2026-11-26T11:00:00Z'), post: post('p', 't', '2026-11-26T11:00:00Z') } };
  s = applyFeedEvent(s, ev);
  s = applyFeedEvent(s, ev);
  assert.deepEqual(s.items.map((i) => i.seq), [3, 2]);
  assert.equal(applyFeedEvent(s, { ...ev, seq: 4, type: 'reaction.added' }), s, 'reactions are not feed items');
  s = appendFeedSlice(s, { items: [{ workspace: { id: WS }, seq: 2 }, { workspace: { id: WS }, seq: 1, createdAt: '2026-11-26T09:00:00Z' }], next: null });
  assert.deepEqual(s.items.map((i) => i.seq), [3, 2, 1]);
  assert.equal(s.next, null);
});

// ---------------------------------------------------------------- mentions

test('mentions: the @query at the caret is found only at a word start', () => {
  assert.deepEqual(mentionQuery('Hej @Sa', 7), { start: 4, query: 'Sa' });
  assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionQuery('Hej @Sara Nil', 13), { start: 4, query: 'Sara Nil' });
  assert.equal(mentionQuery('mail anna@kommun.se', 19), null);
  assert.equal(mentionQuery('Hej @Sara\nNil', 13), null);
  assert.equal(mentionQuery('Hej Sara', 8), null);
});

test('mentions: members match by first name or surname; inserting writes the mention syntax', () => {
  const members = [ERIK, SARA, { id: 'a', name: 'Anna Lindqvist' }, { id: 'n', name: 'Nils Sandberg' }];
  assert.deepEqual(matchMembers(members, 'sa').map((m) => m.name), ['Sara Nilsson', 'Nils Sandberg']);
  assert.deepEqual(matchMembers(members, 'NIL').map((m) => m.name), ['Nils Sandberg', 'Sara Nilsson']);
  assert.equal(matchMembers(members, '', { excludeId: ERIK.id }).length, 3);
  const r = insertMention('Hej @Sa tack', 4, 7, SARA);
  assert.equal(r.text, `Hej @[Sara Nilsson](person:${SARA.id})  tack`);
  assert.equal(r.caret, 4 + mentionMarkdown(SARA).length + 1);
  assert.deepEqual(mentions(r.text), [SARA.id], 'the Markdown renderer recognises the inserted mention');
  assert.deepEqual(mentions(mentionMarkdown({ id: SARA.id, name: 'Sara [test] *x*' })), [SARA.id]);
});

// ---------------------------------------------------------------- i18n

test('i18n: every live text exists in Swedish and English with the same keys', () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'i18n');
  const sv = JSON.parse(readFileSync(join(dir, 'sv.json'), 'utf8'));
  const en = JSON.parse(readFileSync(join(dir, 'en.json'), 'utf8'));
  assert.deepEqual(keyDifferences(sv, en), { onlyInFirst: [], onlyInSecond: [] });
  for (const key of ['live.reconnecting', 'presence.title', 'discussion.title', 'feed.title', 'feed.more', 'notifications.title', 'discussion.deleted', 'discussion.edited']) {
    assert.ok(sv[key] && en[key], key);
  }
  assert.equal(sv['live.reconnecting'], 'Återansluter…');
  assert.equal(en['live.reconnecting'], 'Reconnecting…');
  assert.equal(sv['presence.title'], 'Närvarande nu');
  assert.equal(sv['feed.title'], 'Flöde');
  assert.equal(sv['feed.more'], 'Visa fler');
  assert.equal(sv['discussion.deleted'], '(borttaget)');
});
