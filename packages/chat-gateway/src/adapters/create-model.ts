import type { Logger } from 'chatbot-mcp-server/core';
import type { ModelConfig } from '../config.js';
import type { ChatModel } from '../ports/chat-model.js';

/** The configured model adapter, or none (the offline engine). Adapters load on demand. */
export async function createModel(
  config: ModelConfig,
  logger?: Logger,
): Promise<ChatModel | undefined> {
  switch (config.provider) {
    case 'offline':
      return undefined;
    case 'bedrock': {
      const { BedrockConverseModel } = await import('./aws/bedrock-converse-model.js');
      return new BedrockConverseModel({
        modelId: config.modelId,
        ...(logger && { logger }),
        region: config.region,
        ...(config.endpoint && { endpoint: config.endpoint }),
      });
    }
    case 'openai': {
      const { OpenAiChatModel } = await import('./openai/openai-chat-model.js');
      return new OpenAiChatModel({
        baseURL: config.baseURL,
        model: config.model,
        ...(logger && { logger }),
        ...(config.apiKey && { apiKey: config.apiKey }),
      });
    }
  }
}
