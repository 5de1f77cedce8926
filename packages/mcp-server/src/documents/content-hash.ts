import { createHash } from 'node:crypto';
import { CHUNKER_VERSION, type ChunkingOptions } from './chunker.js';
import type { ValidIngest } from './document-input.js';

/**
 * The fingerprint of everything that decides a document's chunks and vectors. Equal hashes
 * mean re-ingesting would store exactly what is already there, so it can be skipped; a change
 * of chunking settings or embedder changes every hash and so re-processes every document.
 */
export function contentHash(
  doc: ValidIngest,
  chunking: ChunkingOptions,
  embedderId: string,
): string {
  const metadata = Object.entries(doc.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fingerprint = JSON.stringify({
    v: 1,
    contentType: doc.contentType,
    title: doc.title ?? null,
    metadata,
    chunking: [CHUNKER_VERSION, chunking.targetChars, chunking.overlapChars, chunking.maxChars],
    embedder: embedderId,
  });
  return createHash('sha256').update(fingerprint).update('\n').update(doc.content).digest('hex');
}
