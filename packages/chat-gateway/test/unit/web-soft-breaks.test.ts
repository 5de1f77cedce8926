import { describe, expect, it } from 'vitest';
import { joinSoftBreaks } from '../../web/src/soft-breaks.js';

describe('joinSoftBreaks (viewer and source cards)', () => {
  it('joins the lines of a wrapped paragraph and keeps every offset', () => {
    const text =
      'Roll back as soon as a deploy causes errors. Rolling\nback is always safe because every\nmigration is compatible.\n\nNext paragraph.';
    const joined = joinSoftBreaks(text);
    expect(joined).toBe(
      'Roll back as soon as a deploy causes errors. Rolling back is always safe because every migration is compatible.\n\nNext paragraph.',
    );
    expect(joined.length).toBe(text.length);
    expect(joined.indexOf('Next')).toBe(text.indexOf('Next'));
  });

  it('keeps breaks in fenced code, before list items, headings, quotes, tables, indented code', () => {
    const text = [
      'Run:',
      '```bash',
      'beacon release rollback',
      'beacon release status',
      '```',
      'You will receive:',
      '- a GitHub account,',
      '- a seat',
      '1. first',
      '## Heading',
      'body line',
      '> quoted',
      '| a | b |',
      '| - | - |',
      'text',
      '    indented code',
      'hard break  ',
      'after',
    ].join('\n');
    const joined = joinSoftBreaks(text);
    expect(joined.split('\n')).toEqual([
      'Run:',
      '```bash',
      'beacon release rollback',
      'beacon release status',
      '```',
      'You will receive:',
      '- a GitHub account,',
      '- a seat',
      '1. first',
      '## Heading',
      'body line',
      '> quoted',
      '| a | b |',
      '| - | - |',
      'text',
      '    indented code',
      'hard break  ',
      'after',
    ]);
    // Only "body line" follows a heading, "text" a table row: nothing was soft.
    expect(joined).toBe(text);
  });

  it('joins a wrapped list item and a wrapped quote', () => {
    expect(joinSoftBreaks('- a long item that\n  wraps here\n- next')).toBe(
      '- a long item that   wraps here\n- next',
    );
    expect(joinSoftBreaks('> a quote that\nwraps')).toBe('> a quote that wraps');
  });
});
