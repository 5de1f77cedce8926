import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockConverseModel } from '../../src/adapters/aws/bedrock-converse-model.js';
import { OpenAiChatModel } from '../../src/adapters/openai/openai-chat-model.js';
import type { ChatModel, ModelEvent } from '../../src/ports/chat-model.js';
import type { TokenUsage } from '../../src/protocol/frames.js';
import {
  converseEnd,
  converseText,
  converseToolUse,
  startFakeBedrockConverseServer,
  type FakeBedrockConverseServer,
} from './fake-bedrock-converse-server.js';
import {
  chunk,
  openAiText,
  openAiToolCalls,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from './fake-openai-server.js';

/** The retry settings every model adapter takes (its other options stay at their defaults). */
export interface RetrySettings {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * One `ChatModel` adapter against a local server speaking its provider's wire protocol, and the
 * same scripted answers written in that protocol, for the contract suite
 * (`test/contract/chat-model.contract.test.ts`).
 */
export interface ChatModelBackend {
  name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Forgets queued answers, recorded requests and recorded backoff delays. */
  reset(): void;
  /** The adapter, its backoff sleeps recorded in `delays` (never waited). */
  model(settings?: RetrySettings): ChatModel;
  delays: number[];
  requests(): number;
  /** Responses or streams the server still holds open. */
  openStreams(): number;
  /** The usage every scripted complete answer reports. */
  usage: TokenUsage;
  script: {
    /** A whole text answer in `parts`. */
    text(parts: string[]): void;
    /** One tool call whose JSON input arrives in `fragments`, finishing with tool use. */
    toolCall(id: string, name: string, fragments: string[]): void;
    /** A retryable refusal before any stream (the provider is busy), `times` in a row. */
    busy(times: number): void;
    /** A retryable error inside the stream, before any text. */
    errorBeforeText(): void;
    /** `text`, then an error inside the stream. */
    errorAfterText(text: string): void;
    /** `text`, then nothing more until the client goes away. */
    stallAfterText(text: string): void;
    /** A response that never starts its stream. */
    stallBeforeStart(): void;
  };
}

const recordingSleep =
  (delays: number[]) =>
  (ms: number): Promise<void> => {
    delays.push(ms);
    return Promise.resolve();
  };

export function bedrockBackend(): ChatModelBackend {
  let fake: FakeBedrockConverseServer | undefined;
  const server = (): FakeBedrockConverseServer => {
    if (!fake) throw new Error('start() the backend first');
    return fake;
  };
  const usage = { inputTokens: 12, outputTokens: 7 };
  const backend: ChatModelBackend = {
    name: 'Bedrock ConverseStream (a local fake Bedrock runtime speaking its event stream)',
    delays: [],
    usage,
    async start() {
      fake = await startFakeBedrockConverseServer();
    },
    close: () => server().close(),
    reset() {
      server().reset();
      backend.delays.length = 0;
    },
    model: (settings = {}) =>
      new BedrockConverseModel({
        modelId: 'anthropic.claude-test',
        region: 'us-east-1',
        client: new BedrockRuntimeClient({
          region: 'us-east-1',
          endpoint: server().url,
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' },
          maxAttempts: 1,
        }),
        sleep: recordingSleep(backend.delays),
        ...settings,
      }),
    requests: () => server().requests.length,
    openStreams: () => server().openStreams(),
    script: {
      text: (parts) => server().enqueue({ items: converseText(parts, 'end_turn', usage) }),
      toolCall: (id, name, fragments) =>
        server().enqueue({
          items: [...converseToolUse(0, id, name, fragments), ...converseEnd('tool_use', usage)],
        }),
      busy: (times) =>
        server().enqueue(
          ...Array.from({ length: times }, () => ({
            status: 429,
            errorType: 'ThrottlingException',
            message: 'Too many requests, please wait before trying again.',
          })),
        ),
      errorBeforeText: () =>
        server().enqueue({
          items: [
            { event: 'messageStart', body: { role: 'assistant' } },
            { exception: 'throttlingException', message: 'Too many tokens, please wait.' },
          ],
        }),
      errorAfterText: (text) =>
        server().enqueue({
          items: [
            { event: 'messageStart', body: { role: 'assistant' } },
            { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } },
            { exception: 'modelStreamErrorException', message: 'The model stream failed.' },
          ],
        }),
      stallAfterText: (text) =>
        server().enqueue({
          items: [
            { event: 'messageStart', body: { role: 'assistant' } },
            { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } },
            { stall: true },
          ],
        }),
      stallBeforeStart: () => server().enqueue({ items: [{ stall: true }] }),
    },
  };
  return backend;
}

export function openAiBackend(): ChatModelBackend {
  let fake: FakeOpenAiServer | undefined;
  const server = (): FakeOpenAiServer => {
    if (!fake) throw new Error('start() the backend first');
    return fake;
  };
  const backend: ChatModelBackend = {
    name: 'OpenAI-compatible chat completions (a local server streaming them as SSE)',
    delays: [],
    // What the fake's usage chunk reports.
    usage: { inputTokens: 11, outputTokens: 4 },
    async start() {
      fake = await startFakeOpenAiServer();
    },
    close: () => server().close(),
    reset() {
      server().reset();
      backend.delays.length = 0;
    },
    model: (settings = {}) =>
      new OpenAiChatModel({
        baseURL: server().url,
        model: 'llama3.1:8b',
        sleep: recordingSleep(backend.delays),
        ...settings,
      }),
    requests: () => server().requests.length,
    openStreams: () => server().openResponses(),
    script: {
      text: (parts) => server().enqueue({ items: openAiText(parts) }),
      toolCall: (id, name, fragments) =>
        server().enqueue({ items: openAiToolCalls([{ id, name, fragments }]) }),
      busy: (times) =>
        server().enqueue(
          ...Array.from({ length: times }, () => ({
            status: 503,
            body: { error: { message: 'overloaded' } },
          })),
        ),
      errorBeforeText: () =>
        server().enqueue({
          items: [
            chunk({ role: 'assistant', content: '' }),
            { raw: '{"error":{"message":"server overloaded"}}' },
          ],
        }),
      errorAfterText: (text) =>
        server().enqueue({
          items: [chunk({ content: text }), { raw: '{"error":{"message":"server overloaded"}}' }],
        }),
      stallAfterText: (text) =>
        server().enqueue({ items: [chunk({ content: text }), { stall: true }] }),
      stallBeforeStart: () => server().enqueue({ items: [{ stall: true }] }),
    },
  };
  return backend;
}

/** Every event of a stream, and the error it ended with (if any). */
export async function collect(
  events: AsyncIterable<ModelEvent>,
): Promise<{ events: ModelEvent[]; error?: unknown }> {
  const seen: ModelEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error };
  }
}
