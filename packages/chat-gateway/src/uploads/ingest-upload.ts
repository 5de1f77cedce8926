import { extname } from 'node:path';
import { TEXT_FILE_TYPES, type DocumentFileType } from 'chatbot-mcp-server/document-files';
import type { ToolCaller, ToolClient } from '../ports/tool-client.js';

/** What the MCP server's ingest_document accepts, by file extension; PDF is read to text here. */
export const UPLOAD_TYPES: Readonly<Record<string, DocumentFileType | 'application/pdf'>> = {
  ...TEXT_FILE_TYPES,
  '.pdf': 'application/pdf',
};

/** The content type an upload of `name` is stored with, or undefined for a type not accepted. */
export function uploadTypeOf(name: string): DocumentFileType | 'application/pdf' | undefined {
  return UPLOAD_TYPES[extname(name).toLowerCase()];
}

export const UPLOAD_TYPES_TEXT =
  'only Markdown (.md), text (.txt), HTML (.html) and PDF (.pdf) files can be uploaded';

export type UploadOutcome = 'added' | 'replaced' | 'unchanged';

/** The result of one upload, the same on every transport (HTTP status for the local route). */
export type UploadResult =
  | { ok: true; source: string; outcome: UploadOutcome; chunks: number }
  | { ok: false; status: number; error: string };

export interface IngestUploadDeps {
  tools: Pick<ToolClient, 'callTool' | 'readDocument'>;
  pdfToText: (data: Uint8Array) => Promise<{ text: string; title?: string }>;
  /** The uploader: the lookup and the ingest run as them, never as the operator. */
  caller: ToolCaller;
}

/** A file name a person could have chosen: 1-255 characters, no control characters. */
export function checkUploadName(name: string): string | undefined {
  if (
    !name ||
    name.length > 255 ||
    [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return 'name: give the file name (1-255 characters, no control characters)';
  return undefined;
}

/**
 * The one ingest path of an uploaded file, shared by the local gateway's `POST /upload` and the
 * AWS upload-ingest function: the type by extension, PDF read to text, `ingest_document` under
 * the file name as the source, and whether it added, replaced or left the document unchanged.
 */
export async function ingestUpload(
  name: string,
  data: Uint8Array,
  deps: IngestUploadDeps,
): Promise<UploadResult> {
  const type = uploadTypeOf(name);
  if (!type) return { ok: false, status: 415, error: `${name}: ${UPLOAD_TYPES_TEXT}` };
  if (data.length === 0) return { ok: false, status: 400, error: `${name}: the file is empty` };
  let content: string;
  let title: string | undefined;
  if (type === 'application/pdf') {
    try {
      ({ text: content, title } = await deps.pdfToText(data));
    } catch (error) {
      return {
        ok: false,
        status: 422,
        error: `${name}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  } else {
    content = new TextDecoder('utf-8', { fatal: false }).decode(data);
  }
  // As the uploader: a document they may not read is neither reported as existing nor replaced
  // (the MCP server answers CONFLICT, without its content).
  const { caller } = deps;
  const existed = (await deps.tools.readDocument(name, { caller })) !== undefined;
  const result = await deps.tools.callTool(
    'ingest_document',
    {
      source: name,
      content,
      content_type: type === 'application/pdf' ? 'text/plain' : type,
      ...(title && { title }),
    },
    { caller },
  );
  if (result.isError && result.text.startsWith('CONFLICT'))
    return {
      ok: false,
      status: 409,
      error: `${name}: this name is already taken by a document you cannot replace; upload the file under another file name.`,
    };
  if (result.isError)
    return { ok: false, status: 422, error: `${name}: ${result.text.slice(0, 500)}` };
  const out = (result.structured ?? {}) as { chunks?: number; skipped?: boolean };
  const outcome: UploadOutcome = out.skipped ? 'unchanged' : existed ? 'replaced' : 'added';
  return { ok: true, source: name, outcome, chunks: out.chunks ?? 0 };
}

/** "10 MB", "512 KB": for messages about CHAT_UPLOAD_MAX_BYTES. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
    : `${Math.round(n / 1024)} KB`;
}
