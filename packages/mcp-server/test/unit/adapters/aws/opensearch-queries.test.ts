import { describe, expect, it } from 'vitest';
import {
  fromChunkSource,
  keywordSearchBody,
  toChunkSource,
} from '../../../../src/adapters/aws/opensearch-queries.js';
import { chunkIndexBody } from '../../../../src/adapters/aws/opensearch-index.js';
import { LEXICAL_BM25 } from '../../../../src/adapters/local/lancedb-bm25.js';
import { PLACE_WEIGHT, TITLE_WEIGHT } from '../../../../src/documents/ranking-fields.js';

describe('OpenSearch keyword query (the same fields and weights as the embedded index)', () => {
  const body = keywordSearchBody('How do I rename a file?', 5, [{ term: { source: 'a.md' } }]);
  const bool = (body.query as { bool: Record<string, unknown> }).bool;

  it('matches the words of every field, question words left out', () => {
    expect(bool.must).toEqual([
      {
        multi_match: {
          query: 'rename a file?',
          fields: ['content', 'title', 'heading', 'lead'],
          type: 'cross_fields',
        },
      },
    ]);
    expect(bool.filter).toEqual([{ term: { source: 'a.md' } }]);
  });

  it('adds the title and the place (heading path and lead) with the local weights', () => {
    expect(bool.should).toEqual([
      { multi_match: { query: 'rename a file?', fields: [`title^${TITLE_WEIGHT}`] } },
      {
        multi_match: {
          query: 'rename a file?',
          fields: [`heading^${PLACE_WEIGHT}`, `lead^${PLACE_WEIGHT}`],
          type: 'cross_fields',
        },
      },
    ]);
    expect(LEXICAL_BM25.titles.weight).toBe(TITLE_WEIGHT);
    expect(LEXICAL_BM25.places.weight).toBe(PLACE_WEIGHT);
  });

  it('stores the lead with each chunk and maps it as English text', () => {
    const chunk = {
      id: 'a.md#1',
      source: 'a.md',
      content: 'Options.',
      position: 1,
      metadata: {},
      vector: new Float32Array([1, 0]),
    };
    expect(toChunkSource(chunk, 'g1', undefined, 'git-mv - Move or rename a file').lead).toBe(
      'git-mv - Move or rename a file',
    );
    expect(toChunkSource(chunk, 'g1', undefined)).not.toHaveProperty('lead');
    const stored = toChunkSource(chunk, 'g1', undefined, 'git-mv - Move or rename a file');
    expect(fromChunkSource(stored, 0.5).lead).toBe('git-mv - Move or rename a file');
    expect(fromChunkSource(stored)).not.toHaveProperty('lead');
    const mappings = chunkIndexBody({ name: 'i', dimensions: 2, embedderId: 'e', engine: 'lucene' })
      .mappings as { properties: Record<string, unknown> };
    expect(mappings.properties.lead).toEqual({ type: 'text', analyzer: 'english' });
  });
});
