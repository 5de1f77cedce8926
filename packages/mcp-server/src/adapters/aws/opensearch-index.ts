import type { Client } from '@opensearch-project/opensearch';
import { ConfigError } from '../../errors.js';
import { translateOpenSearchError } from './opensearch-errors.js';

/** Who may read a chunk or document: principals, filtered with `terms`. */
const ACCESS_MAPPING = { type: 'keyword' } as const;

/** k-NN engines whose `cosinesimil` score is (1 + cosine) / 2 (Faiss from OpenSearch 2.19). */
export type KnnEngine = 'faiss' | 'lucene';

export interface ChunkIndexSpec {
  name: string;
  dimensions: number;
  embedderId: string;
  engine: KnnEngine;
}

/**
 * Chunks: one OpenSearch document per chunk and generation (see the store for why). Metadata is
 * indexed under `metadata.*` as keywords for exact-match filters; `metadata_json` keeps the exact
 * values and types for reading back.
 */
export function chunkIndexBody(spec: ChunkIndexSpec): Record<string, unknown> {
  return {
    settings: { index: { knn: true } },
    mappings: {
      _meta: { embedder: spec.embedderId },
      dynamic: false,
      // Every scalar under metadata.* is a keyword, so filters are exact matches and one field
      // may hold a number in one chunk and a string in another without a mapping conflict.
      dynamic_templates: (['string', 'long', 'double', 'boolean'] as const).map((type) => ({
        [`metadata_${type}s`]: {
          path_match: 'metadata.*',
          match_mapping_type: type,
          mapping: { type: 'keyword' },
        },
      })),
      properties: {
        vector: {
          type: 'knn_vector',
          dimension: spec.dimensions,
          method: { name: 'hnsw', space_type: 'cosinesimil', engine: spec.engine },
        },
        chunk_id: { type: 'keyword' },
        source: { type: 'keyword' },
        generation: { type: 'keyword' },
        content: { type: 'text', analyzer: 'english' },
        title: { type: 'text', analyzer: 'english' },
        heading: { type: 'text', analyzer: 'english' },
        lead: { type: 'text', analyzer: 'english' },
        position: { type: 'integer' },
        metadata: { type: 'object', dynamic: true },
        metadata_json: { type: 'keyword', index: false, doc_values: false },
        access: ACCESS_MAPPING,
      },
    },
  };
}

/** Documents: one small record per source and generation, for get and list. */
export function documentIndexBody(): Record<string, unknown> {
  return {
    mappings: {
      dynamic: false,
      properties: {
        source: { type: 'keyword' },
        generation: { type: 'keyword' },
        title: { type: 'keyword', index: false, doc_values: false },
        chunks: { type: 'integer' },
        content_hash: { type: 'keyword' },
        ingested_at: { type: 'keyword' },
        access: ACCESS_MAPPING,
      },
    },
  };
}

/**
 * Creates the index if it is missing (when allowed), otherwise checks that an existing chunk
 * index was built for the same embedder: vectors from another model are not comparable.
 */
export async function ensureIndex(
  client: Client,
  name: string,
  body: Record<string, unknown>,
  options: { create: boolean; expect?: ChunkIndexSpec },
): Promise<void> {
  const exists = (await client.indices.exists({ index: name })).body;
  if (!exists) {
    if (!options.create) {
      throw new ConfigError(
        `OpenSearch index "${name}" does not exist; create it with the infra stack, or let the server create it (createIndex: true)`,
      );
    }
    try {
      await client.indices.create({ index: name, body });
    } catch (error) {
      // Another process created it first: that is the state we wanted.
      if (errorType(error) !== 'resource_already_exists_exception') throw error;
    }
    return;
  }
  if (options.expect) await checkChunkIndex(client, options.expect);
  await ensureAccessField(client, name);
}

/**
 * An index created before documents had access lacks the `access` mapping; with `dynamic:
 * false` the field would be stored but not indexed, and every chunk would read as everyone's.
 * Adding a field to a mapping is allowed on a live index; if it fails, the store must not open.
 */
async function ensureAccessField(client: Client, name: string): Promise<void> {
  const response = await client.indices.getMapping({ index: name });
  const body = response.body as Record<string, { mappings?: IndexMappings }>;
  if (Object.values(body)[0]?.mappings?.properties?.access !== undefined) return;
  try {
    await client.indices.putMapping({
      index: name,
      body: { properties: { access: ACCESS_MAPPING } },
    });
  } catch (error) {
    throw translateOpenSearchError(
      `add the "access" field to the mapping of the index "${name}", made before documents had access (a serverless collection's data access policy must allow aoss:UpdateIndex)`,
      error,
    );
  }
}

async function checkChunkIndex(client: Client, expect: ChunkIndexSpec): Promise<void> {
  const response = await client.indices.getMapping({ index: expect.name });
  const body = response.body as Record<string, { mappings?: IndexMappings }>;
  const mappings = Object.values(body)[0]?.mappings;
  const embedder = mappings?._meta?.embedder;
  const dimension = mappings?.properties?.vector?.dimension;
  if (embedder !== undefined && embedder !== expect.embedderId) {
    throw new ConfigError(
      `OpenSearch index "${expect.name}" holds vectors from embedder ${embedder}, but this server embeds with ${expect.embedderId}; use another index name, or delete the index and ingest again`,
    );
  }
  if (dimension !== undefined && dimension !== expect.dimensions) {
    throw new ConfigError(
      `OpenSearch index "${expect.name}" holds ${dimension}-dimension vectors, but the embedder makes ${expect.dimensions}; use another index name, or delete the index and ingest again`,
    );
  }
}

interface IndexMappings {
  _meta?: { embedder?: string };
  properties?: { vector?: { dimension?: number }; access?: unknown };
}

export function errorType(error: unknown): string | undefined {
  const body = (error as { meta?: { body?: unknown } }).meta?.body;
  const type = (body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' ? type : undefined;
}
