import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BedrockConverseModel,
  DEFAULT_BEDROCK_CLAUDE_MODEL,
  type BedrockConverseModelOptions,
} from '../../src/adapters/aws/bedrock-converse-model.js';
import { ModelUnavailableError } from '../../src/errors.js';
import type { ModelRequest } from '../../src/ports/chat-model.js';
import { collect } from '../support/chat-model-backends.js';
import {
  converseEnd,
  converseText,
  converseToolUse,
  startFakeBedrockConverseServer,
  type FakeBedrockConverseServer,
} from '../support/fake-bedrock-converse-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' };
const ask: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };

// What every model adapter does alike (retries, aborts, tool input, early stop) is in
// test/contract/chat-model.contract.test.ts; this file keeps what is this provider's own.
describe('BedrockConverseModel against a local fake Bedrock runtime speaking the ConverseStream event-stream protocol', () => {
  let fake: FakeBedrockConverseServer;
  let delays: number[];
  const model = (options: Partial<BedrockConverseModelOptions> = {}) =>
    new BedrockConverseModel({
      modelId: DEFAULT_BEDROCK_CLAUDE_MODEL,
      region: 'us-east-1',
      client: new BedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: fake.url,
        credentials,
        maxAttempts: 1,
      }),
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      ...options,
    });

  beforeAll(async () => {
    fake = await startFakeBedrockConverseServer();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    delays = [];
  });

  it('names itself bedrock:<model id> and asks for that model; text and usage as streamed', async () => {
    fake.enqueue({
      items: converseText(['Hel', 'lo, ', 'world'], 'end_turn', {
        inputTokens: 9,
        outputTokens: 3,
      }),
    });
    const m = model();
    const { events, error } = await collect(m.stream(ask));
    expect(error).toBeUndefined();
    expect(m.id).toBe(`bedrock:${DEFAULT_BEDROCK_CLAUDE_MODEL}`);
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo, ' },
      { type: 'text-delta', text: 'world' },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 9, outputTokens: 3 } },
    ]);
    expect(fake.requests[0]?.modelId).toBe(DEFAULT_BEDROCK_CLAUDE_MODEL);
  });

  it('assembles tool-use input split across several deltas into one object', async () => {
    fake.enqueue({
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        {
          event: 'contentBlockDelta',
          body: { contentBlockIndex: 0, delta: { text: 'Looking it up.' } },
        },
        { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
        ...converseToolUse(1, 'tooluse_1', 'query_records', [
          '{"ta',
          'ble": "no',
          'tes", "filter": {"tag":',
          ' "x"}, "limit": 5}',
        ]),
        ...converseEnd('tool_use'),
      ],
    });
    const { events, error } = await collect(model().stream(ask));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Looking it up.' },
      {
        type: 'tool-use',
        id: 'tooluse_1',
        name: 'query_records',
        input: { table: 'notes', filter: { tag: 'x' }, limit: 5 },
      },
      { type: 'finish', reason: 'tool-use', usage: { inputTokens: 12, outputTokens: 7 } },
    ]);
  });

  it.each([
    ['max_tokens', 'length'],
    ['content_filtered', 'content-filter'],
    ['guardrail_intervened', 'content-filter'],
    ['stop_sequence', 'stop'],
  ])('maps stopReason %s to finish reason %s', async (stopReason, reason) => {
    fake.enqueue({ items: converseText(['x'], stopReason) });
    const { events } = await collect(model().stream(ask));
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason });
  });

  it('maps system, history with tool use and tool results, tools, toolChoice and inference settings', async () => {
    fake.enqueue({
      items: [
        ...converseToolUse(0, 't2', 'route', ['{"route":"rag"}']),
        ...converseEnd('tool_use'),
      ],
    });
    const { error } = await collect(
      model().stream({
        system: 'You are a helpful assistant.',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'How many notes?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Counting.' },
              { type: 'tool-use', id: 't1', name: 'count_records', input: { table: 'notes' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool-result', toolUseId: 't1', isError: false, text: '42' },
              { type: 'text', text: '' },
            ],
          },
        ],
        tools: [
          {
            name: 'route',
            description: 'Pick a route',
            inputSchema: {
              type: 'object',
              properties: { route: { type: 'string' } },
              required: ['route'],
            },
          },
        ],
        toolChoice: { name: 'route' },
        maxTokens: 256,
        temperature: 0,
      }),
    );
    expect(error).toBeUndefined();
    expect(fake.requests[0]?.body).toEqual({
      system: [{ text: 'You are a helpful assistant.' }],
      messages: [
        { role: 'user', content: [{ text: 'How many notes?' }] },
        {
          role: 'assistant',
          content: [
            { text: 'Counting.' },
            { toolUse: { toolUseId: 't1', name: 'count_records', input: { table: 'notes' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ text: '42' }], status: 'success' } },
          ],
        },
      ],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'route',
              description: 'Pick a route',
              inputSchema: {
                json: {
                  type: 'object',
                  properties: { route: { type: 'string' } },
                  required: ['route'],
                },
              },
            },
          },
        ],
        toolChoice: { tool: { name: 'route' } },
      },
      inferenceConfig: { maxTokens: 256, temperature: 0 },
    });
  });

  it('retries exceptions inside the stream that come before any text (first frame or after messageStart)', async () => {
    fake.enqueue(
      {
        items: [
          { event: 'messageStart', body: { role: 'assistant' } },
          {
            exception: 'throttlingException',
            message: 'Too many tokens, please wait before trying again.',
          },
        ],
      },
      { items: [{ exception: 'serviceUnavailableException', message: 'Service unavailable.' }] },
      { items: converseText(['after ', 'retries']) },
    );
    const { events, error } = await collect(model().stream(ask));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'after ' },
      { type: 'text-delta', text: 'retries' },
    ]);
    expect(fake.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('turns AccessDeniedException into a non-retryable error that says how to fix it and leaks no ARN', async () => {
    fake.enqueue({
      status: 403,
      errorType: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::123456789012:assumed-role/gw/x is not authorized to perform: bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude',
    });
    const { error } = await collect(model().stream(ask));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain('Enable model access');
    expect(message).toContain('Bedrock console');
    expect(message).toContain('us-east-1');
    expect(message).toContain('bedrock:InvokeModelWithResponseStream');
    expect(message).not.toMatch(/arn:|123456789012/);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    [404, 'ResourceNotFoundException', 'Model not found.'],
    [400, 'ValidationException', 'The provided model identifier is invalid.'],
  ])(
    'turns %i %s about the model id into a message naming BEDROCK_CLAUDE_MODEL',
    async (status, errorType, message) => {
      fake.enqueue({ status, errorType, message });
      const { error } = await collect(model({ modelId: 'anthropic.claude-nope' }).stream(ask));
      expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
      expect((error as Error).message).toContain('BEDROCK_CLAUDE_MODEL');
      expect((error as Error).message).toContain('anthropic.claude-nope');
      expect(fake.requests).toHaveLength(1);
    },
  );

  it('builds its own client from region and endpoint with the SDK retries off', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    try {
      fake.enqueue(
        { status: 503, errorType: 'ServiceUnavailableException', message: 'busy' },
        { items: converseText(['late']) },
      );
      const m = new BedrockConverseModel({
        modelId: 'm1',
        region: 'eu-west-1',
        endpoint: fake.url,
        maxAttempts: 1,
      });
      const { error } = await collect(m.stream(ask));
      // One attempt in total: had the SDK retried on its own, the queued success would have answered.
      expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: true });
      expect(fake.requests).toHaveLength(1);
      expect(String(fake.requests[0]?.headers.authorization)).toContain(
        '/eu-west-1/bedrock/aws4_request',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
