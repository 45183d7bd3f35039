// Pieces shared by the live sections of a workspace page: the discussions and the blog.

/** The workspace's members for @mention completion, fetched once on first use; a failed
 *  fetch is forgotten so that the next use tries again. */
export function membersLoader(api, wsId) {
  let cache = null;
  return () => {
    cache ??= api.listMembers(wsId, { limit: 100 }).then((page) => page.items.map((m) => m.person))
      .catch((err) => { cache = null; throw err; });
    return cache;
  };
}

/**
 * Subscribes to the workspace's live topic; resolves with the acknowledged sequence number,
 * or 0 if there is none within `waitMs`. Subscribe first so nothing written between the page
 * load and the subscription is missed; if the connection is slow, load anyway (the reducers
 * are idempotent).
 */
export async function subscribeFirst(live, wsId, waitMs) {
  const timeout = new Promise((resolve) => { setTimeout(() => resolve(null), waitMs); });
  const ack = await Promise.race([live.subscribe(wsId).catch(() => null), timeout]);
  return Number.isInteger(ack?.seq) ? ack.seq : 0;
}
