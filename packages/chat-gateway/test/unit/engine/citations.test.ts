import { describe, expect, it } from 'vitest';
import { flatSnippet, snippet } from '../../../src/engine/citations.js';

describe('snippet: the cited passage of a source card', () => {
  it('keeps line breaks and indentation so a code block stays readable; drops blank lines', () => {
    const passage = [
      'Install the CLI:',
      '',
      '```sh',
      'npm   install  -g foo',
      '   foo --init   ',
      '```',
      '',
      '',
      'Then run it.',
    ].join('\n');
    expect(snippet(passage)).toBe(
      [
        'Install the CLI:',
        '```sh',
        'npm install -g foo',
        '   foo --init',
        '```',
        'Then run it.',
      ].join('\n'),
    );
  });

  it('cuts a long passage at a space or line break and marks the cut', () => {
    const passage = `${'word '.repeat(40)}\n${'line\n'.repeat(40)}`;
    const cut = snippet(passage, 280);
    expect(cut.length).toBeLessThanOrEqual(281);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).toMatch(/(word|line)…$/);
    expect(cut).toContain('\nline\n');
  });

  it('flatSnippet puts it on one line for a quote inside an answer', () => {
    expect(flatSnippet('a\n```sh\n  b  c\n```')).toBe('a ```sh b c ```');
  });
});
