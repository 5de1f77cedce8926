import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Logger } from 'chatbot-mcp-server/core';
import type { ToolClient } from '../ports/tool-client.js';

const TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
};

/**
 * First-run convenience: when the document index is empty, ingests the Markdown, text and HTML
 * files of `dir` through `ingest_document`, one call per file (the path MCP hosts take).
 * Returns the number of documents ingested (0 when the index already had documents).
 */
export async function seedDocuments(
  tools: ToolClient,
  dir: string,
  logger: Logger,
  /** Written after seeding; when present, seeding is skipped without opening the index. */
  markerFile?: string,
): Promise<number> {
  if (
    markerFile &&
    (await access(markerFile).then(
      () => true,
      () => false,
    ))
  )
    return 0;
  const ingested = await seedIfEmpty(tools, dir, logger);
  if (markerFile) await writeFile(markerFile, `${new Date().toISOString()} ${dir}\n`);
  return ingested;
}

async function seedIfEmpty(tools: ToolClient, dir: string, logger: Logger): Promise<number> {
  const listed = await tools.callTool('list_documents', { limit: 1 });
  const existing = (listed.structured?.documents ?? []) as unknown[];
  if (listed.isError || existing.length > 0) return 0;
  const files = (await readdir(dir)).filter((f) => TYPES[extname(f).toLowerCase()]).sort();
  let ingested = 0;
  for (const file of files) {
    const content = await readFile(join(dir, file), 'utf8');
    const result = await tools.callTool('ingest_document', {
      source: file,
      content,
      content_type: TYPES[extname(file).toLowerCase()],
    });
    if (result.isError)
      logger.warn('could not ingest a sample document', {
        file,
        message: result.text.slice(0, 200),
      });
    else ingested += 1;
  }
  logger.info('sample documents ingested', { dir, documents: ingested });
  return ingested;
}
