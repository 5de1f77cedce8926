import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument, type ChunkingOptions } from '../../../src/documents/chunker.js';
import { ConfigError } from '../../../src/errors.js';

const examples = new URL('../../../../../examples/docs/', import.meta.url);
const example = (name: string): string => readFileSync(new URL(name, examples), 'utf8');
const small: ChunkingOptions = { targetChars: 300, overlapChars: 60, maxChars: 1_000 };

describe('chunkDocument, Markdown', () => {
  it('keeps the heading path of every chunk and numbers chunks from 0 under <source>#<position>', () => {
    const chunks = chunkDocument(
      {
        source: 'docs/onboarding.md',
        content: example('onboarding.md'),
        contentType: 'text/markdown',
      },
      small,
    );
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => `docs/onboarding.md#${i}`));
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
    const headings = new Set(chunks.map((c) => c.heading));
    expect(headings).toContain('Onboarding guide > Laptop setup');
    expect(headings).toContain('Onboarding guide > Your first week > Day 5: shadow on-call');
    const day5 = chunks.find((c) => c.heading?.endsWith('Day 5: shadow on-call'));
    expect(day5?.content).toMatch(/^Join the on-call engineer/);
    // The front matter's title wins over the first heading; the front matter itself is not content.
    expect(chunks[0]!.title).toBe('Onboarding guide for new Kestrel engineers');
    expect(chunks.some((c) => c.content.includes('owner: team-kestrel'))).toBe(false);
  });

  it('takes the first level-1 heading as title, and an explicit title over both', () => {
    const doc = {
      source: 'a.md',
      content: '# Runbook\n\nStep one.\n\n## Later\n\nStep two.',
      contentType: 'text/markdown' as const,
    };
    expect(chunkDocument(doc, small)[0]!.title).toBe('Runbook');
    expect(chunkDocument({ ...doc, title: 'Given' }, small)[0]!.title).toBe('Given');
  });

  it('reads setext headings and strips inline markup from heading text', () => {
    const chunks = chunkDocument(
      {
        source: 's.md',
        content: 'Guide\n=====\n\nIntro.\n\nThe `beacon` **CLI**\n---\n\nUse it.',
        contentType: 'text/markdown',
      },
      small,
    );
    expect(chunks.map((c) => c.heading)).toEqual(['Guide', 'Guide > The beacon CLI']);
  });

  it('does not take # lines inside a fenced code block for headings, and keeps the block whole', () => {
    const code = [
      '```bash',
      '# not a heading',
      ...Array.from({ length: 30 }, (_, i) => `echo step ${i}`),
      '```',
    ].join('\n');
    const content = `# Deploy\n\nRun this:\n\n${code}\n\nThen check the dashboard.`;
    const chunks = chunkDocument({ source: 'd.md', content, contentType: 'text/markdown' }, small);
    expect(code.length).toBeGreaterThan(small.targetChars);
    expect(chunks.every((c) => c.heading === 'Deploy')).toBe(true);
    const withCode = chunks.filter((c) => c.content.includes('echo step'));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]!.content).toContain(code);
    // Overlap never carries half a code block into the next chunk.
    const after = chunks[chunks.indexOf(withCode[0]!) + 1];
    expect(after?.content).toBe('Then check the dashboard.');
  });

  it('splits a code block longer than maxChars on line boundaries, each piece within bounds', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const content = ['```', ...lines, '```'].join('\n');
    const chunks = chunkDocument(
      { source: 'big.md', content, contentType: 'text/markdown' },
      small,
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.content.length).toBeLessThanOrEqual(small.maxChars);
      for (const line of chunk.content.split('\n'))
        expect(line === '```' || lines.includes(line)).toBe(true);
    }
  });

  it('treats an unclosed fence as code to the end of the document', () => {
    const chunks = chunkDocument(
      { source: 'u.md', content: '# A\n\n```\n# inside\ncode', contentType: 'text/markdown' },
      small,
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.heading).toBe('A');
    expect(chunks[0]!.content).toBe('```\n# inside\ncode');
  });
});

describe('chunkDocument, sizes and overlap', () => {
  const paragraph = (n: number): string =>
    Array.from(
      { length: 8 },
      (_, i) => `Paragraph ${n} sentence ${i} talks about deployments.`,
    ).join(' ');
  const content = Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n');

  it('fills chunks up to the target, never past maxChars, and never cuts a word', () => {
    const chunks = chunkDocument({ source: 'p.txt', content, contentType: 'text/plain' }, small);
    expect(chunks.length).toBeGreaterThan(5);
    const words = new Set(content.split(/\s+/));
    for (const chunk of chunks) {
      expect(chunk.content.length).toBeLessThanOrEqual(small.targetChars + small.overlapChars + 2);
      for (const word of chunk.content.split(/\s+/)) expect(words.has(word)).toBe(true);
    }
  });

  it('starts each chunk of a section with the end of the previous one, at a sentence start', () => {
    const chunks = chunkDocument({ source: 'p.txt', content, contentType: 'text/plain' }, small);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!.content;
      const content = chunks[i]!.content;
      // The longest prefix of this chunk that the previous chunk ends with: the overlap.
      let overlap = '';
      for (let n = Math.min(small.overlapChars, content.length); n > 0; n--) {
        if (previous.endsWith(content.slice(0, n))) {
          overlap = content.slice(0, n);
          break;
        }
      }
      expect(overlap.length).toBeGreaterThan(0);
      expect(overlap).toMatch(/^Paragraph \d+ sentence \d+/);
    }
  });

  it('has no overlap when overlapChars is 0, and no overlap across sections', () => {
    const none = chunkDocument(
      { source: 'p.txt', content, contentType: 'text/plain' },
      { ...small, overlapChars: 0 },
    );
    const words = (text: string): string => text.replace(/\s+/g, ' ');
    expect(words(none.map((c) => c.content).join(' '))).toBe(words(content));
    const md = chunkDocument(
      {
        source: 's.md',
        content: `# A\n\n${paragraph(1)}\n\n# B\n\n${paragraph(2)}`,
        contentType: 'text/markdown',
      },
      small,
    );
    expect(md.find((c) => c.heading === 'B')!.content.startsWith('Paragraph 2')).toBe(true);
  });

  it('hard-splits one huge paragraph on sentences, then words, then characters, within maxChars', () => {
    const sentences = Array.from({ length: 400 }, (_, i) => `Sentence ${i} is here.`).join(' ');
    const oneWord = 'x'.repeat(2_500);
    const chunks = chunkDocument(
      { source: 'huge.txt', content: `${sentences} ${oneWord} tail`, contentType: 'text/plain' },
      small,
    );
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(small.maxChars);
    const sentenceChunks = chunks.filter((c) => !c.content.includes('xxx'));
    expect(sentenceChunks.length).toBeGreaterThan(10);
    for (const chunk of sentenceChunks)
      expect(chunk.content).toMatch(/^Sentence \d+ is here\.( Sentence \d+ is here\.)*$/);
    expect(chunks.map((c) => c.content).join('')).toContain('x'.repeat(small.targetChars));
  });

  it('copies metadata to every chunk without sharing the object', () => {
    const chunks = chunkDocument(
      {
        source: 'm.txt',
        content,
        contentType: 'text/plain',
        metadata: { team: 'kestrel', version: 2 },
      },
      small,
    );
    expect(chunks.every((c) => c.metadata.team === 'kestrel' && c.metadata.version === 2)).toBe(
      true,
    );
    chunks[0]!.metadata.team = 'changed';
    expect(chunks[1]!.metadata.team).toBe('kestrel');
  });

  it('refuses settings that cannot work', () => {
    expect(() =>
      chunkDocument(
        { source: 'x', content: 'x', contentType: 'text/plain' },
        { ...small, targetChars: 2_000 },
      ),
    ).toThrow(ConfigError);
    expect(() =>
      chunkDocument(
        { source: 'x', content: 'x', contentType: 'text/plain' },
        { ...small, overlapChars: 200 },
      ),
    ).toThrow(ConfigError);
  });
});

describe('chunkDocument, HTML', () => {
  const chunks = chunkDocument(
    {
      source: 'api-authentication.html',
      content: example('api-authentication.html'),
      contentType: 'text/html',
    },
    { targetChars: 400, overlapChars: 0, maxChars: 2_000 },
  );
  const text = chunks.map((c) => c.content).join('\n');

  it('drops script, style, nav, footer and the doctype', () => {
    expect(text).not.toMatch(/window\.analytics|font-family|Home \| Docs|Kestrel Labs|doctype/i);
  });

  it('uses <title> as the title and h1-h6 as the heading path', () => {
    expect(chunks[0]!.title).toBe('Beacon API authentication');
    expect(chunks.map((c) => c.heading)).toContain(
      'API authentication > OAuth2 client credentials > Scopes',
    );
  });

  it('decodes entities, keeps <pre> line breaks, and turns table rows into lines of cells', () => {
    expect(text).toContain('Settings → API keys');
    expect(text).toContain(
      'curl https://api.beacon.example/v2/events \\\n  -H "Authorization: Bearer bk_live_xxxxxxxx"',
    );
    expect(text).toContain('reports:read | querying funnels, retention and dashboards');
  });

  it('joins inline elements into one paragraph and separates block elements', () => {
    const html =
      '<p>Rotate <b>every</b> <a href="#">90 days</a>.</p><ul><li>one</li><li>two<br>lines</li></ul><div hidden>secret</div>';
    const [chunk] = chunkDocument(
      { source: 'i.html', content: html, contentType: 'text/html' },
      small,
    );
    expect(chunk!.content).toBe('Rotate every 90 days.\n\n- one\n\n- two\nlines');
  });
});
