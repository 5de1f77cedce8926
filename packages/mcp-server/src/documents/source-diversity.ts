/**
 * At most this many passages of one document among a search's results, as long as other
 * documents have passages to show. A manual page splits into many short sections that share
 * its title and lead, so without a cap one page fills the whole result list and the page that
 * answers comes sixth (docs QA train split: "delete a branch on the remote" gave five sections
 * of git-branch and no git-push).
 */
export const MAX_PASSAGES_PER_SOURCE = 2;

/** How many candidates to ask the store for so that `limit` diverse results can be chosen. */
export function diverseCandidateCount(limit: number, max: number): number {
  return Math.min(Math.max(limit * 3, limit), Math.max(limit, max));
}

/**
 * The first `limit` hits, best first, holding at most `perSource` of each source; when too few
 * sources are found, the hits left out fill the list again in their order. The order among the
 * kept hits is the ranking's own, so scores stay descending.
 */
export function diverseBySource<T extends { source: string }>(
  hits: readonly T[],
  limit: number,
  perSource = MAX_PASSAGES_PER_SOURCE,
): T[] {
  const count = new Map<string, number>();
  const kept = new Set<number>();
  hits.forEach((hit, i) => {
    if (kept.size >= limit) return;
    const n = count.get(hit.source) ?? 0;
    if (n >= perSource) return;
    count.set(hit.source, n + 1);
    kept.add(i);
  });
  for (let i = 0; i < hits.length && kept.size < limit; i++) kept.add(i);
  return hits.filter((_, i) => kept.has(i));
}
