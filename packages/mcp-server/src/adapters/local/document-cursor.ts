import { ValidationError } from '../../errors.js';
import { isWellFormed } from '../../identifiers.js';

/**
 * Opaque list cursors: the last source of the previous page, base64url-encoded and versioned
 * so clients do not build them by hand and a future format can be told apart.
 */
export function encodeCursor(lastSource: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastSource }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { v?: unknown }).v === 1 &&
      typeof (parsed as { after?: unknown }).after === 'string' &&
      isWellFormed((parsed as { after: string }).after)
    ) {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through: any decoding failure means the same thing to the caller
  }
  throw new ValidationError(
    'cursor: is not one this server issued; omit it to start from the first page',
  );
}
