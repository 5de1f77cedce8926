import { readFile } from 'node:fs/promises';
import { extname, relative, isAbsolute, sep } from 'node:path';
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

const TYPES: Record<string, ContentType> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
};

/**
 * Reads a file as a document to ingest. Its source is its path relative to `cwd` when inside
 * it (stable for a team working from the repository root), otherwise its absolute path.
 */
export async function readDocumentFile(path: string, cwd = process.cwd()): Promise<DocumentFile> {
  const ext = extname(path).toLowerCase();
  const rel = relative(cwd, path);
  const source = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
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
  const contentType = TYPES[ext];
  if (!contentType) {
    throw new ValidationError(
      `unsupported file type ${ext || '(none)'}; use .md, .txt, .html or .pdf`,
    );
  }
  const content = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return { source, content, contentType, metadata: { file_type: ext.slice(1) } };
}
