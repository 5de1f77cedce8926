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

  it('ranks the other sections of a page by the page lead (its first paragraph)', () => {
    const live = new LiveChunks(100);
    live.replace(
      'git-mv.html',
      [
        { ...chunk('git-mv.html', 'git-mv - Move or rename a file', 0), heading: 'NAME' },
        {
          ...chunk('git-mv.html', 'Overwrite the destination even if it exists.', 1),
          heading: 'OPTIONS',
        },
      ],
      false,
    );
    live.replace(
      'notes.html',
      [{ ...chunk('notes.html', 'Some tools overwrite a destination file.'), heading: 'Notes' }],
      false,
    );
    for (const name of ['a', 'b', 'c', 'd'])
      live.replace(`${name}.md`, [chunk(`${name}.md`, `filler text ${name}`)], false);
    const ranked = live.keyword('overwrite the destination when I rename a file', 10);
    expect(ranked[0]?.chunk.id).toBe('git-mv.html#1');
    // Replaced and removed chunks take their lead with them.
    live.remove('git-mv.html');
    expect(live.keyword('rename', 10)).toEqual([]);
  });

  it('leaves the words that frame a question out of the query', () => {
    const live = new LiveChunks(100);
    live.replace(
      'story.md',
      [chunk('story.md', 'How did I do it? I do what I can; you do what you must. My way.')],
      false,
    );
    live.replace(
      'mv.md',
      [chunk('mv.md', 'Rename a file with git mv, then commit the move.')],
      false,
    );
    const ranked = live.keyword('How do I rename a file?', 10);
    expect(ranked.map((r) => r.chunk.source)).toEqual(['mv.md']);
    // A query of question words only still searches for them.
    expect(live.keyword('What can I do?', 10)[0]?.chunk.source).toBe('story.md');
  });
});
