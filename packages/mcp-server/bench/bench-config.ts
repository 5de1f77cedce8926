// The benchmark's settings, from the environment in this one place. BENCH_QUICK=1 shrinks every
// section for a smoke run; the other variables override single sizes.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = dirname(BENCH_DIR);
const REPO_ROOT = resolve(PACKAGE_DIR, '../..');

export const SECTIONS = ['records', 'startup', 'documents', 'scale', 'http'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface BenchConfig {
  quick: boolean;
  sections: SectionName[];
  records: { calls: number; records: number; startupRuns: number };
  /** Start-ups of each server in the startup section, taken in turn. */
  startup: { runs: number };
  documents: {
    scifactDir: string;
    /** SciFact documents to ingest; undefined for the whole corpus. */
    scifactDocs?: number;
    /** Chunk counts to measure search at, ascending; the index grows from one to the next. */
    sizes: number[];
    queries: number;
    warmup: number;
    /** Time cap for the timed queries at one size; fewer queries run if it is reached. */
    searchSeconds: number;
    /** Chunks of the large index of the scale section (SciFact plus generated text). */
    largeChunks: number;
  };
  http: { seconds: number; concurrencies: number[] };
}

type Env = Record<string, string | undefined>;

export function loadBenchConfig(env: Env = process.env): BenchConfig {
  const quick = /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '');
  const sections = list(env.BENCH_SECTIONS, SECTIONS.join(',')).map((name) => {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SECTIONS: unknown section ${name}; use ${SECTIONS.join(', ')}`);
    }
    return name as SectionName;
  });
  const sizes = list(env.BENCH_DOC_SIZES, quick ? '1000,5000' : '1000,10000,100000').map((s) =>
    positiveInt('BENCH_DOC_SIZES', s),
  );
  if (sizes.some((size, i) => i > 0 && size <= sizes[i - 1]!)) {
    throw new Error('BENCH_DOC_SIZES: sizes must be ascending, e.g. 1000,10000,100000');
  }
  const scifactDocs = env.BENCH_SCIFACT_DOCS ?? (quick ? '1000' : undefined);
  return {
    quick,
    sections,
    records: {
      calls: positiveInt('BENCH_CALLS', env.BENCH_CALLS ?? (quick ? '100' : '500')),
      records: positiveInt('BENCH_RECORDS', env.BENCH_RECORDS ?? (quick ? '1000' : '10000')),
      startupRuns: quick ? 2 : 5,
    },
    startup: {
      runs: positiveInt('BENCH_STARTUP_RUNS', env.BENCH_STARTUP_RUNS ?? (quick ? '4' : '15')),
    },
    documents: {
      scifactDir: resolve(env.SCIFACT_DIR ?? join(REPO_ROOT, '../shared/data/scifact')),
      ...(scifactDocs !== undefined && {
        scifactDocs: positiveInt('BENCH_SCIFACT_DOCS', scifactDocs),
      }),
      sizes,
      queries: positiveInt('BENCH_QUERIES', env.BENCH_QUERIES ?? (quick ? '50' : '200')),
      warmup: quick ? 10 : 20,
      searchSeconds: positiveInt('BENCH_SEARCH_SECONDS', env.BENCH_SEARCH_SECONDS ?? '60'),
      largeChunks: positiveInt(
        'BENCH_LARGE_CHUNKS',
        env.BENCH_LARGE_CHUNKS ?? (quick ? '20000' : '100000'),
      ),
    },
    http: {
      seconds: positiveInt('BENCH_HTTP_SECONDS', env.BENCH_HTTP_SECONDS ?? (quick ? '2' : '5')),
      concurrencies: [1, 16, 64],
    },
  };
}

function list(value: string | undefined, fallback: string): string[] {
  return (value || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}: must be a positive integer, not ${JSON.stringify(raw)}`);
  }
  return value;
}
