import { ValidationError } from '../errors.js';

/** The document formats the chunker understands. */
export type ContentType = 'text/markdown' | 'text/html' | 'text/plain';

export const CONTENT_TYPES: readonly ContentType[] = ['text/markdown', 'text/html', 'text/plain'];

/** Common spellings of the same formats, so a client sending a file's MIME type just works. */
const ALIASES: Record<string, ContentType> = {
  'text/markdown': 'text/markdown',
  'text/x-markdown': 'text/markdown',
  markdown: 'text/markdown',
  'text/html': 'text/html',
  'application/xhtml+xml': 'text/html',
  html: 'text/html',
  'text/plain': 'text/plain',
  text: 'text/plain',
};

/**
 * The canonical content type for `value`, ignoring case and parameters such as `charset=utf-8`.
 * Only UTF-8 is accepted: the content reaches us as a JSON string, so another charset would be a lie.
 */
export function parseContentType(value: unknown, field = 'contentType'): ContentType {
  if (typeof value !== 'string') {
    throw new ValidationError(`${field}: must be one of ${CONTENT_TYPES.join(', ')}`);
  }
  const [essence = '', ...params] = value.split(';').map((part) => part.trim().toLowerCase());
  const type = ALIASES[essence];
  if (!type) {
    throw new ValidationError(
      `${field}: ${JSON.stringify(value)} is not supported; use one of ${CONTENT_TYPES.join(', ')}`,
    );
  }
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (charset && !/^"?utf-?8"?$/.test(charset)) {
    throw new ValidationError(
      `${field}: charset ${charset} is not supported; send the content as UTF-8`,
    );
  }
  return type;
}
