import { describe, expect, it } from 'vitest';
import {
  contentQuery,
  LEAD_MAX_CHARS,
  pageLead,
  QUESTION_WORDS,
} from '../../../src/documents/ranking-fields.js';

const at = (position: number, content: string) => ({ position, content });

describe('pageLead', () => {
  it('is the first paragraph of the first chunk, whatever order the chunks come in', () => {
    const lead = pageLead([
      at(1, 'Options follow.'),
      at(0, 'git-mv - Move or rename a file\n\nMore text after the lead.'),
    ]);
    expect(lead).toBe('git-mv - Move or rename a file');
  });

  it('is cut at a word within LEAD_MAX_CHARS', () => {
    const long = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const lead = pageLead([at(0, long), at(1, 'x')])!;
    expect(lead.length).toBeLessThanOrEqual(LEAD_MAX_CHARS);
    expect(long.startsWith(`${lead} `)).toBe(true);
  });

  it('is absent for a document of one chunk and for a first paragraph of code', () => {
    expect(pageLead([at(0, 'A lone abstract.')])).toBeUndefined();
    expect(pageLead([at(0, '```\ngit mv a b\n```'), at(1, 'x')])).toBeUndefined();
  });
});

describe('contentQuery', () => {
  it('drops the words that frame a question, in any case', () => {
    expect(contentQuery('How do I rename a file?')).toBe('rename a file?');
    expect(contentQuery('What does DETACHED HEAD mean?')).toBe('DETACHED HEAD mean?');
    expect(QUESTION_WORDS.has('rename')).toBe(false);
  });

  it('keeps a query made only of question words', () => {
    expect(contentQuery('What can I do?')).toBe('What can I do?');
  });
});
