import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import { UpstreamError, ValidationError } from '../../errors.js';
import type { Embedder } from '../../ports/embedder.js';
import { defaultSleep, mapWithConcurrency, withBackoff } from './backoff.js';

export const TITAN_EMBED_TEXT_V2 = 'amazon.titan-embed-text-v2:0';

export type TitanDimensions = 256 | 512 | 1024;

export interface BedrockClientConfig {
  region: string;
  /** An endpoint override, e.g. a VPC endpoint or a local test server. */
  endpoint?: string;
  /** Fixed credentials; by default the SDK's provider chain finds them. */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

export interface BedrockTitanEmbedderOptions {
  /** A client to use as is (its own retry settings apply too), or how to build one. */
  client: BedrockRuntimeClient | BedrockClientConfig;
  dimensions?: TitanDimensions;
  /** Requests in flight at once for one `embed` call. */
  concurrency?: number;
  /** Attempts per text when Bedrock throttles or fails transiently, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Titan V2 accepts 8,192 tokens or 50,000 characters. A token is rarely shorter than one
 * character, so 8,000 characters stays under the token limit even for scripts and code that
 * tokenize poorly; English text of this length is about 2,000 tokens.
 */
const MAX_INPUT_CHARS = 8_000;

/** Errors worth retrying: throttling, and the service or model being briefly unavailable. */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalServerException',
  'ModelNotReadyException',
  'ModelTimeoutException',
  'TooManyRequestsException',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** The Embedder on Amazon Bedrock's Titan Text Embeddings V2. */
export class BedrockTitanEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: TitanDimensions;
  readonly maxInputChars = MAX_INPUT_CHARS;
  private readonly client: BedrockRuntimeClient;
  private readonly region: () => Promise<string>;
  private readonly concurrency: number;
  private readonly backoff: Parameters<typeof withBackoff>[2];

  constructor(options: BedrockTitanEmbedderOptions) {
    this.dimensions = options.dimensions ?? 1024;
    if (![256, 512, 1024].includes(this.dimensions)) {
      throw new ValidationError(
        `dimensions: Titan Text Embeddings V2 supports 256, 512 or 1024, not ${String(this.dimensions)}`,
      );
    }
    this.id = `bedrock:${TITAN_EMBED_TEXT_V2}:${this.dimensions}`;
    this.client =
      options.client instanceof BedrockRuntimeClient ? options.client : buildClient(options.client);
    const configured = this.client.config.region;
    this.region =
      typeof configured === 'function' ? configured : () => Promise.resolve(String(configured));
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.backoff = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 6),
      baseDelayMs: options.baseDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
    };
  }

  /** Titan V2 has no query/document distinction, so `purpose` does not change the request. */
  async embed(texts: readonly string[], _purpose: 'document' | 'query'): Promise<Float32Array[]> {
    texts.forEach((text, index) => this.checkInput(text, index));
    return mapWithConcurrency(texts, this.concurrency, (text) => this.embedOne(text));
  }

  private checkInput(text: string, index: number): void {
    if (text.trim() === '') {
      throw new ValidationError(`texts[${index}]: is empty; Titan cannot embed empty text`);
    }
    if (text.length > this.maxInputChars) {
      throw new ValidationError(
        `texts[${index}]: has ${text.length} characters, more than the ${this.maxInputChars} this embedder accepts; split it into smaller chunks`,
      );
    }
  }

  private async embedOne(text: string): Promise<Float32Array> {
    const body = JSON.stringify({ inputText: text, dimensions: this.dimensions, normalize: true });
    const invoke = () =>
      this.client.send(
        new InvokeModelCommand({
          modelId: TITAN_EMBED_TEXT_V2,
          contentType: 'application/json',
          accept: 'application/json',
          body: new TextEncoder().encode(body),
        }),
      );
    let response: Awaited<ReturnType<typeof invoke>>;
    try {
      response = await withBackoff(invoke, isRetryable, this.backoff);
    } catch (error) {
      throw await this.translate(error);
    }
    return this.parse(new TextDecoder().decode(response.body));
  }

  private parse(raw: string): Float32Array {
    let embedding: unknown;
    try {
      embedding = (JSON.parse(raw) as { embedding?: unknown }).embedding;
    } catch {
      embedding = undefined;
    }
    if (
      !Array.isArray(embedding) ||
      embedding.length !== this.dimensions ||
      !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      throw new UpstreamError(
        `Bedrock returned a response without a ${this.dimensions}-number embedding for ${TITAN_EMBED_TEXT_V2}; check that the model id and dimensions are right`,
      );
    }
    return Float32Array.from(embedding as number[]);
  }

  private async translate(error: unknown): Promise<Error> {
    const name = errorName(error);
    const message = error instanceof Error ? error.message : '';
    const region = await this.region().catch(() => 'the configured region');
    if (name === 'AccessDeniedException') {
      if (/model/i.test(message) && /access/i.test(message)) {
        return new UpstreamError(
          `Bedrock denied access to ${TITAN_EMBED_TEXT_V2}: enable ${TITAN_EMBED_TEXT_V2} in the Bedrock console, Model access, for region ${region}`,
          { cause: error },
        );
      }
      return new UpstreamError(
        `Bedrock denied the request: allow bedrock:InvokeModel on ${TITAN_EMBED_TEXT_V2} for these credentials in IAM, and check that the model is enabled in the Bedrock console, Model access, for region ${region}`,
        { cause: error },
      );
    }
    if (
      name === 'ResourceNotFoundException' ||
      (name === 'ValidationException' && /model (identifier|id)\b/i.test(message))
    ) {
      return new UpstreamError(
        `Bedrock does not know the model ${TITAN_EMBED_TEXT_V2} in region ${region}: check the model id and that Titan Text Embeddings V2 is offered in this region`,
        { cause: error },
      );
    }
    if (name === 'ValidationException') {
      return new UpstreamError(
        `Bedrock rejected the embedding request for ${TITAN_EMBED_TEXT_V2}: ${message}`,
        {
          cause: error,
        },
      );
    }
    if (isRetryable(error)) {
      return new UpstreamError(
        `Bedrock is throttling or unavailable for ${TITAN_EMBED_TEXT_V2} in region ${region} after ${this.backoff.maxAttempts} attempts; retry later, lower the embedding concurrency, or request a higher quota`,
        { cause: error },
      );
    }
    if ((error as { code?: unknown }).code === 'ECONNREFUSED') {
      return new UpstreamError(
        `could not connect to Bedrock in region ${region}; check the network and any endpoint override`,
        { cause: error },
      );
    }
    return new UpstreamError(
      `calling Bedrock ${TITAN_EMBED_TEXT_V2} in region ${region} failed (${name ?? 'unknown error'})`,
      {
        cause: error,
      },
    );
  }
}

function buildClient(config: BedrockClientConfig): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: config.region,
    // This adapter retries with its own backoff; SDK retries underneath would multiply attempts.
    maxAttempts: 1,
    ...(config.endpoint && { endpoint: config.endpoint }),
    ...(config.credentials && { credentials: config.credentials }),
  });
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code);
}
