/**
 * The chat model on Amazon Bedrock through the Converse API (`ConverseStream`), which speaks
 * one message shape for every Bedrock model, tools included.
 */
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ChatModel, ModelEvent, ModelRequest } from '../../ports/chat-model.js';
import {
  resolveRetryPolicy,
  streamWithRetry,
  type RetryOptions,
  type RetryPolicy,
} from '../retry.js';
import { toConverseInput } from './bedrock-converse-mapping.js';
import { toModelEvents } from './bedrock-converse-stream.js';
import { classifyBedrockError } from './bedrock-errors.js';

/** Claude Sonnet 4.5 through the US cross-region inference profile (on-demand Claude needs one). */
export const DEFAULT_BEDROCK_CLAUDE_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** Options of {@link BedrockConverseModel}; retry knobs as in {@link RetryOptions}. */
export interface BedrockConverseModelOptions extends RetryOptions {
  /** Model or inference profile ID (BEDROCK_CLAUDE_MODEL). */
  modelId: string;
  /**
   * A ready client (tests, custom credentials). Give it `maxAttempts: 1`, or the SDK's own
   * retries multiply with this adapter's.
   */
  client?: BedrockRuntimeClient;
  /** Used when no client is given; otherwise the SDK's default chain (AWS_REGION). */
  region?: string;
  /** Used when no client is given, e.g. a VPC endpoint (BEDROCK_ENDPOINT). */
  endpoint?: string;
}

/**
 * `ChatModel` on Bedrock ConverseStream. Retries throttling and transient failures with
 * exponential backoff and full jitter, also when they arrive inside the stream, as long as
 * nothing was yielded yet; later failures throw a retryable `ModelUnavailableError`.
 */
export class BedrockConverseModel implements ChatModel {
  readonly id: string;
  private readonly modelId: string;
  private readonly region: string | undefined;
  private readonly client: BedrockRuntimeClient;
  private readonly policy: RetryPolicy;

  constructor(options: BedrockConverseModelOptions) {
    this.modelId = options.modelId;
    this.id = `bedrock:${options.modelId}`;
    this.region = options.region;
    this.policy = resolveRetryPolicy(options);
    // The SDK retries only the HTTP call; this adapter also retries exceptions inside the
    // stream, so the SDK's own retries are switched off to keep one policy.
    this.client =
      options.client ??
      new BedrockRuntimeClient({
        maxAttempts: 1,
        ...(options.region && { region: options.region }),
        ...(options.endpoint && { endpoint: options.endpoint }),
      });
  }

  stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const input = toConverseInput(this.modelId, request);
    const context = { modelId: this.modelId, ...(this.region && { region: this.region }) };
    return streamWithRetry(
      (signal) => this.attempt(input, signal),
      (error) => classifyBedrockError(error, context),
      this.policy,
      request.signal,
    );
  }

  private async *attempt(
    input: ReturnType<typeof toConverseInput>,
    signal: AbortSignal,
  ): AsyncGenerator<ModelEvent> {
    const response = await this.client.send(new ConverseStreamCommand(input), {
      abortSignal: signal,
    });
    if (!response.stream) {
      const error = new Error('ConverseStream returned no stream.');
      error.name = 'IncompleteStreamError';
      throw error;
    }
    yield* toModelEvents(response.stream);
  }
}
