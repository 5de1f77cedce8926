import type { DocumentAccess } from '../documents/document-access.js';
import { checkIngest, type IngestInput } from '../documents/document-input.js';
import type { DocumentService, IngestResult } from '../documents/document-service.js';
import { AppError } from '../errors.js';
import { discoverFiles } from '../files/discover-files.js';
import { readDocumentFile } from '../files/read-document-file.js';
import { visibleInTerminal } from '../tools/display-text.js';
import { ProgressBar } from './progress-bar.js';

/** Files per store write: large enough to batch, small enough to show progress. */
const BATCH_FILES = 32;

export interface IngestSummary {
  files: number;
  chunks: number;
  indexed: number;
  skipped: number;
  failed: { file: string; reason: string }[];
}

/**
 * `chatbot-mcp-server ingest <file|dir|glob>...`: reads every file, checks each on its own (a
 * bad file is reported and skipped, never aborting the batch), then indexes the rest in batches.
 * `access` (from --users / --groups) applies to every file; absent, everyone may read them.
 */
export async function runIngest(
  args: readonly string[],
  documents: DocumentService,
  out: NodeJS.WritableStream = process.stdout,
  access?: DocumentAccess,
): Promise<IngestSummary> {
  const { files, missing, clashes } = await discoverFiles(args);
  const summary: IngestSummary = {
    // Every input counts once: a path that matched nothing is a failed file.
    files: files.length + missing.length + clashes.length,
    chunks: 0,
    indexed: 0,
    skipped: 0,
    failed: [
      ...missing.map((m) => ({ file: m.arg, reason: m.reason })),
      ...clashes.map((c) => ({
        file: c.path,
        reason: `same source name "${c.source}" as ${c.with}; ingest their common parent folder instead, so each keeps its own path`,
      })),
    ],
  };
  const bar = new ProgressBar(files.length);
  let done = 0;
  for (let i = 0; i < files.length; i += BATCH_FILES) {
    const batch: { file: string; input: IngestInput }[] = [];
    for (const { path: file, source } of files.slice(i, i + BATCH_FILES)) {
      bar.update(done, file);
      try {
        const doc = await readDocumentFile(file, source);
        const input: IngestInput = {
          source: doc.source,
          content: doc.content,
          contentType: doc.contentType,
          metadata: doc.metadata,
          ...(doc.title !== undefined && { title: doc.title }),
          ...(access && { access }),
        };
        checkIngest(input);
        batch.push({ file, input });
      } catch (error) {
        summary.failed.push({ file, reason: reason(error) });
        done++;
      }
    }
    for (const { file, result } of await ingestBatch(batch, documents)) {
      done++;
      bar.update(done, file);
      if (result instanceof Error) {
        summary.failed.push({ file, reason: reason(result) });
        continue;
      }
      summary.chunks += result.chunks;
      if (result.skipped) summary.skipped++;
      else summary.indexed++;
    }
  }
  bar.finish();
  out.write(formatSummary(summary));
  return summary;
}

/** One write for the batch; if it fails, file by file, so one bad file only fails itself. */
async function ingestBatch(
  batch: { file: string; input: IngestInput }[],
  documents: DocumentService,
): Promise<{ file: string; result: IngestResult | Error }[]> {
  if (batch.length === 0) return [];
  try {
    const results = await documents.ingestMany(batch.map((b) => b.input));
    return batch.map((b, i) => ({ file: b.file, result: results[i]! }));
  } catch {
    const results = [];
    for (const b of batch) {
      try {
        results.push({ file: b.file, result: await documents.ingest(b.input) });
      } catch (error) {
        results.push({
          file: b.file,
          result: error instanceof Error ? error : new Error(String(error)),
        });
      }
    }
    return results;
  }
}

function reason(error: unknown): string {
  if (error instanceof AppError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return error instanceof Error ? error.message : String(error);
}

export function formatSummary(s: IngestSummary): string {
  const lines = [
    `Files: ${s.files}  indexed: ${s.indexed}  unchanged (skipped): ${s.skipped}  failed: ${s.failed.length}  chunks: ${s.chunks}`,
    ...s.failed.map((f) => visibleInTerminal(`  failed: ${f.file}: ${f.reason}`)),
  ];
  return `${lines.join('\n')}\n`;
}
