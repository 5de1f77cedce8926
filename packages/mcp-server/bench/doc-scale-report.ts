import type { SearchMode } from '../src/ports/vector-store.js';
import type { DiskUsage } from './doc-disk.js';
import { ms, table } from './section.js';
import { percentile } from './stats.js';

export interface LatencyRow {
  index: string;
  mode: SearchMode;
  p50Ms: number;
  p99Ms: number;
}

interface Ingest {
  seconds: number;
  disk: DiskUsage;
}

const MB = 1024 * 1024;

export function renderScale(r: {
  documents: number;
  batch: Ingest;
  tool: Ingest & { callMs: number[] };
  liveBytes: Record<'batch' | 'tool' | 'atRest', { rows: number; bytes: number }>;
  afterUpdates: DiskUsage;
  atRest: DiskUsage;
  latency: LatencyRow[];
  queries: number;
  limit: number;
}): string {
  // The first call opens the document index (LanceDB, the in-memory rankings): start-up, not
  // maintenance; the 250 ms bound is for the calls after it.
  const [first = 0, ...rest] = r.tool.callMs;
  const slow = rest.filter((t) => t > 250).length;
  const ingestRow = (label: string, i: Ingest, live: { bytes: number }) => [
    label,
    i.seconds.toFixed(1),
    (i.disk.bytes / MB).toFixed(1),
    (live.bytes / MB).toFixed(1),
    (i.disk.bytes / live.bytes).toFixed(2),
    String(i.disk.versions),
    String(i.disk.dataFiles),
    String(i.disk.files),
    (i.disk.indexBytes / MB).toFixed(1),
  ];
  const hybrid = (index: string) => r.latency.find((l) => l.index === index && l.mode === 'hybrid');
  const afterTool = hybrid('SciFact, after one-at-a-time ingest');
  const afterBatch = hybrid('SciFact, after CLI batch ingest');
  return [
    `SciFact, ${r.documents.toLocaleString('en-US')} abstracts as Markdown files: the CLI's batch ingest ` +
      '(`chatbot-mcp-server ingest <dir>`, process wall time) vs the server over stdio with one ' +
      '`ingest_document` call per document (sum of the calls), each into a fresh data folder. Disk is ' +
      'measured after the server (or the CLI) exited, which is when it writes what is pending and compacts. ' +
      'Live rows: text fields (UTF-8) and vectors (4 bytes a dimension) of the live chunks, the document ' +
      'rows, and the index files.',
    '',
    table(
      [
        'Ingest',
        'Time (s)',
        'Disk (MB)',
        'Live rows (MB)',
        'Disk / live',
        'Versions',
        'Data files',
        'Files',
        'Index files (MB)',
      ],
      [
        ingestRow('CLI batch', r.batch, r.liveBytes.batch),
        ingestRow('ingest_document, one per call', r.tool, r.liveBytes.tool),
      ],
      'lrrrrrrrr',
    ),
    '',
    `One at a time vs batch: **${(r.tool.seconds / r.batch.seconds).toFixed(2)}x** the time (target ≤ 2x), ` +
      `**${(r.tool.disk.bytes / r.batch.disk.bytes).toFixed(2)}x** the disk (target ≤ 1.5x). ` +
      `ingest_document calls: p50 ${ms(percentile(r.tool.callMs, 50))} ms, p99 ${ms(percentile(r.tool.callMs, 99))} ms, ` +
      `first call (opens the index) ${ms(first)} ms; of the ${rest.length} after it, max ${ms(Math.max(...rest))} ms, ` +
      `${slow} over 250 ms (target: none waits more than 250 ms on maintenance).`,
    '',
    'Disk in a long-running server: the same one-at-a-time index after re-ingesting every document with ' +
      'changed content (updates, measured with the server still up; live rows as before the updates), then ' +
      'deleting every other document (measured after exit, at rest).',
    '',
    table(
      [
        'State',
        'Disk (MB)',
        'Live rows (MB)',
        'Disk / live',
        'Versions',
        'Data files',
        'Files',
        'Journal (MB)',
      ],
      (
        [
          ['after updates, server up', r.afterUpdates, r.liveBytes.tool],
          ['after deleting half, at rest', r.atRest, r.liveBytes.atRest],
        ] as const
      ).map(([label, u, live]): string[] => [
        label,
        (u.bytes / MB).toFixed(1),
        (live.bytes / MB).toFixed(1),
        (u.bytes / live.bytes).toFixed(2),
        String(u.versions),
        String(u.dataFiles),
        String(u.files),
        (u.journalBytes / MB).toFixed(1),
      ]),
      'lrrrrrrr',
    ),
    '',
    `Search over stdio with the ${r.queries} SciFact test queries (real questions, 10-25 words), ` +
      `limit ${r.limit}, 20 warm-up queries per mode, modes interleaved per query:`,
    '',
    table(
      ['Index', 'Mode', 'p50 (ms)', 'p99 (ms)', 'Target'],
      r.latency.map((l) => [
        l.index,
        l.mode,
        ms(l.p50Ms),
        ms(l.p99Ms),
        l.mode === 'hybrid'
          ? `${l.p50Ms < 15 && l.p99Ms < 50 ? 'ok' : 'MISSED'} (p50 < 15, p99 < 50)`
          : '',
      ]),
      'llrrl',
    ),
    ...(afterTool && afterBatch
      ? [
          '',
          `Hybrid p50 right after one-at-a-time ingest / after batch ingest: ` +
            `**${(afterTool.p50Ms / afterBatch.p50Ms).toFixed(2)}x** (target ≤ 1.2x).`,
        ]
      : []),
    '',
  ].join('\n');
}
