import { access, readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Logger } from 'chatbot-mcp-server/core';
import { discoverFiles } from 'chatbot-mcp-server/documents';
import type { ToolClient } from '../ports/tool-client.js';

const TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
};

/**
 * First-run convenience: when the document index is empty, ingests the Markdown, text and HTML
 * files under `dir` through `ingest_document`, one call per file (the path MCP hosts take).
 * Sources follow the server's rule (`documentSourceName`: the path relative to `dir`), so
 * `chatbot-mcp-server ingest <dir>` afterwards replaces these documents instead of adding copies.
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
  const { files } = await discoverFiles([dir]);
  let ingested = 0;
  for (const { path, source } of files) {
    const contentType = TYPES[extname(path).toLowerCase()];
    if (!contentType) continue; // PDFs need the CLI's text extraction
    const content = await readFile(path, 'utf8');
    const result = await tools.callTool('ingest_document', {
      source,
      content,
      content_type: contentType,
    });
    if (result.isError)
      logger.warn('could not ingest a sample document', {
        file: source,
        message: result.text.slice(0, 200),
      });
    else ingested += 1;
  }
  logger.info('sample documents ingested', { dir, documents: ingested });
  return ingested;
}
