import { ValidationError } from '../errors.js';

/** The largest document accepted, in UTF-8 bytes. Larger files should be split by the caller. */
export const MAX_CONTENT_BYTES = 5 * 1024 * 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls other than tab, line feed, vertical tab, form feed and carriage return; DEL; C1.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0001-\u0008\u000E-\u001F\u007F-\u009F]/g;

/**
 * Document text as a string, or a clear refusal: empty, too large, or binary. Binary shows as
 * NUL characters, bytes that are not UTF-8 (or the U+FFFD a lossy decoder put in their place,
 * or unpaired surrogates), or a text made mostly of control characters.
 */
export function checkContent(content: unknown, field = 'content'): string {
  let text: string;
  if (content instanceof Uint8Array) {
    if (content.byteLength > MAX_CONTENT_BYTES) throw tooLarge(field, content.byteLength);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw new ValidationError(
        `${field}: is not valid UTF-8 text; send Markdown, HTML or plain text encoded as UTF-8`,
      );
    }
  } else if (typeof content === 'string') {
    text = content;
    // A string of n UTF-16 units is at most 3n UTF-8 bytes: skip counting when it cannot be too large.
    if (text.length * 3 > MAX_CONTENT_BYTES) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > MAX_CONTENT_BYTES) throw tooLarge(field, bytes);
    }
  } else {
    throw new ValidationError(`${field}: must be a string of text`);
  }
  if (text.trim() === '') throw new ValidationError(`${field}: is empty; send the document's text`);
  if (text.includes('\0')) {
    throw new ValidationError(
      `${field}: contains NUL characters, so it looks like a binary file; send text (Markdown, HTML or plain text)`,
    );
  }
  if (LONE_SURROGATE.test(text)) {
    throw new ValidationError(
      `${field}: is not valid Unicode text (unpaired surrogates); send UTF-8 text`,
    );
  }
  const replacements = countOf(text, /\uFFFD/g);
  if (replacements > 3 && replacements > text.length / 100) {
    throw new ValidationError(
      `${field}: was not valid UTF-8 (${replacements} undecodable bytes), so it looks like a binary file; send text`,
    );
  }
  const controls = countOf(text, CONTROL);
  if (controls > 3 && controls > text.length / 20) {
    throw new ValidationError(
      `${field}: is mostly control characters, so it looks like a binary file; send text`,
    );
  }
  return text;
}

function tooLarge(field: string, bytes: number): ValidationError {
  const mb = (bytes / (1024 * 1024)).toFixed(1);
  return new ValidationError(
    `${field}: is ${mb} MB; the limit is ${MAX_CONTENT_BYTES / (1024 * 1024)} MB. Split the document into smaller parts and ingest each under its own source`,
  );
}

function countOf(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
