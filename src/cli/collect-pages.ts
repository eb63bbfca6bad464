import type { Page, PageRequest } from '../store/index.js';

/** The store's largest page. */
const maxPage = 1000;

/**
 * Reads up to `limit` records through the store's keyset pages (at most 1000 each), and whether
 * more were left, so --limit may exceed one page and the output can say it was cut.
 */
export async function collectPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ readonly items: readonly T[]; readonly more: boolean }> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    // One extra row tells whether the listing was cut at `limit`.
    const want = Math.min(maxPage, limit + 1 - items.length);
    const page = await fetch(after === undefined ? { limit: want } : { limit: want, after });
    items.push(...page.items);
    after = page.next;
    if (after === undefined || items.length > limit) break;
  }
  return { items: items.slice(0, limit), more: items.length > limit };
}
