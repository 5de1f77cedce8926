// What a document index occupies on disk, and what its live rows amount to.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';

export interface DiskUsage {
  bytes: number;
  files: number;
  /** Table versions kept (manifests), both tables. */
  versions: number;
  /** Data files (fragments), both tables. */
  dataFiles: number;
  indexBytes: number;
  journalBytes: number;
}

/** Walks `<dataDir>/documents`. */
export function diskUsage(dataDir: string): DiskUsage {
  const usage: DiskUsage = {
    bytes: 0,
    files: 0,
    versions: 0,
    dataFiles: 0,
    indexBytes: 0,
    journalBytes: 0,
  };
  const walk = (dir: string, parts: string[]): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path, [...parts, entry.name]);
        continue;
      }
      const size = statSync(path).size;
      usage.bytes += size;
      usage.files += 1;
      if (parts.includes('_versions') && entry.name.endsWith('.manifest')) usage.versions += 1;
      if (parts.at(-1) === 'data') usage.dataFiles += 1;
      if (parts.includes('_indices')) usage.indexBytes += size;
      if (parts.includes('journal')) usage.journalBytes += size;
    }
  };
  walk(join(dataDir, 'documents'), []);
  return usage;
}

/**
 * The size of the live rows: every chunk's text fields (UTF-8) and vector (4 bytes a
 * dimension), the document rows, plus the index files, read from the tables themselves.
 */
export async function liveRowBytes(dataDir: string): Promise<{ rows: number; bytes: number }> {
  const db = await connect(join(dataDir, 'documents'));
  try {
    const chunks = await db.openTable('chunks');
    const documents = await db.openTable('documents');
    const vectorField = (await chunks.schema()).fields.find((f) => f.name === 'vector');
    const dimensions = (vectorField?.type as { listSize?: number } | undefined)?.listSize ?? 0;
    let bytes = 0;
    const rows = (await chunks
      .query()
      .select(['id', 'source', 'title', 'heading', 'content', 'metadata'])
      .toArray()) as Record<string, unknown>[];
    for (const row of rows) {
      for (const value of Object.values(row))
        if (typeof value === 'string') bytes += Buffer.byteLength(value);
      bytes += 4 /* position */ + dimensions * 4;
    }
    for (const row of (await documents.query().toArray()) as Record<string, unknown>[])
      for (const value of Object.values(row))
        bytes += typeof value === 'string' ? Buffer.byteLength(value) : 4;
    chunks.close();
    documents.close();
    return { rows: rows.length, bytes: bytes + diskUsage(dataDir).indexBytes };
  } finally {
    db.close();
  }
}
