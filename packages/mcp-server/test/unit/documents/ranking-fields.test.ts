import { describe, expect, it } from 'vitest';
import {
  contentQuery,
  LEAD_MAX_CHARS,
  pageLead,
  QUESTION_WORDS,
} from '../../../src/documents/ranking-fields.js';

const at = (position: number, content: string) => ({ position, content, heading: 'NAME' });

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

  it('is absent for one chunk, for plain text without headings, and for code', () => {
    expect(pageLead([at(0, 'A lone abstract.')])).toBeUndefined();
    expect(
      pageLead([
        { position: 0, content: 'Plain text.' },
        { position: 1, content: 'More.' },
      ]),
    ).toBeUndefined();
    expect(pageLead([at(0, '```\ngit mv a b\n```'), at(1, 'x')])).toBeUndefined();
  });
});

describe('contentQuery', () => {
  it("drops the words that open a question, in any case, and the asker's pronouns", () => {
    expect(contentQuery('How do I rename a file?')).toBe('rename a file?');
    expect(contentQuery('What does DETACHED HEAD mean?')).toBe('DETACHED HEAD mean?');
    expect(contentQuery('How can git remember my password?')).toBe('git remember password?');
    expect(QUESTION_WORDS.has('rename')).toBe(false);
  });

  it('keeps such words inside a statement', () => {
    expect(contentQuery('Insulin can reduce type I diabetes risk in US adults')).toBe(
      'Insulin can reduce type I diabetes risk in US adults',
    );
  });

  it('keeps a query made only of question words', () => {
    expect(contentQuery('What can I do?')).toBe('What can I do?');
  });
});
