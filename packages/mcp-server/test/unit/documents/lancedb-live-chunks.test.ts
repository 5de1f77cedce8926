import { describe, expect, it } from 'vitest';
import { LiveChunks } from '../../../src/adapters/local/lancedb-live-chunks.js';

const chunk = (source: string, content: string, position = 0) => ({
  id: `${source}#${position}`,
  source,
  content,
  position,
  metadata: { team: source.startsWith('a') ? 'alpha' : 'beta' },
});

describe('LiveChunks (in-memory BM25 over words and trigrams)', () => {
  it('ranks by BM25, forgets replaced and removed chunks, and filters', () => {
    const live = new LiveChunks(100);
    live.replace('a.md', [chunk('a.md', 'insulin resistance in muscle')], false);
    live.replace('b.md', [chunk('b.md', 'insulin signalling; insulin receptors')], false);
    live.replace('c.md', [chunk('c.md', 'bone density in older adults')], false);
    expect(live.keyword('insulin', 10).map((r) => r.chunk.source)).toEqual(['b.md', 'a.md']);

    live.replace('b.md', [chunk('b.md', 'nothing relevant now')], false);
    expect(live.keyword('insulin', 10).map((r) => r.chunk.source)).toEqual(['a.md']);
    expect(live.remove('a.md')).toBe(1);
    expect(live.keyword('insulin', 10)).toEqual([]);
    expect(live.size).toBe(2);

    live.replace('a.md', [chunk('a.md', 'older adults and insulin')], false);
    const filtered = live.keyword('older adults', 10, { metadata: { team: 'beta' } });
    expect(filtered.map((r) => r.chunk.source)).toEqual(['c.md']);
  });

  it('finds misspelt words through trigrams, and drops them above the size limit', () => {
    const live = new LiveChunks(3);
    live.replace('k.md', [chunk('k.md', 'kubernetes deployments')], false);
    live.replace('p.md', [chunk('p.md', 'postgres backups')], false);
    // Porter2 stems "kubernets" like "kubernetes"; a transposition only trigrams catch.
    expect(live.keyword('kubrenetes', 10)).toEqual([]);
    expect(live.trigram('kubrenetes', 10)[0]?.chunk.source).toBe('k.md');

    for (const name of ['x', 'y']) live.replace(`${name}.md`, [chunk(`${name}.md`, name)], false);
    expect(live.hasTrigrams).toBe(false);
    expect(live.trigram('kubrenetes', 10)).toEqual([]);
    live.remove('x.md');
    live.remove('y.md');
    expect(live.hasTrigrams).toBe(true);
    expect(live.trigram('kubrenetes', 10)[0]?.chunk.source).toBe('k.md');
  });

  it('ranks a chunk whose heading path holds the query word above one that only mentions it', () => {
    const live = new LiveChunks(100);
    live.replace('body.md', [{ ...chunk('body.md', 'stash it'), heading: 'Pull' }], false);
    live.replace(
      'head.md',
      [{ ...chunk('head.md', 'saves local work away for later'), heading: 'Stash' }],
      false,
    );
    const ranked = live.keyword('stash', 10);
    expect(ranked.map((r) => r.chunk.source)).toEqual(['head.md', 'body.md']);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });
});
