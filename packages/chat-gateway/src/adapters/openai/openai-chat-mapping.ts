/**
 * Maps the model port's request onto streamed OpenAI chat completions parameters. Kept to the
 * subset that OpenAI-compatible servers (Ollama, LM Studio, vLLM, llama.cpp) also accept.
 */
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';
import type { ModelMessage, ModelRequest } from '../../ports/chat-model.js';

/** The streaming create parameters for `request` (the abort signal travels separately). */
export function toChatCompletionParams(
  model: string,
  request: ModelRequest,
): ChatCompletionCreateParamsStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(...toMessages(message));
  return {
    model,
    messages,
    stream: true,
    // Usage arrives in a last chunk with no choices; servers that ignore the option send none.
    stream_options: { include_usage: true },
    ...(request.tools?.length && {
      tools: request.tools.map((tool) => ({
        type: 'function' as const,
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      })),
    }),
    ...(request.toolChoice && {
      tool_choice: { type: 'function' as const, function: { name: request.toolChoice.name } },
    }),
    // `max_tokens` rather than `max_completion_tokens`: the compatible servers know this one.
    ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
  };
}

function toMessages(message: ModelMessage): ChatCompletionMessageParam[] {
  const text = message.content
    .flatMap((part) => (part.type === 'text' && part.text ? [part.text] : []))
    .join('\n');
  if (message.role === 'assistant') {
    const toolCalls = message.content.flatMap((part): ChatCompletionMessageFunctionToolCall[] =>
      part.type === 'tool-use'
        ? [
            {
              id: part.id,
              type: 'function',
              function: { name: part.name, arguments: JSON.stringify(part.input) },
            },
          ]
        : [],
    );
    return [
      {
        role: 'assistant',
        content: text || null,
        ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
      },
    ];
  }
  // Tool results must directly follow the assistant message that asked for them, so they come
  // before any text of the same user turn. The API has no error flag: the text says so.
  const results: ChatCompletionMessageParam[] = message.content.flatMap((part) =>
    part.type === 'tool-result'
      ? [
          {
            role: 'tool' as const,
            tool_call_id: part.toolUseId,
            content: part.isError ? `Error: ${part.text}` : part.text,
          },
        ]
      : [],
  );
  return text ? [...results, { role: 'user', content: text }] : results;
}
