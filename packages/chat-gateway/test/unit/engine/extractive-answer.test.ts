import { describe, expect, it } from 'vitest';
import {
  coverage,
  extractAnswer,
  questionTerms,
  splitUnits,
} from '../../../src/engine/extractive-answer.js';

const stash = {
  n: 1,
  place: 'git-stash(1) › DESCRIPTION',
  content:
    'Git is a version control system. Use git stash when you want to record the current state of the working directory and the index, but want to go back to a clean working directory. The command saves your local modifications away.',
};
const tables = {
  n: 2,
  place: 'Limits',
  content:
    'The limits are listed below.\n\n| Setting | Default |\n| --- | --- |\n| max upload size | 10 MB |\n\nOther text follows here.',
};

describe('extractAnswer (offline sentence selection)', () => {
  it('leads with the sentence holding the question terms, not the passage opening', () => {
    const [first] = extractAnswer('How do I record the state of my working directory?', [stash]);
    expect(first?.text).toMatch(/^Use git stash when you want to record the current state/);
    expect(first?.n).toBe(1);
  });

  it('keeps a matching Markdown table whole, as a block', () => {
    const extracts = extractAnswer('What is the default max upload size?', [stash, tables]);
    const block = extracts.find((e) => e.kind === 'block');
    expect(block?.text).toBe('| Setting | Default |\n| --- | --- |\n| max upload size | 10 MB |');
    expect(block?.n).toBe(2);
  });

  it('returns nothing for a question of stop words only', () => {
    expect(extractAnswer('What is it?', [stash])).toEqual([]);
  });
});

describe('splitUnits', () => {
  it('keeps fenced code blocks whole and splits prose into sentences', () => {
    const units = splitUnits(
      'Run this. Then wait.\n\n```\ngit stash push\ngit stash pop\n```\nDone.',
    );
    expect(units).toEqual([
      { text: 'Run this.', kind: 'sentence' },
      { text: 'Then wait.', kind: 'sentence' },
      { text: '```\ngit stash push\ngit stash pop\n```', kind: 'block' },
      { text: 'Done.', kind: 'sentence' },
    ]);
  });
});

describe('coverage (the not-found decision)', () => {
  it('is high when the passages hold the question terms, low for an off-topic question', () => {
    expect(coverage(questionTerms('How do I stash my working directory?'), [stash])).toBe(1);
    expect(coverage(questionTerms('What is the capital of France?'), [stash])).toBe(0);
  });

  it('counts terms of the heading path', () => {
    expect(coverage(questionTerms('git-stash description'), [stash])).toBe(1);
  });
});
