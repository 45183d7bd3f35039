// Pagination maths for `{items,total,limit,offset}` pages.

export const DEFAULT_LIMIT = 20;

/** Describes a page: 1-based page number, count of pages, neighbours and shown range. */
export function pageInfo({ total = 0, limit = DEFAULT_LIMIT, offset = 0 } = {}) {
  const safeLimit = Math.max(1, Math.floor(limit) || DEFAULT_LIMIT);
  const safeTotal = Math.max(0, Math.floor(total) || 0);
  const safeOffset = Math.max(0, Math.floor(offset) || 0);
  const pages = Math.max(1, Math.ceil(safeTotal / safeLimit));
  const page = Math.min(pages, Math.floor(safeOffset / safeLimit) + 1);
  const from = safeTotal === 0 ? 0 : Math.min(safeTotal, safeOffset + 1);
  const to = Math.min(safeTotal, safeOffset + safeLimit);
  return {
    page, pages, from, to, total: safeTotal, limit: safeLimit,
    hasPrev: safeOffset > 0,
    hasNext: safeOffset + safeLimit < safeTotal,
    prevOffset: Math.max(0, safeOffset - safeLimit),
    nextOffset: safeOffset + safeLimit,
  };
}

/** Offset for a 1-based page number, clamped to ≥ 0. */
export function offsetForPage(page, limit = DEFAULT_LIMIT) {
  return Math.max(0, (Math.floor(page) - 1) * limit);
}

/**
 * Every item of a paged list: fetches `fetchPage({limit, offset})` page after page until all
 * `total` items are in, a page comes back empty, `maxPages` pages were fetched or
 * `stop(items)` is true.
 */
export async function collectPages(fetchPage, { limit, maxPages, stop = () => false }) {
  const items = [];
  let total = Infinity;
  for (let page = 0; page < maxPages && items.length < total; page++) {
    const res = await fetchPage({ limit, offset: page * limit });
    items.push(...(res.items ?? []));
    total = res.total ?? items.length;
    if (!res.items?.length || stop(items)) break;
  }
  return items;
}
