import { describe, expect, it } from 'vitest';
import { structuredOutput } from '../../src/engine/tool-runner.js';

describe('tool-result output (structuredOutput)', () => {
  it('is the MCP structuredContent when the tool has it', () => {
    const structured = { record: { id: 'n-1', title: 'Standup' } };
    expect(structuredOutput('Created a record in notes:\n{…}', structured)).toEqual(structured);
  });

  it('is the text content parsed as JSON for a tool without structured content', () => {
    expect(structuredOutput('{"tables":["notes"]}')).toEqual({ tables: ['notes'] });
    expect(structuredOutput('[1,2]')).toEqual([1, 2]);
  });

  it('is the text itself when the text is not JSON', () => {
    expect(structuredOutput('REFUSED: the user did not approve this call')).toBe(
      'REFUSED: the user did not approve this call',
    );
  });

  it('is null when it would not fit a frame (the display text still carries it, cut)', () => {
    expect(structuredOutput('', { big: 'x'.repeat(70_000) })).toBeNull();
  });
});
