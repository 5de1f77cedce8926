/**
 * Turns streamed chat completion chunks into the model port's events. Tool calls arrive by
 * index: id and name first, the arguments in fragments; each call is yielded whole once the
 * choice finishes. `finish` comes last because the usage chunk follows `finish_reason`.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { FinishReason, ModelEvent } from '../../ports/chat-model.js';
import { parseToolInput } from '../retry.js';

interface PendingToolCall {
  id: string;
  name: string;
  args: string;
}

export async function* toModelEvents(
  chunks: AsyncIterable<ChatCompletionChunk>,
): AsyncGenerator<ModelEvent> {
  const calls = new Map<number, PendingToolCall>();
  let reason: FinishReason | undefined;
  let usage: { inputTokens: number; outputTokens: number } | undefined;

  for await (const chunk of chunks) {
    if (chunk.usage) {
      usage = {
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
      };
    }
    // Only the first choice: the adapter never asks for more than one (n defaults to 1).
    const choice = chunk.choices[0];
    if (!choice) continue;
    const { content, tool_calls: toolCalls } = choice.delta ?? {};
    if (content) yield { type: 'text-delta', text: content };
    for (const call of toolCalls ?? []) {
      const pending = calls.get(call.index) ?? { id: '', name: '', args: '' };
      if (call.id) pending.id = call.id;
      // Names come whole; some servers repeat them in every fragment, so the first one wins.
      if (call.function?.name && !pending.name) pending.name = call.function.name;
      if (call.function?.arguments) pending.args += call.function.arguments;
      calls.set(call.index, pending);
    }
    if (choice.finish_reason && reason === undefined) {
      reason = toFinishReason(choice.finish_reason, calls.size > 0);
      for (const [index, call] of [...calls].sort(([a], [b]) => a - b)) {
        // Some local servers omit ids; the engine needs one to pair the result with the call.
        const id = call.id || `call_${index}`;
        yield {
          type: 'tool-use',
          id,
          name: call.name,
          input: parseToolInput(call.args, call.name),
        };
      }
    }
  }

  if (reason === undefined) {
    const error = new Error('The chat completion stream ended before a finish_reason.');
    error.name = 'IncompleteStreamError';
    throw error;
  }
  yield { type: 'finish', reason, ...(usage && { usage }) };
}

/** Some servers (older Ollama) finish a tool call with "stop"; the calls decide then. */
function toFinishReason(reason: string, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool-use';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return hasToolCalls ? 'tool-use' : 'stop';
  }
}
