import { describe, expect, it } from 'vitest';
import {
  coverage,
  extractAnswer,
  isOptionTerm,
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

  it("answers with an option's name when its description holds the question terms", () => {
    // A manual's OPTIONS list as html-to-text renders it: each name on a line of its own.
    const options = {
      n: 1,
      place: 'git-commit(1) › OPTIONS',
      content:
        '-a\n\n--all\n\nStage every modified file first.\n\n--amend\n\nReplace the tip of the current branch by creating a new commit. The message of the original commit is the starting point.',
    };
    const [first] = extractAnswer('How do I replace the tip of my current branch?', [options]);
    expect(first?.text).toBe(
      '--amend: Replace the tip of the current branch by creating a new commit.',
    );
  });

  it("offers the document's lead, once per document, when a later section ranked", () => {
    const lead = 'git-worktree - Manage multiple working trees';
    const section = {
      n: 1,
      place: 'git-worktree(1) › COMMANDS',
      lead,
      content: 'Create a new directory at the given path and check out the branch into it.',
    };
    const another = { ...section, n: 2, content: 'Prune stale administrative files.' };
    const extracts = extractAnswer('How do I manage several working trees?', [section, another]);
    expect(extracts[0]).toEqual({ n: 1, text: lead, kind: 'sentence', score: expect.any(Number) });
    expect(extracts.filter((e) => e.text === lead)).toHaveLength(1);
  });

  it('quotes a sentence once when two passages repeat it (chunk overlap, a shared lead)', () => {
    const first = {
      n: 1,
      content: 'Blindly pushing with --force will lose their work. Use --force-with-lease instead.',
    };
    const overlap = { n: 2, content: 'pushing with --force will lose their work.' };
    const texts = extractAnswer('Will pushing with force lose work?', [first, overlap]).map(
      (e) => e.text,
    );
    expect(texts.filter((t) => t.includes('will lose their work'))).toHaveLength(1);
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

  it('opens the first sentence of a description with the option names above it', () => {
    expect(splitUnits('-d\n\n--delete\n\nDelete a branch. It must be merged.\n\n--orphan')).toEqual(
      [
        { text: '-d, --delete: Delete a branch.', kind: 'sentence' },
        { text: 'It must be merged.', kind: 'sentence' },
        { text: '--orphan', kind: 'sentence' },
      ],
    );
  });
});

describe('isOptionTerm', () => {
  it('takes an option, variable or command form on its own line, not a sentence or a list item', () => {
    expect(isOptionTerm('--amend')).toBe(true);
    expect(isOptionTerm('-d, --delete')).toBe(true);
    expect(isOptionTerm('--force-with-lease[=<refname>[:<expect>]]')).toBe(true);
    expect(isOptionTerm('core.editor')).toBe(true);
    expect(isOptionTerm('git diff [<options>] --cached [<commit>] [--] [<path>…]')).toBe(true);
    expect(isOptionTerm('push [-p|--patch] [-S|--staged] [<pathspec>…]')).toBe(true);
    expect(isOptionTerm('--no-edit is the default.')).toBe(false);
    expect(isOptionTerm('Pulling into a dirty tree')).toBe(false);
    expect(isOptionTerm('see git-config(1) for core.editor')).toBe(false);
    expect(isOptionTerm('- use git reset --hard to remove commits')).toBe(false);
    expect(isOptionTerm('Use --amend to fix the last commit')).toBe(false);
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

  it("counts terms of the passage's document lead", () => {
    const options = {
      n: 1,
      content: 'Only valid for push.',
      lead: 'git-stash - Stash changes away',
    };
    expect(coverage(questionTerms('Which push changes are stashed?'), [options])).toBe(1);
  });
});
