import { access, writeFile } from 'node:fs/promises';
import type { Logger } from 'chatbot-mcp-server/core';
import { discoverFiles, readDocumentFile } from 'chatbot-mcp-server/document-files';
import type { ToolClient } from '../ports/tool-client.js';

/**
 * First-run convenience: when the document index is empty, ingests the files under `dir`
 * through `ingest_document`, one call per file (the path MCP hosts take). Each file is read as
 * `chatbot-mcp-server ingest <dir>` reads it (same source name, content type, title and
 * metadata: `discoverFiles` and `readDocumentFile`), so running that command afterwards finds
 * every document unchanged instead of adding copies.
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
    const result = await readDocumentFile(path, source).then(
      (doc) =>
        tools.callTool('ingest_document', {
          source: doc.source,
          content: doc.content,
          content_type: doc.contentType,
          metadata: doc.metadata,
          ...(doc.title !== undefined && { title: doc.title }),
        }),
      (error: unknown) => ({
        isError: true,
        text: error instanceof Error ? error.message : String(error),
      }),
    );
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
