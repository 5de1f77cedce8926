import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../../src/documents/chunker.js';
import { documentText } from '../../../src/documents/document-text.js';

const SMALL = { targetChars: 300, overlapChars: 80, maxChars: 900 };

const sentences = (topic: string, n: number): string =>
  Array.from(
    { length: n },
    (_, i) => `Sentence ${i + 1} about ${topic} has a few more words.`,
  ).join(' ');

describe('documentText', () => {
  it('joins chunks once: the overlap each chunk repeats from the previous one is removed', () => {
    const paragraphs = [
      sentences('installing', 9),
      sentences('upgrading', 7),
      sentences('backups', 8),
    ];
    const chunks = chunkDocument(
      { source: 'a.txt', content: paragraphs.join('\n\n'), contentType: 'text/plain' },
      SMALL,
    );
    // The document really was cut, and its chunks repeat text (the overlap).
    expect(chunks.length).toBeGreaterThan(4);
    const stored = chunks.reduce((n, c) => n + c.content.length, 0);
    expect(stored).toBeGreaterThan(paragraphs.join('\n\n').length + 100);
    const text = documentText(chunks);
    for (const p of paragraphs) {
      for (const sentence of p.split(/(?<=\.) /)) {
        expect(text.split(sentence).length - 1, sentence).toBe(1);
      }
    }
    expect(text.replace(/\s+/g, ' ')).toBe(paragraphs.join(' '));
  });

  it('writes the headings where the heading path changes, each at its depth, and keeps sections apart', () => {
    const markdown = [
      '# Guide',
      sentences('the guide', 2),
      '## Install',
      sentences('install', 3),
      '### Linux',
      sentences('linux', 2),
      '## Run',
      sentences('running', 3),
    ].join('\n\n');
    const chunks = chunkDocument(
      { source: 'g.md', content: markdown, contentType: 'text/markdown' },
      SMALL,
    );
    const text = documentText(chunks);
    const headings = text.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual(['# Guide', '## Install', '### Linux', '## Run']);
    expect(text.indexOf('about install')).toBeLessThan(text.indexOf('### Linux'));
    expect(text.indexOf('### Linux')).toBeLessThan(text.indexOf('about linux'));
    expect(text.indexOf('about linux')).toBeLessThan(text.indexOf('## Run'));
    expect(text.indexOf('## Run')).toBeLessThan(text.indexOf('about running'));
  });

  it("repeats a parent section's heading when its text continues after a subsection", () => {
    const base = { source: 's', metadata: {} };
    const text = documentText([
      { ...base, id: 's#0', position: 0, heading: 'Guide > Install', content: 'Install it.' },
      { ...base, id: 's#1', position: 1, heading: 'Guide > Install > Linux', content: 'On Linux.' },
      { ...base, id: 's#2', position: 2, heading: 'Guide > Install', content: 'Then check.' },
    ]);
    expect(text).toBe(
      '# Guide\n\n## Install\n\nInstall it.\n\n### Linux\n\nOn Linux.\n\n## Install\n\nThen check.',
    );
  });

  it('leaves chunks alone when one does not start with the end of the previous', () => {
    const base = { source: 's', position: 0, metadata: {} };
    const text = documentText([
      { ...base, id: 's#0', content: 'The first part ends with these words.' },
      { ...base, id: 's#1', position: 1, content: 'A second part, unrelated to the first.' },
    ]);
    expect(text).toBe(
      'The first part ends with these words.\n\nA second part, unrelated to the first.',
    );
  });

  it('is empty for no chunks', () => {
    expect(documentText([])).toBe('');
  });
});
