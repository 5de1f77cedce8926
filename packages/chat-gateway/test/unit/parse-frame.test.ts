import { silentLogger } from 'chatbot-mcp-server/core';
import { describe, expect, it } from 'vitest';
import { toErrorFrame } from '../../src/core/error-frame.js';
import { MAX_QUOTED_CHARS, parseClientFrame } from '../../src/protocol/parse-frame.js';

/** The error frame the gateway answers an invalid frame with. */
function answer(raw: string) {
  try {
    parseClientFrame(raw);
  } catch (error) {
    return toErrorFrame(error, silentLogger);
  }
  throw new Error('the frame was accepted');
}

describe('parseClientFrame errors quote a short prefix of what the client sent', () => {
  it('answers a 120 KB unknown type with a short error that quotes its first characters and "…"', () => {
    const type = 'x'.repeat(120 * 1024);
    const frame = answer(JSON.stringify({ type }));
    expect(frame.code).toBe('INVALID_FRAME');
    expect(frame.message).toContain(`"${'x'.repeat(MAX_QUOTED_CHARS - 1)}…`);
    expect(frame.message).toMatch(/use one of: message, resume/);
    expect(JSON.stringify(frame).length).toBeLessThan(400);
  });

  it('cuts a long unknown field name the same way', () => {
    const field = 'f'.repeat(100_000);
    const frame = answer(JSON.stringify({ type: 'cancel', messageId: 'm1', [field]: 1 }));
    expect(frame.message).toMatch(/^cancel: frame: unknown field "f+…$/);
    expect(frame.message.length).toBeLessThan(200);
  });

  it('quotes a short unknown type whole', () => {
    expect(answer(JSON.stringify({ type: 'hello' })).message).toBe(
      'frame: unknown type "hello"; use one of: message, resume, confirm, history, cancel, document, documents, feedback, conversations, conversation-rename, conversation-delete',
    );
  });
});
