/**
 * Turns ConverseStream output events into the model port's events: text deltas pass through,
 * tool-use input fragments are assembled per content block and parsed once at its stop, and
 * `finish` comes last because the usage (metadata event) follows `messageStop`.
 */
import type { ConverseStreamOutput, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { ModelEvent } from '../../ports/chat-model.js';
import { parseToolInput } from '../retry.js';
import { toFinishReason } from './bedrock-converse-mapping.js';

interface PendingToolUse {
  id: string;
  name: string;
  json: string;
}

/** Exception members the SDK may yield instead of throwing: raised so the retry policy sees them. */
const EXCEPTION_MEMBERS = [
  ['throttlingException', 'ThrottlingException'],
  ['serviceUnavailableException', 'ServiceUnavailableException'],
  ['internalServerException', 'InternalServerException'],
  ['modelStreamErrorException', 'ModelStreamErrorException'],
  ['validationException', 'ValidationException'],
] as const;

export async function* toModelEvents(
  stream: AsyncIterable<ConverseStreamOutput>,
): AsyncGenerator<ModelEvent> {
  const toolUses = new Map<number, PendingToolUse>();
  let stopReason: string | undefined;
  let usage: TokenUsage | undefined;

  for await (const event of stream) {
    raiseException(event);
    if (event.contentBlockStart) {
      const { start, contentBlockIndex = 0 } = event.contentBlockStart;
      if (start?.toolUse) {
        const { toolUseId = '', name = '' } = start.toolUse;
        toolUses.set(contentBlockIndex, { id: toolUseId, name, json: '' });
      }
    } else if (event.contentBlockDelta) {
      const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
      if (delta?.text) yield { type: 'text-delta', text: delta.text };
      else if (delta?.toolUse?.input !== undefined) {
        const pending = toolUses.get(contentBlockIndex);
        if (pending) pending.json += delta.toolUse.input;
      }
    } else if (event.contentBlockStop) {
      const index = event.contentBlockStop.contentBlockIndex ?? 0;
      const pending = toolUses.get(index);
      if (pending) {
        toolUses.delete(index);
        const input = parseToolInput(pending.json, pending.name);
        yield { type: 'tool-use', id: pending.id, name: pending.name, input };
      }
    } else if (event.messageStop) {
      stopReason = event.messageStop.stopReason ?? 'end_turn';
    } else if (event.metadata) {
      usage = event.metadata.usage;
    }
  }

  if (stopReason === undefined) {
    // The connection ended cleanly but the answer did not: treat it like a dropped stream.
    const error = new Error('The ConverseStream response ended before messageStop.');
    error.name = 'IncompleteStreamError';
    throw error;
  }
  yield {
    type: 'finish',
    reason: toFinishReason(stopReason),
    ...(usage && {
      usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
    }),
  };
}

function raiseException(event: ConverseStreamOutput): void {
  for (const [member, name] of EXCEPTION_MEMBERS) {
    const value = (event as unknown as Record<string, unknown>)[member];
    if (value === undefined) continue;
    if (value instanceof Error) throw value;
    const error = new Error((value as { message?: string }).message ?? name);
    error.name = name;
    throw error;
  }
}
