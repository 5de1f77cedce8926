import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFiles } from '../../../src/files/discover-files.js';
import { documentSourceName } from '../../../src/files/source-name.js';

/** Real files in a temp folder: the source names the ingest command stores them under. */

let root: string;
const sources = async (args: string[], cwd: string): Promise<string[]> =>
  (await discoverFiles(args, cwd)).files.map((f) => f.source);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'discover-files-'));
  await mkdir(join(root, 'docs', 'ops'), { recursive: true });
  await mkdir(join(root, 'other'), { recursive: true });
  await writeFile(join(root, 'docs', 'runbook.md'), '# Runbook\n');
  await writeFile(join(root, 'docs', 'ops', 'on-call.md'), '# On call\n');
  await writeFile(join(root, 'docs', 'ops', 'guide.pdf'), '%PDF-1.4');
  await writeFile(join(root, 'other', 'runbook.md'), '# Other runbook\n');
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('discoverFiles: one source-name rule', () => {
  it('names files found under a folder by their path relative to it, with / separators', async () => {
    expect(await sources(['docs'], root)).toEqual([
      'ops/guide.pdf',
      'ops/on-call.md',
      'runbook.md',
    ]);
  });

  it('gives the same names whatever folder it runs from, relative or absolute', async () => {
    const expected = ['ops/guide.pdf', 'ops/on-call.md', 'runbook.md'];
    expect(await sources([join(root, 'docs')], tmpdir())).toEqual(expected);
    expect(await sources(['.'], join(root, 'docs'))).toEqual(expected);
    expect(await sources(['../docs/'], join(root, 'other'))).toEqual(expected);
  });

  it('names a file given on its own by its base name', async () => {
    expect(await sources(['docs/ops/on-call.md'], root)).toEqual(['on-call.md']);
    expect(await sources([join(root, 'docs', 'runbook.md')], '/')).toEqual(['runbook.md']);
  });

  it("names a glob's matches relative to the glob's folder part", async () => {
    expect(await sources(['docs/**/*.md'], root)).toEqual(['ops/on-call.md', 'runbook.md']);
    expect(await sources([`${root}/docs/ops/*.pdf`], '/')).toEqual(['guide.pdf']);
  });

  it('reports a second file with a name already taken instead of overwriting the first', async () => {
    const found = await discoverFiles(['docs/runbook.md', 'other/runbook.md'], root);
    expect(found.files).toEqual([{ path: join(root, 'docs', 'runbook.md'), source: 'runbook.md' }]);
    expect(found.clashes).toEqual([
      {
        path: join(root, 'other', 'runbook.md'),
        source: 'runbook.md',
        with: join(root, 'docs', 'runbook.md'),
      },
    ]);
  });

  it('lists a file found twice (as itself and under its folder) once, under the first name', async () => {
    const found = await discoverFiles(['docs', 'docs/runbook.md'], root);
    expect(found.files.map((f) => f.source)).toEqual([
      'ops/guide.pdf',
      'ops/on-call.md',
      'runbook.md',
    ]);
    expect(found.clashes).toEqual([]);
  });
});

describe('documentSourceName', () => {
  it('is relative to the root with / separators, or the base name', () => {
    expect(documentSourceName('/a/docs', '/a/docs/x/y.md')).toBe('x/y.md');
    expect(documentSourceName(undefined, '/a/docs/x/y.md')).toBe('y.md');
    expect(documentSourceName('/a/docs', '/b/y.md')).toBe('y.md');
  });
});
