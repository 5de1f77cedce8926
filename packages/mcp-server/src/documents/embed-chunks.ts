import type { Embedder } from '../ports/embedder.js';
import type { Chunk, StoredChunk } from '../ports/vector-store.js';
import { cutText } from '../cut-text.js';

/**
 * The text embedded for a chunk: its title and heading path, then its content. A chunk that
 * says "Run `make deploy`" is about deployment only because of its heading; embedding the
 * heading with it lets a query about deployment find it.
 */
export function embeddingText(chunk: Chunk, maxChars: number): string {
  const header = cutText([chunk.title, chunk.heading].filter(Boolean).join('\n'), HEADER_CHARS);
  const text = header ? `${header}\n\n${chunk.content}` : chunk.content;
  return cutText(text, maxChars);
}

/** The most characters of title and heading embedded with a chunk (the chunker leaves room). */
export const HEADER_CHARS = 398;

/** Embeds chunks in batches of `batchSize`, in order. */
export async function embedChunks(
  chunks: readonly Chunk[],
  embedder: Embedder,
  batchSize: number,
): Promise<StoredChunk[]> {
  const result: StoredChunk[] = [];
  for (let i = 0; i < chunks.length; i += batchSize) {
    const batch = chunks.slice(i, i + batchSize);
    const vectors = await embedder.embed(
      batch.map((chunk) => embeddingText(chunk, embedder.maxInputChars)),
      'document',
    );
    if (vectors.length !== batch.length) {
      throw new Error(
        `embedder ${embedder.id} returned ${vectors.length} vectors for ${batch.length} texts`,
      );
    }
    batch.forEach((chunk, j) => result.push({ ...chunk, vector: vectors[j]! }));
  }
  return result;
}
