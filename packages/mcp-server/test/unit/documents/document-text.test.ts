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

  it('writes a heading line where the heading path changes, and keeps sections apart', () => {
    const markdown = `# Guide\n\n## Install\n\n${sentences('install', 3)}\n\n## Run\n\n${sentences('running', 3)}`;
    const chunks = chunkDocument(
      { source: 'g.md', content: markdown, contentType: 'text/markdown' },
      SMALL,
    );
    const text = documentText(chunks);
    expect(text).toMatch(/^## Guide > Install$/m);
    expect(text).toMatch(/^## Guide > Run$/m);
    expect(text.indexOf('about install')).toBeLessThan(text.indexOf('## Guide > Run'));
    expect(text.indexOf('## Guide > Run')).toBeLessThan(text.indexOf('about running'));
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
