import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE_DIR = resolve(import.meta.dirname, '../..');
// The BEIR data lives in the shared folder beside the repository (or where SCIFACT_DIR says);
// without it this suite is skipped, as the data is not part of the repository.
const SCIFACT = process.env.SCIFACT_DIR ?? resolve(PACKAGE_DIR, '../../../shared/data/scifact');

interface Row {
  mode: string;
  split: string;
  queries: number;
  ndcg10: number;
  recall100: number;
}

/**
 * A CI-sized run of `pnpm eval:retrieval`: the first 50 SciFact test queries, their documents
 * and 1,000 seeded distractors, through the same ingestion and search code as the tools. The
 * floors sit well below this subset's measured scores (hybrid nDCG@10 0.89) and catch a broken
 * index, tokenizer or fusion, not small drifts; the full evaluation is `pnpm eval:retrieval`.
 */
const HAVE_DATA = existsSync(join(SCIFACT, 'corpus.jsonl'));
const SKIPPED = `retrieval quality on SciFact: SKIPPED, no ${join(SCIFACT, 'corpus.jsonl')} (the BEIR data is not in the repository; set SCIFACT_DIR to a folder with corpus.jsonl, queries.jsonl and qrels/ to run it)`;
if (!HAVE_DATA) {
  console.warn(SKIPPED);
  describe('retrieval quality on SciFact', () => {
    it.skip(SKIPPED, () => undefined);
  });
}

describe.runIf(HAVE_DATA)(
  'retrieval quality on a SciFact subset (scripts/eval-retrieval.ts --subset 50)',
  () => {
    let dir: string;
    let rows: Row[];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'eval-'));
      const out = join(dir, 'eval.json');
      await run(
        process.execPath,
        ['--import', 'tsx', 'scripts/eval-retrieval.ts', '--subset', '50', '--json', out],
        { cwd: PACKAGE_DIR, env: { ...process.env, SCIFACT_DIR: SCIFACT }, timeout: 120_000 },
      );
      rows = (JSON.parse(await readFile(out, 'utf8')) as { rows: Row[] }).rows;
    }, 150_000);

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const row = (mode: string): Row => {
      const found = rows.find((r) => r.mode === mode && r.split === 'test');
      if (!found) throw new Error(`no ${mode} row in the evaluation output`);
      return found;
    };

    it('scores every mode on all 50 queries', () => {
      for (const mode of ['hybrid', 'vector', 'keyword']) expect(row(mode).queries).toBe(50);
    });

    it('hybrid search finds the relevant abstracts near the top', () => {
      expect(row('hybrid').ndcg10).toBeGreaterThan(0.8);
      expect(row('hybrid').recall100).toBeGreaterThan(0.93);
    });

    it('hybrid is not worse than either of the rankings it fuses by more than noise', () => {
      expect(row('hybrid').ndcg10).toBeGreaterThan(row('vector').ndcg10);
      expect(row('hybrid').ndcg10).toBeGreaterThan(row('keyword').ndcg10 - 0.03);
    });
  },
);
