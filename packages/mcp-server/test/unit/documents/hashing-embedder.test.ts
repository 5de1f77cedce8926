import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../src/adapters/local/hashing-embedder.js';
import { lightStem, tokenize } from '../../../src/adapters/local/text-features.js';

// The local embedder lives in src/adapters/local; its tests sit with the document pipeline's.
const cosine = (a: Float32Array, b: Float32Array): number =>
  a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (v: Float32Array): number => Math.sqrt(cosine(v, v));

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder();

  it('is deterministic across calls and instances', async () => {
    const text = 'Rotate API keys every 90 days.';
    const [a] = await embedder.embed([text], 'document');
    const [b] = await new HashingEmbedder().embed([text], 'query');
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('returns one L2-normalized vector of the declared size per text, in order', async () => {
    const vectors = await embedder.embed(
      ['first text', 'second, different text', '', 'the and of'],
      'document',
    );
    expect(vectors).toHaveLength(4);
    for (const v of vectors) {
      expect(v).toHaveLength(embedder.dimensions);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('puts related texts closer than unrelated ones', async () => {
    const [query, related, paraphrase, unrelated] = await embedder.embed(
      [
        'how do I roll back a failed deployment',
        'Rolling back: roll back as soon as a deployment causes errors, with beacon release rollback.',
        'Deployments that fail are rolled back to the previous release.',
        'Raw events are kept for 13 months; aggregated reports for as long as the workspace exists.',
      ],
      'query',
    );
    expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.1);
    expect(cosine(query!, paraphrase!)).toBeGreaterThan(cosine(query!, unrelated!));
  });

  it('matches word forms through stemming and character n-grams', async () => {
    const [a, b, c] = await embedder
      .embed(['diabetic patients'], 'query')
      .then(async ([q]) => [
        q!,
        ...(await embedder.embed(
          ['patient with diabetes', 'weather forecast tomorrow'],
          'document',
        )),
      ]);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.2);
  });

  it('encodes its settings in its id', () => {
    expect(embedder.id).toMatch(/^hashing-v1:d1024:/);
    expect(new HashingEmbedder({ dimensions: 512 }).id).not.toBe(embedder.id);
    expect(new HashingEmbedder({ charWeight: 0 }).id).not.toBe(embedder.id);
  });

  it('refuses a nonsensical size', () => {
    expect(() => new HashingEmbedder({ dimensions: 4 })).toThrow(RangeError);
  });
});

describe('text features', () => {
  it('lower-cases, folds accents and splits compounds', () => {
    expect(tokenize('Zürich IL-6 and TNF-α, 2x')).toEqual([
      'zurich',
      'il',
      '6',
      'and',
      'tnf',
      'α',
      '2x',
    ]);
  });

  it("the embedder's light stemmer strips common English endings, not short words or numbers", () => {
    expect(lightStem('deployments')).toBe(lightStem('deployment'));
    expect(lightStem('studies')).toBe(lightStem('studied'));
    expect(lightStem('running')).toBe('run');
    expect(lightStem('api')).toBe('api');
    expect(lightStem('p53s')).toBe('p53s');
  });
});
