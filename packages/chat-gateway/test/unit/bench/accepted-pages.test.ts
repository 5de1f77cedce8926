import { describe, expect, it } from 'vitest';
import { acceptedPages } from '../../../bench/docs-qa/accepted-pages.js';

const page = (source: string, body: string) => ({
  source,
  html: `<html><head><style>p { color: red }</style></head><body>${body}</body></html>`,
});

const manual = [
  page('git.html', '<p>git - the stupid content tracker</p>'),
  page('index.html', '<p>git - the stupid content tracker</p>'),
  page('git-add.html', '<p>git-add - Add file contents to the index</p><p>Use --patch.</p>'),
  page('git-stage.html', '<p>This is a synonym for <a href="git-add.html">git-add(1)</a>.</p>'),
  page(
    'user-manual.html',
    '<p>Run <code>git add --patch</code> to pick hunks.</p><p>Elsewhere: --amend.</p>',
  ),
  page('gitfaq.html', '<p>Use --patch.</p><p>The git add command stages files.</p>'),
];

describe('acceptedPages (the documented widening of the docs QA expected pages)', () => {
  const accepted = acceptedPages(manual);

  it('counts byte-identical pages as one another', () => {
    expect(accepted.pages(['git.html'], 'nowhere in any page').sort()).toEqual([
      'git.html',
      'index.html',
    ]);
  });

  it('counts a synonym page and a guide paragraph holding the phrase and the command', () => {
    expect(accepted.pages(['git-add.html'], '--patch').sort()).toEqual([
      'git-add.html',
      'git-stage.html',
      'user-manual.html',
    ]);
  });

  it('ignores a guide where the phrase and the command are in different paragraphs', () => {
    expect(accepted.pages(['git-add.html'], '--patch')).not.toContain('gitfaq.html');
    expect(accepted.pages(['git-commit.html'], '--amend')).toEqual(['git-commit.html']);
  });
});
