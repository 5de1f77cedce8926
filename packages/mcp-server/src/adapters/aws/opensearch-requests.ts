import type { Client } from '@opensearch-project/opensearch';
import { UpstreamError } from '../../errors.js';
import { describeBody, translateOpenSearchError } from './opensearch-errors.js';
import type { RawHit } from './opensearch-queries.js';

/** Documents per page when collecting ids, and ids per delete request. */
const PAGE = 1000;

interface BulkItemResult {
  _id?: string;
  status: number;
  error?: unknown;
}

type BulkItem = Partial<Record<'index' | 'delete', BulkItemResult>>;

/** One `_search`; failures become errors saying what `operation` was. */
export async function searchHits<S>(
  client: Client,
  index: string,
  operation: string,
  body: Record<string, unknown>,
): Promise<RawHit<S>[]> {
  try {
    const response = await client.search({ index, body });
    return (response.body as { hits?: { hits?: RawHit<S>[] } }).hits?.hits ?? [];
  } catch (error) {
    throw translateOpenSearchError(operation, error);
  }
}

/**
 * One `_bulk` request of index actions without ids (Serverless vector collections refuse ids).
 * The ids OpenSearch assigned are added to `created`; rejected items come back as an error,
 * not thrown, so the caller can first undo what did get written.
 */
export async function bulkIndex(
  client: Client,
  index: string,
  documents: readonly object[],
  operation: string,
  created: string[],
): Promise<Error | undefined> {
  let response;
  try {
    response = await client.bulk({ index, body: documents.flatMap((doc) => [{ index: {} }, doc]) });
  } catch (error) {
    throw translateOpenSearchError(operation, error);
  }
  const items = (response.body as { items?: BulkItem[] }).items ?? [];
  let failed = 0;
  let firstError: unknown;
  for (const { index: result } of items) {
    if (result && result.status < 300 && result._id) created.push(result._id);
    else {
      failed++;
      firstError ??= result?.error;
    }
  }
  if (failed === 0) return undefined;
  return new UpstreamError(
    `OpenSearch rejected ${failed} of ${items.length} writes while trying to ${operation}${describeBody({ error: firstError })}`,
  );
}

/**
 * Ids of every document matching `filters`, paged with search_after on `sort`, which must be
 * unique per document. Works without `_delete_by_query`, which Serverless lacks.
 */
export async function findIds(
  client: Client,
  index: string,
  filters: Record<string, unknown>[],
  sort: Record<string, 'asc' | 'desc'>[],
  operation: string,
): Promise<string[]> {
  const ids: string[] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const hits = await searchHits<never>(client, index, operation, {
      size: PAGE,
      _source: false,
      query: { bool: { filter: filters } },
      sort,
      ...(after && { search_after: after }),
    });
    ids.push(...hits.map((hit) => hit._id));
    const last = hits.at(-1);
    if (hits.length < PAGE || !last?.sort) return ids;
    after = last.sort;
  }
}

/** Deletes by id; returns how many existed. */
export async function deleteIds(
  client: Client,
  index: string,
  ids: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < ids.length; start += PAGE) {
    const body = ids.slice(start, start + PAGE).map((id) => ({ delete: { _id: id } }));
    let response;
    try {
      response = await client.bulk({ index, body });
    } catch (error) {
      throw translateOpenSearchError('delete stale entries', error);
    }
    for (const { delete: result } of (response.body as { items?: BulkItem[] }).items ?? []) {
      const status = result?.status ?? 500;
      if (status < 300) deleted++;
      else if (status !== 404) {
        throw new UpstreamError(
          `OpenSearch failed to delete stale entries${describeBody({ error: result?.error })}`,
        );
      }
    }
  }
  return deleted;
}
