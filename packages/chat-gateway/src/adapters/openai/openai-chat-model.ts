/**
 * The chat model on any server speaking OpenAI chat completions: OpenAI itself, Ollama,
 * LM Studio, vLLM, llama.cpp. Streams with `chat.completions.create({ stream: true })`.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ChatModel, ModelEvent, ModelRequest } from '../../ports/chat-model.js';
import {
  resolveRetryPolicy,
  streamWithRetry,
  type RetryOptions,
  type RetryPolicy,
} from '../retry.js';
import { toChatCompletionParams } from './openai-chat-mapping.js';
import { toModelEvents } from './openai-chat-stream.js';
import { classifyOpenAiError } from './openai-errors.js';

/** Options of {@link OpenAiChatModel}; retry knobs as in {@link RetryOptions}. */
export interface OpenAiChatModelOptions extends RetryOptions {
  /** The server's API root, e.g. `http://127.0.0.1:11434/v1` (OPENAI_BASE_URL). */
  baseURL: string;
  /** Model name as the server knows it (OPENAI_MODEL). */
  model: string;
  /** OPENAI_API_KEY; local servers accept any value, hence the default. */
  apiKey?: string;
  /** A ready client (tests). Give it `maxRetries: 0`, or its retries multiply with these. */
  client?: OpenAI;
}

/**
 * `ChatModel` on streamed OpenAI chat completions. Retries 429, 5xx and connection failures
 * itself (the client's retries are off) with exponential backoff, full jitter and the server's
 * `retry-after`, as long as nothing was yielded yet.
 */
export class OpenAiChatModel implements ChatModel {
  readonly id: string;
  private readonly model: string;
  private readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly policy: RetryPolicy;

  constructor(options: OpenAiChatModelOptions) {
    this.model = options.model;
    this.baseURL = options.baseURL;
    this.id = `openai:${options.model}`;
    this.policy = resolveRetryPolicy(options);
    this.client =
      options.client ??
      new OpenAI({
        baseURL: options.baseURL,
        apiKey: options.apiKey ?? 'not-needed',
        maxRetries: 0,
        // The SDK logs to the console; failures reach the gateway's JSON log through the errors.
        logLevel: 'off',
      });
  }

  stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const params = toChatCompletionParams(this.model, request);
    const context = { baseURL: this.baseURL, model: this.model };
    return streamWithRetry(
      (signal) => this.attempt(params, signal),
      (error) => classifyOpenAiError(error, context),
      this.policy,
      request.signal,
    );
  }

  private async *attempt(
    params: ChatCompletionCreateParamsStreaming,
    signal: AbortSignal,
  ): AsyncGenerator<ModelEvent> {
    const chunks = await this.client.chat.completions.create(params, { signal });
    yield* toModelEvents(chunks);
  }
}
