import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OpenAiChatModel,
  type OpenAiChatModelOptions,
} from '../../src/adapters/openai/openai-chat-model.js';
import type { ModelRequest } from '../../src/ports/chat-model.js';
import { collect } from '../support/chat-model-backends.js';
import {
  chunk,
  openAiText,
  openAiToolCalls,
  startFakeOpenAiServer,
  usageChunk,
  type FakeOpenAiServer,
} from '../support/fake-openai-server.js';

const ask: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };

/** A loopback port nobody listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// What every model adapter does alike (retries, aborts, tool input, early stop) is in
// test/contract/chat-model.contract.test.ts; this file keeps what is this provider's own.
describe('OpenAiChatModel against a local server speaking streamed OpenAI chat completions', () => {
  let fake: FakeOpenAiServer;
  let delays: number[];
  const model = (options: Partial<OpenAiChatModelOptions> = {}) =>
    new OpenAiChatModel({
      baseURL: fake.url,
      model: 'llama3.1:8b',
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      ...options,
    });

  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    delays = [];
  });

  it('names itself openai:<model>, posts to /v1/chat/completions with a placeholder key; text and usage as streamed', async () => {
    fake.enqueue({ items: openAiText(['Hel', 'lo, ', 'world']) });
    const m = model();
    const { events, error } = await collect(m.stream(ask));
    expect(error).toBeUndefined();
    expect(m.id).toBe('openai:llama3.1:8b');
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo, ' },
      { type: 'text-delta', text: 'world' },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 11, outputTokens: 4 } },
    ]);
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer not-needed');
  });

  it('assembles two streamed tool calls by index, arguments split in fragments', async () => {
    fake.enqueue({
      items: openAiToolCalls([
        {
          id: 'call_a',
          name: 'query_records',
          fragments: ['{"ta', 'ble": "no', 'tes", "limit"', ': 5}'],
        },
        { id: 'call_b', name: 'list_tables', fragments: [''] },
      ]),
    });
    const { events, error } = await collect(model().stream(ask));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'tool-use',
        id: 'call_a',
        name: 'query_records',
        input: { table: 'notes', limit: 5 },
      },
      { type: 'tool-use', id: 'call_b', name: 'list_tables', input: {} },
      { type: 'finish', reason: 'tool-use', usage: { inputTokens: 11, outputTokens: 4 } },
    ]);
  });

  it.each([
    ['length', 'length'],
    ['content_filter', 'content-filter'],
  ])('maps finish_reason %s to %s', async (finishReason, reason) => {
    fake.enqueue({ items: openAiText(['x'], finishReason) });
    const { events } = await collect(model().stream(ask));
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason });
  });

  it('maps system, history with tool calls and tool results, tools, toolChoice and settings', async () => {
    fake.enqueue({
      items: openAiToolCalls([{ id: 'c2', name: 'route', fragments: ['{"route":"rag"}'] }]),
    });
    const { error } = await collect(
      model({ apiKey: 'sk-test' }).stream({
        system: 'You are a helpful assistant.',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'How many notes?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'tool-use', id: 'c1', name: 'count_records', input: { table: 'notes' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool-result', toolUseId: 'c1', isError: true, text: 'table not found' },
              { type: 'text', text: 'Then guess.' },
            ],
          },
        ],
        tools: [{ name: 'route', description: 'Pick a route', inputSchema: { type: 'object' } }],
        toolChoice: { name: 'route' },
        maxTokens: 128,
        temperature: 0.2,
      }),
    );
    expect(error).toBeUndefined();
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(fake.requests[0]?.body).toEqual({
      model: 'llama3.1:8b',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'How many notes?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'count_records', arguments: '{"table":"notes"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'Error: table not found' },
        { role: 'user', content: 'Then guess.' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'route', description: 'Pick a route', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'route' } },
      max_tokens: 128,
      temperature: 0.2,
    });
  });

  it('retries 429 and 503 before the stream, honouring retry-after, then succeeds', async () => {
    fake.enqueue(
      {
        status: 429,
        headers: { 'retry-after': '2' },
        body: { error: { message: 'Rate limit reached', type: 'requests' } },
      },
      { status: 503, body: { error: { message: 'overloaded' } } },
      { items: openAiText(['ok']) },
    );
    const { events, error } = await collect(
      model({ random: () => 0.5, maxDelayMs: 5_000 }).stream(ask),
    );
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ type: 'text-delta', text: 'ok' });
    expect(fake.requests).toHaveLength(3);
    expect(delays).toEqual([2_000, 500]);
  });

  it('retries a stream cut off before finish_reason while nothing was shown', async () => {
    fake.enqueue(
      { items: [chunk({ role: 'assistant', content: '' })], done: false },
      { items: openAiText(['whole']) },
    );
    const { events, error } = await collect(model().stream(ask));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'finish']);
    expect(fake.requests).toHaveLength(2);
  });

  it.each([401, 403])(
    'turns HTTP %i into a non-retryable error naming OPENAI_API_KEY, without the key',
    async (status) => {
      fake.enqueue({
        status,
        body: {
          error: {
            message: 'Incorrect API key provided: sk-secr****1234.',
            code: 'invalid_api_key',
          },
        },
      });
      const { error } = await collect(model({ apiKey: 'sk-secret-1234' }).stream(ask));
      expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
      expect((error as Error).message).toContain('OPENAI_API_KEY');
      expect((error as Error).message).not.toContain('sk-secr');
      expect(fake.requests).toHaveLength(1);
    },
  );

  it('turns HTTP 404 into a non-retryable error naming OPENAI_MODEL and OPENAI_BASE_URL', async () => {
    fake.enqueue({
      status: 404,
      body: { error: { message: 'model "nope" not found, try pulling it first' } },
    });
    const { error } = await collect(model({ model: 'nope' }).stream(ask));
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
    expect((error as Error).message).toMatch(/OPENAI_MODEL.*OPENAI_BASE_URL/);
    expect((error as Error).message).toContain('"nope"');
  });

  it('retries a refused connection, then names OPENAI_BASE_URL and asks whether the server runs', async () => {
    const port = await closedPort();
    const m = model({ baseURL: `http://127.0.0.1:${port}/v1`, maxAttempts: 3 });
    const { error } = await collect(m.stream(ask));
    expect(delays).toHaveLength(2);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain('OPENAI_BASE_URL');
    expect(message).toContain('Is the server running?');
    expect(message).toContain(`http://127.0.0.1:${port}/v1`);
  });

  it('rejects a base URL with credentials in it without retrying or repeating them', async () => {
    const { error } = await collect(
      model({ baseURL: `http://user:pw@127.0.0.1:1/v1` }).stream(ask),
    );
    expect(delays).toHaveLength(0);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: false });
    expect((error as Error).message).toContain('OPENAI_BASE_URL (http://127.0.0.1:1/v1)');
    expect((error as Error).message).not.toContain('pw');
  });

  it('treats tool calls finished with "stop" (older Ollama) as tool use', async () => {
    fake.enqueue({
      items: [
        chunk({
          tool_calls: [
            { index: 0, id: 'c9', type: 'function', function: { name: 'now', arguments: '{}' } },
          ],
        }),
        chunk({}, 'stop'),
        usageChunk(),
      ],
    });
    const { events } = await collect(model().stream(ask));
    expect(events).toEqual([
      { type: 'tool-use', id: 'c9', name: 'now', input: {} },
      { type: 'finish', reason: 'tool-use', usage: { inputTokens: 11, outputTokens: 4 } },
    ]);
  });
});
