import { ChatError } from '../errors.js';
import type { DocumentText, ToolCallOptions, ToolClient } from '../ports/tool-client.js';
import { findPassage } from '../protocol/find-passage.js';
import type { DocumentFrame, DocumentsFrame, DocumentSummary } from '../protocol/frames.js';

/**
 * Characters of document text sent in one frame. Frames are capped at 128 KB; a character can
 * take up to 3 bytes in UTF-8 (4 for a surrogate pair, which counts as 2 characters), and the
 * rest of the frame is small.
 */
export const MAX_DOCUMENT_CHARS = 40_000;

/**
 * The `document` frame for a document: all of its text, or when that is too long for a frame,
 * the part around the cited snippet (its start when the snippet is not found), so the viewer
 * can still show the passage.
 */
export function toDocumentFrame(
  doc: DocumentText,
  snippet: string | undefined,
  maxChars = MAX_DOCUMENT_CHARS,
): DocumentFrame {
  const total = doc.text.length;
  let offset = 0;
  if (total > maxChars) {
    const found = snippet ? findPassage(doc.text, snippet) : undefined;
    if (found) {
      const middle = Math.floor((found.start + found.end) / 2);
      offset = Math.max(0, Math.min(total - maxChars, middle - Math.floor(maxChars / 2)));
      // Never start inside a surrogate pair.
      if (/[\uDC00-\uDFFF]/.test(doc.text[offset] ?? '')) offset += 1;
    }
  }
  return {
    type: 'document',
    source: doc.source,
    ...(doc.title !== undefined && { title: doc.title }),
    text: doc.text.slice(offset, offset + maxChars),
    mimeType: doc.mimeType,
    offset,
    totalChars: total,
  };
}

/** The error for a document the client may not read or that is gone. */
export function documentNotFound(source: string): ChatError {
  return new ChatError(
    'NOT_FOUND',
    `No document ${JSON.stringify(source.slice(0, 200))} is in the index (it may have been deleted); ask again to get current sources.`,
    false,
  );
}

/** Documents per page of the panel. */
const PANEL_PAGE = 50;

/** A page of `list_documents` as the `documents` frame. */
export async function listDocumentsFrame(
  tools: Pick<ToolClient, 'callTool'>,
  cursor: string | undefined,
  options: Pick<ToolCallOptions, 'caller' | 'timeoutMs'>,
): Promise<DocumentsFrame> {
  const result = await tools.callTool(
    'list_documents',
    { limit: PANEL_PAGE, ...(cursor !== undefined && { cursor }) },
    { ...options, readOnly: true },
  );
  if (result.isError)
    throw new ChatError('MCP_TOOL_ERROR', `list_documents: ${result.text.slice(0, 300)}`, true);
  const out = (result.structured ?? {}) as {
    documents?: { source: string; title?: string; chunks: number; ingested_at: string }[];
    cursor?: string;
  };
  const documents: DocumentSummary[] = (out.documents ?? []).map((d) => ({
    source: d.source,
    ...(d.title !== undefined && { title: d.title }),
    chunks: d.chunks,
    ingestedAt: d.ingested_at,
  }));
  return { type: 'documents', documents, ...(out.cursor !== undefined && { cursor: out.cursor }) };
}
