/**
 * Limits on the size of one answer. A model may ignore `max_tokens` and stream for ever; the
 * stored answer must fit in one record of the store (DynamoDB and the embedded store refuse
 * items over 400 KB), or an answer the user already saw would end in STORAGE_UNAVAILABLE.
 */

/** Text streamed for one answer, in UTF-8 bytes; past it the turn ends with `length`. */
export const MAX_ANSWER_BYTES = 256 * 1024;

/** The stored answer's content, in UTF-8 bytes; leaves room in a 400 KB item for the rest. */
export const MAX_STORED_CONTENT_BYTES = 300 * 1024;

/** Thrown through the handler when the answer reached its limit; the engine ends the turn. */
export class AnswerLimitReached extends Error {
  constructor() {
    super('the answer reached its size limit');
    this.name = 'AnswerLimitReached';
  }
}

/** The note streamed (and kept) after an answer cut at the limit. */
export function answerCutNote(maxBytes: number): string {
  return `\n\n_The answer was cut here: it passed the limit of ${Math.round(maxBytes / 1024)} KB for one answer._`;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never half a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  // A cut inside a multi-byte sequence decodes to U+FFFD at the end: drop it.
  return bytes.toString('utf8').replace(/\uFFFD+$/u, '');
}

/** The content to store: whole when it fits, else its first part and a note saying so. */
export function contentToStore(content: string, maxBytes = MAX_STORED_CONTENT_BYTES): string {
  const size = Buffer.byteLength(content, 'utf8');
  if (size <= maxBytes) return content;
  const note = `\n\n_(Cut for the history: this answer was ${Math.ceil(size / 1024)} KB; only its first ${Math.round(maxBytes / 1024)} KB are kept.)_`;
  return utf8Prefix(content, maxBytes - Buffer.byteLength(note, 'utf8')) + note;
}
