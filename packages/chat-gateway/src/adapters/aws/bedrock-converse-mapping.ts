/**
 * Maps the model port's request onto the Bedrock Converse API input. Pure functions, so the
 * shape sent to Bedrock is easy to read next to the ConverseStream documentation.
 */
import type {
  ContentBlock,
  ConverseStreamCommandInput,
  Message,
  StopReason,
  Tool,
  ToolInputSchema,
} from '@aws-sdk/client-bedrock-runtime';
import type { FinishReason, ModelContent, ModelRequest } from '../../ports/chat-model.js';

/** The ConverseStream input for `request` (the abort signal travels separately). */
export function toConverseInput(
  modelId: string,
  request: ModelRequest,
): ConverseStreamCommandInput {
  const input: ConverseStreamCommandInput = {
    modelId,
    messages: request.messages.map((message): Message => ({
      role: message.role,
      content: message.content.flatMap(toContentBlock),
    })),
  };
  if (request.system) input.system = [{ text: request.system }];
  if (request.tools?.length) {
    input.toolConfig = {
      tools: request.tools.map((tool): Tool => ({
        toolSpec: {
          name: tool.name,
          description: tool.description,
          // The SDK's DocumentType is a JSON value; a JSON Schema object is one.
          inputSchema: { json: tool.inputSchema as ConverseJson },
        },
      })),
      ...(request.toolChoice && { toolChoice: { tool: { name: request.toolChoice.name } } }),
    };
  }
  if (request.maxTokens !== undefined || request.temperature !== undefined) {
    input.inferenceConfig = {
      ...(request.maxTokens !== undefined && { maxTokens: request.maxTokens }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
    };
  }
  return input;
}

type ConverseJson = ToolInputSchema.JsonMember['json'];

function toContentBlock(content: ModelContent): ContentBlock[] {
  switch (content.type) {
    case 'text':
      // Converse rejects blank text blocks ("text field is blank"); they carry nothing anyway.
      return content.text.trim() ? [{ text: content.text }] : [];
    case 'tool-use':
      return [
        {
          toolUse: {
            toolUseId: content.id,
            name: content.name,
            input: content.input as ConverseJson,
          },
        },
      ];
    case 'tool-result':
      return [
        {
          toolResult: {
            toolUseId: content.toolUseId,
            // An empty result is still a result: Converse needs at least one content block.
            content: [{ text: content.text || '(no output)' }],
            status: content.isError ? 'error' : 'success',
          },
        },
      ];
  }
}

/** Converse stop reasons onto the port's; unknown future reasons count as a normal stop. */
export function toFinishReason(stopReason: StopReason | (string & {}) | undefined): FinishReason {
  switch (stopReason) {
    case 'tool_use':
      return 'tool-use';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'content_filtered':
    case 'guardrail_intervened':
      return 'content-filter';
    default:
      return 'stop';
  }
}
