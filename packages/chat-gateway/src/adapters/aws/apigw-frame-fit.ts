import type { ServerFrame } from '../../protocol/frames.js';
import { MAX_FRAME_BYTES } from '../../protocol/frames.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * One server frame as the JSON texts to post, each at most `maxBytes` (API Gateway refuses a
 * larger PostToConnection). JSON is never cut: a `text-delta` becomes several deltas (the
 * client concatenates them anyway); a `history` page keeps its newest messages and points
 * `before` at the rest; the long text of a `finish` or `tool-result` (whose structured `output` is dropped) is shortened with a note
 * (the full answer streamed as deltas and is in the history).
 */
export function fitFrame(frame: ServerFrame, maxBytes = MAX_FRAME_BYTES): string[] {
  const json = JSON.stringify(frame);
  if (bytes(json) <= maxBytes) return [json];
  switch (frame.type) {
    case 'text-delta':
      return splitDelta(frame, maxBytes);
    case 'history':
      return [fitHistory(frame, maxBytes)];
    case 'finish':
      return [
        shorten(maxBytes, frame.response.content, (content) => ({
          ...frame,
          response: { ...frame.response, content },
        })),
      ];
    case 'tool-result':
      // The structured result cannot be cut and stay valid: it goes first, then the text shrinks.
      return [shorten(maxBytes, frame.text, (text) => ({ ...frame, output: null, text }))];
    default:
      throw new RangeError(
        `a ${frame.type} frame of ${bytes(json)} bytes is over the ${maxBytes}-byte WebSocket frame limit`,
      );
  }
}

function splitDelta(
  frame: Extract<ServerFrame, { type: 'text-delta' }>,
  maxBytes: number,
): string[] {
  const budget = maxBytes - bytes(JSON.stringify({ ...frame, delta: '' }));
  const out: string[] = [];
  let piece = '';
  let size = 0;
  // Code points, so a surrogate pair is never cut; cost is the escaped size inside the JSON.
  for (const ch of frame.delta) {
    const cost = bytes(JSON.stringify(ch)) - 2;
    if (size + cost > budget && piece) {
      out.push(JSON.stringify({ ...frame, delta: piece }));
      piece = '';
      size = 0;
    }
    piece += ch;
    size += cost;
  }
  if (piece) out.push(JSON.stringify({ ...frame, delta: piece }));
  return out;
}

function fitHistory(frame: Extract<ServerFrame, { type: 'history' }>, maxBytes: number): string {
  // Newest first: drop the oldest until it fits; the client pages on from the last kept one.
  for (let keep = frame.messages.length - 1; keep >= 1; keep--) {
    const messages = frame.messages.slice(0, keep);
    const json = JSON.stringify({ ...frame, messages, before: messages.at(-1)?.messageId });
    if (bytes(json) <= maxBytes) return json;
  }
  const [first] = frame.messages;
  if (!first) throw new RangeError('an empty history page cannot be over the frame limit');
  return shorten(maxBytes, first.content, (content) => ({
    ...frame,
    messages: [{ ...first, content }],
    before: first.messageId,
  }));
}

function shorten(maxBytes: number, text: string, build: (text: string) => ServerFrame): string {
  const note = (dropped: number): string =>
    `\n\n[… ${dropped} more characters not shown: over the WebSocket frame limit]`;
  let keep = text.length;
  for (;;) {
    // Shrink by the overshoot (at least 1/8), never inside a surrogate pair.
    const json = JSON.stringify(
      build(text.slice(0, keep) + (keep < text.length ? note(text.length - keep) : '')),
    );
    const over = bytes(json) - maxBytes;
    if (over <= 0) return json;
    if (keep === 0) throw new RangeError('a frame is over the limit even without its text');
    keep = Math.max(0, keep - Math.max(over, Math.ceil(keep / 8)));
    if (/[\uD800-\uDBFF]/.test(text.charAt(keep - 1))) keep -= 1;
  }
}
