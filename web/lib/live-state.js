// Pure reducers for the live parts of the pages: presence, typing indicators, the thread
// list, one thread's posts and the home feed. No DOM, no network: (state, input) → new state.
// Every event reducer ignores events with seq ≤ the last one it applied (they are repeats
// after a resume) and is idempotent by id, so an event already contained in an HTTP page
// load does no harm either.

// ------------------------------------------------------------------ presence

/** Presence from a `presence.state` message: `{byId: {personId: {personId,name,status}}}`. */
export function presenceFromState(data) {
  const byId = {};
  for (const p of data?.present ?? []) if (p?.personId) byId[p.personId] = { personId: p.personId, name: p.name ?? '', status: p.status ?? 'online' };
  return { byId };
}

/** Applies a `presence.diff`: joins add, leaves (person ids) remove, changes update. */
export function applyPresenceDiff(state, diff) {
  const byId = { ...(state?.byId ?? {}) };
  for (const p of diff?.joins ?? []) if (p?.personId) byId[p.personId] = { personId: p.personId, name: p.name ?? '', status: p.status ?? 'online' };
  for (const id of diff?.leaves ?? []) delete byId[typeof id === 'string' ? id : id?.personId];
  for (const p of diff?.changes ?? []) {
    if (!p?.personId) continue;
    const before = byId[p.personId];
    byId[p.personId] = { personId: p.personId, name: p.name || before?.name || '', status: p.status ?? before?.status ?? 'online' };
  }
  return { byId };
}

/** Reduces a presence message (`{type, data}`) of either kind. */
export function applyPresence(state, { type, data }) {
  if (type === 'presence.state') return presenceFromState(data);
  if (type === 'presence.diff') return applyPresenceDiff(state, data);
  return state;
}

/** The present people sorted by name (Swedish collation), each `{personId,name,status}`. */
export function presentList(state, locale = 'sv') {
  return Object.values(state?.byId ?? {}).sort((a, b) =>
    a.name.localeCompare(b.name, locale) || a.personId.localeCompare(b.personId));
}

// ------------------------------------------------------------------ typing

export const TYPING_SEND_INTERVAL_MS = 3000;

/** Records a `typing` message received at `now` (ms); it lasts `expiresInMs`. */
export function typingReceived(state, data, now) {
  if (!data?.personId) return state ?? { entries: {} };
  const ms = Number.isFinite(Number(data.expiresInMs)) ? Number(data.expiresInMs) : 6000;
  return {
    entries: {
      ...(state?.entries ?? {}),
      [data.personId]: { personId: data.personId, name: data.name ?? '', threadId: data.threadId ?? null, expiresAt: now + ms },
    },
  };
}

/** Removes one person's indicator (e.g. when their post arrives). */
export function typingCleared(state, personId) {
  if (!state?.entries?.[personId]) return state;
  const entries = { ...state.entries };
  delete entries[personId];
  return { entries };
}

/** Drops expired indicators. */
export function typingPruned(state, now) {
  const entries = {};
  for (const [id, e] of Object.entries(state?.entries ?? {})) if (e.expiresAt > now) entries[id] = e;
  return { entries };
}

/** Who is typing at `now` (optionally only in `threadId`, never `excludeId`), sorted by name. */
export function typingNames(state, now, { threadId, excludeId } = {}) {
  return Object.values(state?.entries ?? {})
    .filter((e) => e.expiresAt > now && e.personId !== excludeId && (threadId === undefined || e.threadId === threadId))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'sv'));
}

/** Milliseconds until the next indicator expires, or null when none is showing. */
export function nextTypingExpiry(state, now) {
  const times = Object.values(state?.entries ?? {}).map((e) => e.expiresAt - now).filter((d) => d > 0);
  return times.length ? Math.min(...times) : null;
}

/**
 * A throttle for outgoing `typing`: `ready(now)` is true at most once per interval.
 * (Per thread: switching threads sends at once.)
 */
export function createTypingThrottle(intervalMs = TYPING_SEND_INTERVAL_MS) {
  let lastAt = -Infinity;
  let lastKey = null;
  return {
    ready(now, key = null) {
      if (key === lastKey && now - lastAt < intervalMs) return false;
      lastAt = now;
      lastKey = key;
      return true;
    },
    reset() { lastAt = -Infinity; lastKey = null; },
  };
}

// ------------------------------------------------------------------ events in general

/** Whether an event should be applied to a state that has seen up to `state.lastSeq`. */
export function isNewEvent(state, event) {
  return !(Number.isInteger(event?.seq) && Number.isInteger(state?.lastSeq) && event.seq <= state.lastSeq);
}

function advanced(state, event) {
  return Number.isInteger(event?.seq) ? Math.max(state.lastSeq ?? 0, event.seq) : state.lastSeq;
}

const byActivity = (a, b) => String(b.lastActivityAt ?? '').localeCompare(String(a.lastActivityAt ?? ''));

// ------------------------------------------------------------------ thread list

/** A workspace's thread list from an HTTP page (`items`), having seen events up to `lastSeq`. */
export function threadListState(threads = [], lastSeq = 0) {
  return { threads: [...threads].sort(byActivity), lastSeq, seenPosts: [] };
}

/** Applies one workspace event `{type, seq, data}` to the thread list. */
export function applyThreadEvent(state, event) {
  if (!isNewEvent(state, event)) return state;
  const lastSeq = advanced(state, event);
  const { type, data } = event;
  if (type === 'thread.created' && data?.thread) {
    if (state.threads.some((t) => t.id === data.thread.id)) return { ...state, lastSeq };
    const seenPosts = data.post?.id ? [...state.seenPosts, data.post.id] : state.seenPosts;
    return { ...state, lastSeq, seenPosts, threads: [data.thread, ...state.threads].sort(byActivity) };
  }
  if (type === 'post.created' && data?.post) {
    const post = data.post;
    if (state.seenPosts.includes(post.id)) return { ...state, lastSeq };
    const threads = state.threads.map((t) => (t.id !== post.threadId ? t : {
      ...t,
      postCount: (t.postCount ?? 0) + 1,
      lastActivityAt: String(post.createdAt ?? '') > String(t.lastActivityAt ?? '') ? post.createdAt : t.lastActivityAt,
    }));
    return { ...state, lastSeq, seenPosts: [...state.seenPosts, post.id], threads: threads.sort(byActivity) };
  }
  return { ...state, lastSeq };
}

// ------------------------------------------------------------------ posts of one thread

/** One thread's posts (oldest first), having seen events up to `lastSeq`. */
export function postListState(threadId, posts = [], lastSeq = 0) {
  return { threadId, posts: [...posts], lastSeq };
}

function upsertPost(posts, post) {
  const i = posts.findIndex((p) => p.id === post.id);
  if (i < 0) return [...posts, post];
  const next = [...posts];
  next[i] = post;
  return next;
}

/** Applies a reaction change for `person` to one post's `reactions`. Idempotent. */
export function reactionsWith(reactions = [], emoji, personId, add) {
  const list = reactions.map((r) => ({ ...r, people: [...(r.people ?? [])] }));
  let r = list.find((x) => x.emoji === emoji);
  if (add) {
    if (!r) { r = { emoji, count: 0, people: [] }; list.push(r); }
    if (!r.people.includes(personId)) { r.people.push(personId); r.count = Math.max(r.count + 1, r.people.length); }
  } else if (r && r.people.includes(personId)) {
    r.people = r.people.filter((p) => p !== personId);
    r.count = Math.max(0, r.count - 1);
  }
  return list.filter((x) => x.count > 0);
}

/** Applies one workspace event to the open thread's posts. */
export function applyPostEvent(state, event) {
  if (!isNewEvent(state, event)) return state;
  const lastSeq = advanced(state, event);
  const { type, data } = event;
  const post = data?.post;
  switch (type) {
    case 'thread.created':
    case 'post.created':
      if (!post || post.threadId !== state.threadId || state.posts.some((p) => p.id === post.id)) return { ...state, lastSeq };
      return { ...state, lastSeq, posts: [...state.posts, post] };
    case 'post.edited':
    case 'post.deleted':
      if (!post || post.threadId !== state.threadId) return { ...state, lastSeq };
      return { ...state, lastSeq, posts: upsertPost(state.posts, post) };
    case 'reaction.added':
    case 'reaction.removed': {
      const add = type === 'reaction.added';
      const posts = state.posts.map((p) => (p.id !== data?.targetId ? p
        : { ...p, reactions: reactionsWith(p.reactions, data.emoji, data.person?.id, add) }));
      return { ...state, lastSeq, posts };
    }
    default:
      return { ...state, lastSeq };
  }
}

/** Whether `personId` has given `emoji` on `post` (for toggling). */
export function hasReacted(post, emoji, personId) {
  return (post?.reactions ?? []).some((r) => r.emoji === emoji && (r.people ?? []).includes(personId));
}

/**
 * Posts as a reply tree: `[{post, children: [...]}]` in written order. A reply whose parent
 * is unknown is shown at the top level rather than lost.
 */
export function postTree(posts) {
  const nodes = new Map(posts.map((p) => [p.id, { post: p, children: [] }]));
  const roots = [];
  for (const p of posts) {
    const node = nodes.get(p.id);
    const parent = p.parentId && p.parentId !== p.id ? nodes.get(p.parentId) : null;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

// ------------------------------------------------------------------ home feed

export const FEED_TYPES = new Set(['thread.created', 'post.created', 'blog.published', 'blog.commented']);

const feedKey = (item) => `${item.workspace?.id}:${item.seq}`;
const newestFirst = (a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? ''));

/** The feed from its first HTTP slice. */
export function feedState(slice = {}) {
  return { items: [...(slice.items ?? [])], next: slice.next ?? null };
}

/** Appends an older slice ("Visa fler"), skipping items already shown. */
export function appendFeedSlice(state, slice = {}) {
  const keys = new Set(state.items.map(feedKey));
  const more = (slice.items ?? []).filter((i) => !keys.has(feedKey(i)));
  return { items: [...state.items, ...more], next: slice.next ?? null };
}

/** Adds a live event of a subscribed workspace at the top (duplicates ignored). */
export function applyFeedEvent(state, { workspaceId, workspaceName = '', type, seq, data }, nowIso = new Date().toISOString()) {
  if (!FEED_TYPES.has(type) || !Number.isInteger(seq)) return state;
  const item = {
    workspace: { id: workspaceId, name: workspaceName },
    seq, type,
    createdAt: data?.post?.createdAt ?? data?.thread?.createdAt ?? data?.blogPost?.publishedAt ?? nowIso,
    data,
  };
  if (state.items.some((i) => feedKey(i) === feedKey(item))) return state;
  return { ...state, items: [item, ...state.items].sort(newestFirst) };
}
