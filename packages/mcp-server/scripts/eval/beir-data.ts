import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Judgments } from './ir-metrics.js';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirDataset {
  corpus: BeirDocument[];
  queries: Map<string, string>;
  /** Split name → query id → judgments, in file order. */
  qrels: Map<string, Map<string, Judgments>>;
}

/** Reads a BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv (with a header). */
export async function loadBeir(dir: string, splits: readonly string[]): Promise<BeirDataset> {
  const corpus = (await readJsonl(join(dir, 'corpus.jsonl'))).map((row) => ({
    id: String(row._id),
    title: typeof row.title === 'string' ? row.title : '',
    text: typeof row.text === 'string' ? row.text : '',
  }));
  const queries = new Map(
    (await readJsonl(join(dir, 'queries.jsonl'))).map((row) => [String(row._id), String(row.text)]),
  );
  const qrels = new Map<string, Map<string, Judgments>>();
  for (const split of splits) qrels.set(split, await readQrels(join(dir, 'qrels', `${split}.tsv`)));
  return { corpus, queries, qrels };
}

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function readQrels(file: string): Promise<Map<string, Judgments>> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const byQuery = new Map<string, Map<string, number>>();
  for (const line of lines.slice(1)) {
    const [queryId, docId, grade] = line.split('\t');
    if (!queryId || !docId) continue;
    const judgments = byQuery.get(queryId) ?? new Map<string, number>();
    judgments.set(docId, Number(grade));
    byQuery.set(queryId, judgments);
  }
  return byQuery;
}
