import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_PATH,
  assertBuilt,
  connectStdio,
  makeTempDir,
  removeDir,
  runCli,
  type CliRun,
} from '../support/cli-process.js';
import { makePdf } from '../support/make-pdf.js';
import { callOk, listAllDocuments, searchOk } from '../support/tool-results.js';

/**
 * `chatbot-mcp-server ingest` and `search` as a person runs them (node dist/cli.js, in the
 * repository root, on a temporary --data-dir), then the MCP server on the same folder.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EXAMPLE_DOCS = join(REPO_ROOT, 'examples', 'docs');
/** Found under the folder given, so their sources are paths relative to it (here, names). */
const EXAMPLE_SOURCES = readdirSync(EXAMPLE_DOCS).sort();

let work: string;
let dataDir: string;
/** Given one by one: their sources are their base names. */
let files: { pdf: string; html: string; corrupt: string; binary: string; missing: string };
let goodSources: string[];
let first: CliRun;

const cli = (args: string[]): Promise<CliRun> =>
  runCli([...args, '--data-dir', dataDir], { cwd: REPO_ROOT, timeoutMs: 60_000 });
const ingestArgs = (): string[] => [
  'ingest',
  EXAMPLE_DOCS,
  files.pdf,
  files.html,
  files.corrupt,
  files.binary,
  files.missing,
];

/** `[n] <source> — <place>  (score s)` lines of `search` output, each with its indented excerpt. */
function results(stdout: string): { n: number; source: string; score: number; excerpt: string }[] {
  const lines = stdout.split('\n');
  return lines.flatMap((line, i) => {
    const match = /^\[(\d+)\] (\S+)(?: — .*)? {2}\(score (\d\.\d{3})\)$/.exec(line);
    if (!match) return [];
    return [
      {
        n: Number(match[1]),
        source: match[2] ?? '',
        score: Number(match[3]),
        excerpt: lines[i + 1] ?? '',
      },
    ];
  });
}

/** The summary line's numbers. */
function summary(stdout: string): Record<string, number> {
  const match =
    /^Files: (\d+) {2}indexed: (\d+) {2}unchanged \(skipped\): (\d+) {2}failed: (\d+) {2}chunks: (\d+)$/m.exec(
      stdout,
    );
  expect(match, `no summary line in:\n${stdout}`).not.toBeNull();
  const [files, indexed, skipped, failed, chunks] = (match ?? []).slice(1).map(Number);
  return { files: files!, indexed: indexed!, skipped: skipped!, failed: failed!, chunks: chunks! };
}

beforeAll(async () => {
  assertBuilt();
  work = await makeTempDir('mcp-cli-docs');
  dataDir = join(work, 'data');
  files = {
    pdf: join(work, 'pelican-valve.pdf'),
    html: join(work, 'marmot-gateway.html'),
    corrupt: join(work, 'corrupt.pdf'),
    binary: join(work, 'image.txt'),
    missing: join(work, 'no-such-file.md'),
  };
  await writeFile(
    files.pdf,
    makePdf(
      ['Pelican Valve maintenance (annual):', 'Torque the flange bolts to 45 newton metres.'],
      { title: 'Pelican Valve Manual' },
    ),
  );
  await writeFile(
    files.html,
    '<!doctype html><html><head><title>Marmot Gateway help</title></head><body>' +
      '<h1>Marmot Gateway</h1><p>The Marmot Gateway retries webhooks with exponential backoff ' +
      'for up to 36 hours.</p><script>var secret = "not indexed";</script></body></html>',
  );
  await writeFile(files.corrupt, '%PDF-1.4 garbage');
  // A PNG header and NUL bytes under a .txt name.
  await writeFile(
    files.binary,
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0, 0]),
  );
  goodSources = [...EXAMPLE_SOURCES, 'pelican-valve.pdf', 'marmot-gateway.html'].sort();
  first = await cli(ingestArgs());
});

afterAll(() => removeDir(work));

describe('node dist/cli.js ingest', () => {
  it('indexes the good files, lists each failure with its reason, and exits 1', () => {
    expect(EXAMPLE_SOURCES).toHaveLength(6);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toBe('');
    const counts = summary(first.stdout);
    // Inputs: 6 examples + PDF + HTML + corrupt PDF + binary + the missing path; each is counted once.
    expect(counts).toMatchObject({ files: 11, indexed: 8, skipped: 0, failed: 3 });
    expect(counts.files).toBe(counts.indexed! + counts.skipped! + counts.failed!);
    expect(counts.chunks).toBeGreaterThanOrEqual(8);
    const failures = first.stdout.split('\n').filter((line) => line.startsWith('  failed: '));
    expect(failures).toHaveLength(3);
    expect(failures).toEqual(
      expect.arrayContaining([
        `  failed: ${files.missing}: no such file or folder`,
        expect.stringMatching(
          new RegExp(`^ {2}failed: ${escape(files.corrupt)}: not a readable PDF \\(.+\\); `),
        ),
        expect.stringMatching(
          new RegExp(`^ {2}failed: ${escape(files.binary)}: content: contains NUL characters`),
        ),
      ]),
    );
  });

  it('search finds the text of the PDF and of the HTML file, citing their sources', async () => {
    const pdf = await cli(['search', 'flange bolts torque']);
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(results(pdf.stdout)[0]).toMatchObject({
      n: 1,
      source: 'pelican-valve.pdf',
      excerpt:
        '    Pelican Valve maintenance (annual): Torque the flange bolts to 45 newton metres.',
    });
    expect(pdf.stdout).toContain(`[1] pelican-valve.pdf — Pelican Valve Manual  (score `);

    const html = await cli(['search', 'webhooks exponential backoff']);
    expect(html.code, html.stderr).toBe(0);
    const [top] = results(html.stdout);
    expect(top).toMatchObject({ n: 1, source: 'marmot-gateway.html' });
    expect(top?.excerpt).toContain('retries webhooks with exponential backoff for up to 36 hours');
    // The page's <h1>Marmot Gateway</h1> only restates its <title>: the place is the title alone.
    expect(html.stdout).toContain(`[1] marmot-gateway.html — Marmot Gateway help  (score `);
    expect(html.stdout).not.toContain('not indexed');

    const example = await cli(['search', 'how do I roll back a deployment']);
    expect(results(example.stdout)[0]?.source).toBe('deployment-runbook.md');
  });

  it('search prints numbered results with their sources, and honours --limit, --mode and --threshold', async () => {
    const all = await cli(['search', 'beacon events']);
    expect(all.code, all.stderr).toBe(0);
    const hits = results(all.stdout);
    expect(hits.map((h) => h.n)).toEqual([1, 2, 3, 4, 5]); // 5 by default
    for (const hit of hits) {
      expect(goodSources).toContain(hit.source);
      expect(hit.score).toBeGreaterThanOrEqual(0);
      expect(hit.score).toBeLessThanOrEqual(1);
      expect(hit.excerpt).toMatch(/^ {4}\S/);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));

    const two = await cli(['search', 'beacon events', '--limit', '2', '--mode', 'keyword']);
    expect(results(two.stdout).map((h) => h.n)).toEqual([1, 2]);

    // A threshold between the 10th and 11th of 20 results keeps exactly the first 10.
    const twenty = results((await cli(['search', 'beacon events', '--limit', '20'])).stdout);
    expect(twenty).toHaveLength(20);
    const cut = (twenty[9]!.score + twenty[10]!.score) / 2;
    expect(twenty[9]!.score).toBeGreaterThan(twenty[10]!.score);
    const strict = await cli(['search', 'beacon events', '--limit', '20', '--threshold', `${cut}`]);
    expect(results(strict.stdout)).toEqual(twenty.slice(0, 10));

    const none = await cli(['search', 'zyzzogeton', '--mode', 'keyword']);
    expect(none.code).toBe(0);
    // Documents are indexed: the answer says nothing passed, not that the index is empty.
    expect(none.stdout).toBe(
      'No passages matched "zyzzogeton" in the indexed documents (mode keyword); try --mode hybrid, or other words.\n',
    );
    const high = await cli(['search', 'zyzzogeton', '--mode', 'keyword', '--threshold', '0.5']);
    expect(high.stdout).toBe(
      'No passages matched "zyzzogeton" in the indexed documents (mode keyword, threshold 0.5); try a lower --threshold, or --mode hybrid, or other words.\n',
    );
  });

  it('refuses bad search options and bad usage with one line on stderr (exit 2)', async () => {
    for (const [option, value, field] of [
      ['--limit', '0', 'limit'],
      ['--limit', '50', 'limit'],
      ['--limit', 'many', 'limit'],
      ['--mode', 'fuzzy', 'mode'],
      ['--threshold', '2', 'threshold'],
    ] as const) {
      const run = await cli(['search', 'beacon', option, value]);
      expect(run.code, `${option} ${value}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        new RegExp(
          `^chatbot-mcp-server: ${field}: [^\n]+\\. Run chatbot-mcp-server --help for the options\n$`,
        ),
      );
    }
    for (const [args, message] of [
      [['ingest'], 'ingest needs at least one file, folder or glob'],
      [['search', 'two', 'words'], 'search takes one query'],
      [['index', 'docs'], 'unknown command index'],
    ] as const) {
      const run = await cli([...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      // One line: what was wrong, then where to look.
      expect(run.stderr).toMatch(
        new RegExp(`^chatbot-mcp-server: ${message}[^\n]* --help[^\n]*\n$`),
      );
    }
  });

  it('a second run reports every indexed file unchanged and rewrites nothing', async () => {
    const again = await cli(ingestArgs());
    expect(again.code).toBe(1); // the same three failures
    expect(summary(again.stdout)).toEqual({ ...summary(first.stdout), indexed: 0, skipped: 8 });
    const good = await cli(['ingest', EXAMPLE_DOCS, files.pdf, files.html]);
    expect(good.code, good.stdout).toBe(0);
    expect(summary(good.stdout)).toEqual({
      files: 8,
      indexed: 0,
      skipped: 8,
      failed: 0,
      chunks: summary(first.stdout).chunks,
    });
  });

  it('an MCP client over stdio on the same folder afterwards sees the same documents', async () => {
    const server = await connectStdio({
      command: process.execPath,
      args: [CLI_PATH, '--data-dir', dataDir],
    });
    try {
      const documents = await listAllDocuments(server.client, 3);
      expect(documents.map((d) => d.source)).toEqual(goodSources);
      expect(documents.reduce((sum, d) => sum + d.chunks, 0)).toBe(summary(first.stdout).chunks);
      expect(documents.find((d) => d.source === 'pelican-valve.pdf')).toMatchObject({
        title: 'Pelican Valve Manual',
        chunks: 1,
      });

      const { results: hits, text } = await searchOk(server.client, {
        query: 'flange bolts torque',
      });
      expect(hits[0]).toMatchObject({
        source: 'pelican-valve.pdf',
        title: 'Pelican Valve Manual',
        metadata: { file_type: 'pdf' },
      });
      expect(text).toMatch(
        /\[1\] \(score \d\.\d{3}\)\n<passage>\n│ source: "pelican-valve\.pdf"\n│ § Pelican Valve Manual/,
      );
      // The CLI records each file's type as metadata, which the tools can filter on.
      const html = (
        await searchOk(server.client, {
          query: 'webhooks',
          filter: { source: 'marmot-gateway.html' },
        })
      ).results;
      expect(html[0]?.metadata).toEqual({ file_type: 'html' });
      await callOk(server.client, 'delete_document', { source: 'marmot-gateway.html' });
      expect(server.transportErrors).toEqual([]);
    } finally {
      await server.close();
    }
    // The CLI sees the deletion: the HTML file is indexed again, everything else unchanged.
    const after = await cli(['ingest', EXAMPLE_DOCS, files.pdf, files.html]);
    expect(summary(after.stdout)).toMatchObject({ files: 8, indexed: 1, skipped: 7, failed: 0 });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
