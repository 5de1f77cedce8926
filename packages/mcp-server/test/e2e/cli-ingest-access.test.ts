import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lazyDocuments } from '../../src/document-runtime.js';
import { silentLogger } from '../../src/logger.js';
import { assertBuilt, makeTempDir, removeDir, runCli } from '../support/cli-process.js';

/** `chatbot-mcp-server ingest --users … --groups …` (node dist/cli.js) on a temporary data dir. */

let work: string;
let dataDir: string;
beforeAll(async () => {
  assertBuilt();
  work = await makeTempDir('cli-access');
  dataDir = join(work, 'data');
  await writeFile(join(work, 'salaries.md'), '# Salaries\n\nThe salary bands of the team.\n');
  await writeFile(join(work, 'handbook.md'), '# Handbook\n\nHow the team works.\n');
});
afterAll(() => removeDir(work));

const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { timeoutMs: 60_000 });

it('ingest --users/--groups stores who may read the files; without them everyone may', async () => {
  const restricted = await cli([
    'ingest',
    join(work, 'salaries.md'),
    '--users',
    'alice',
    '--groups',
    'hr,finance',
    '--groups',
    'payroll',
  ]);
  expect(restricted.code, restricted.stderr).toBe(0);
  const open = await cli(['ingest', join(work, 'handbook.md')]);
  expect(open.code, open.stderr).toBe(0);

  const documents = lazyDocuments(loadConfig({}, { dataDir }), silentLogger);
  try {
    const service = await documents.get();
    const all = await service.listDocuments();
    expect(all.documents.map((d) => [d.source, d.access])).toEqual([
      ['handbook.md', undefined],
      ['salaries.md', ['g:finance', 'g:hr', 'g:payroll', 's:alice']],
    ]);
    const anonymous = await service.listDocuments({ caller: { kind: 'anonymous' } });
    expect(anonymous.documents.map((d) => d.source)).toEqual(['handbook.md']);
  } finally {
    await documents.close();
  }
});

it('--users and --groups belong to ingest only', async () => {
  const run = await cli(['search', 'salary', '--users', 'alice']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--users and --groups are options of ingest only/);
});
