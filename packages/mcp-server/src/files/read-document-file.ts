import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError } from '../errors.js';
import { pdfToText } from './pdf-text.js';

export type ContentType = 'text/markdown' | 'text/plain' | 'text/html';

export interface DocumentFile {
  source: string;
  content: string;
  contentType: ContentType;
  title?: string;
  metadata: Record<string, string>;
}

/** The content type of a text document file, by its lower-case extension (PDF is read to text first). */
export const TEXT_FILE_TYPES: Readonly<Record<string, ContentType>> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
};

/**
 * Reads a file as a document to ingest under `source` (from `documentSourceName`, which
 * `discoverFiles` applies).
 */
export async function readDocumentFile(path: string, source: string): Promise<DocumentFile> {
  const ext = extname(path).toLowerCase();
  const bytes = await readFile(path);
  if (ext === '.pdf') {
    const { text, title } = await pdfToText(new Uint8Array(bytes));
    return {
      source,
      content: text,
      contentType: 'text/plain',
      ...(title && { title }),
      metadata: { file_type: 'pdf' },
    };
  }
  const contentType = TEXT_FILE_TYPES[ext];
  if (!contentType) {
    throw new ValidationError(
      `unsupported file type ${ext || '(none)'}; use .md, .txt, .html or .pdf`,
    );
  }
  const content = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return { source, content, contentType, metadata: { file_type: ext.slice(1) } };
}
