import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { pageLead } from '../../documents/ranking-fields.js';
import { UpstreamError, ValidationError } from '../../errors.js';
import type { DocumentInfo, StoredChunk } from '../../ports/vector-store.js';
import type { StoreIndexes } from './opensearch-document-reads.js';
import { bulkIndex, deleteIds, findIds } from './opensearch-requests.js';
import { toChunkSource, toDocumentSource } from './opensearch-queries.js';

/** Unique orders for paging through ids: a chunk id is unique within a generation. */
const CHUNK_ORDER: Record<string, 'asc'>[] = [{ generation: 'asc' }, { chunk_id: 'asc' }];
const RECORD_ORDER: Record<string, 'asc'>[] = [{ generation: 'asc' }];

/** Generation names: sortable and, within this process, strictly increasing. */
export class Generations {
  private lastMs = 0;
  next(): string {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return `${String(this.lastMs).padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
  }
}

/**
 * Writes `chunks` as `generation` of `document`, then its record, deleting older generations of
 * each once the newer one is whole. A failed chunk write removes what it wrote and leaves the
 * previous version unchanged.
 */
export async function writeGeneration(
  client: Client,
  indexes: StoreIndexes,
  document: DocumentInfo,
  chunks: readonly StoredChunk[],
  generation: string,
  bulkSize: number,
): Promise<void> {
  const { source } = document;
  const lead = pageLead(chunks);
  const written: string[] = [];
  try {
    for (let start = 0; start < chunks.length; start += bulkSize) {
      const batch = chunks.slice(start, start + bulkSize);
      const docs = batch.map((chunk) => toChunkSource(chunk, generation, document.access, lead));
      const operation = `write the chunks of "${source}"`;
      const failure = await bulkIndex(client, indexes.chunks, docs, operation, written);
      if (failure) throw failure;
    }
  } catch (error) {
    await deleteIds(client, indexes.chunks, written).catch(() => undefined);
    if (!(error instanceof UpstreamError)) throw error;
    const message = `${error.message}; the previous version of "${source}" is unchanged`;
    throw new UpstreamError(message, { cause: error });
  }
  // Old chunks go before the document record moves on: if this fails, the record still shows
  // the old content hash, so ingesting again is not skipped and finishes the clean-up.
  await deleteOlder(client, indexes.chunks, CHUNK_ORDER, source, generation);
  const record = [toDocumentSource(document, generation)];
  const operation = `record the document "${source}"`;
  const failure = await bulkIndex(client, indexes.documents, record, operation, []);
  if (failure) throw failure;
  await deleteOlder(client, indexes.documents, RECORD_ORDER, source, generation);
}

/** Deletes every chunk and record of `source`; returns how many chunks were deleted. */
export async function deleteSource(
  client: Client,
  indexes: StoreIndexes,
  source: string,
): Promise<number> {
  const filters = [{ term: { source } }];
  const operation = `find the stored parts of "${source}"`;
  const chunkIds = await findIds(client, indexes.chunks, filters, CHUNK_ORDER, operation);
  const recordIds = await findIds(client, indexes.documents, filters, RECORD_ORDER, operation);
  // Chunks first: a record without chunks is re-ingested; chunks without a record would linger.
  const deleted = await deleteIds(client, indexes.chunks, chunkIds);
  await deleteIds(client, indexes.documents, recordIds);
  return deleted;
}

/** Deletes the entries of `source` written by replacements older than `generation`. */
async function deleteOlder(
  client: Client,
  index: string,
  order: Record<string, 'asc'>[],
  source: string,
  generation: string,
): Promise<void> {
  const filters = [{ term: { source } }, { range: { generation: { lt: generation } } }];
  const operation = `find the previous version of "${source}"`;
  await deleteIds(client, index, await findIds(client, index, filters, order, operation));
}

/** The chunks belong to `document`, have distinct ids and vectors of the index's dimension. */
export function checkChunks(
  document: DocumentInfo,
  chunks: readonly StoredChunk[],
  dimensions: number,
): void {
  const ids = new Set<string>();
  chunks.forEach((chunk, index) => {
    if (chunk.source !== document.source) {
      throw new ValidationError(
        `chunks[${index}].source: is "${chunk.source}", but the document is "${document.source}"`,
      );
    }
    if (ids.has(chunk.id)) {
      throw new ValidationError(`chunks[${index}].id: "${chunk.id}" appears twice`);
    }
    ids.add(chunk.id);
    if (chunk.vector.length !== dimensions) {
      throw new ValidationError(
        `chunks[${index}].vector: has ${chunk.vector.length} dimensions, but the index holds ${dimensions}`,
      );
    }
  });
}
