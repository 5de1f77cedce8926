/**
 * A local HTTP server speaking streamed OpenAI chat completions (POST <base>/chat/completions):
 * Server-Sent Events `data: {chunk}` lines ending with `data: [DONE]`, and errors in the
 * OpenAI JSON error shape. Scripted per request; records what it received.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/** One SSE item: a chunk, raw `data:` text (e.g. an in-stream error object), or a stall. */
export type FakeSseItem = Record<string, unknown> | { raw: string } | { stall: true };

export type FakeOpenAiResponse =
  | { items: FakeSseItem[]; done?: boolean }
  | { status: number; body?: Record<string, unknown>; headers?: Record<string, string> };

export interface FakeOpenAiRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeOpenAiServer {
  /** The base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  requests: FakeOpenAiRequest[];
  /** Responses for the next requests, in order. With none left the fake answers 400. */
  enqueue(...responses: FakeOpenAiResponse[]): void;
  reset(): void;
  /** Responses still open (a stall that the client has not closed yet). */
  openResponses(): number;
  close(): Promise<void>;
}

function writeItems(res: ServerResponse, items: FakeSseItem[], done: boolean): void {
  for (const item of items) {
    if ('stall' in item) return;
    res.write(
      `data: ${'raw' in item && typeof item.raw === 'string' ? item.raw : JSON.stringify(item)}\n\n`,
    );
  }
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const queue: FakeOpenAiResponse[] = [];
  const open = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      state.requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      });
      const response: FakeOpenAiResponse = !req.url?.endsWith('/chat/completions')
        ? { status: 404, body: { error: { message: 'Not found', type: 'invalid_request_error' } } }
        : (queue.shift() ?? {
            status: 400,
            body: {
              error: {
                message: 'fake OpenAI: no scripted response left',
                type: 'invalid_request_error',
              },
            },
          });
      if ('status' in response) {
        res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
        res.end(JSON.stringify(response.body ?? { error: { message: `HTTP ${response.status}` } }));
        return;
      }
      open.add(res);
      res.on('close', () => open.delete(res));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      writeItems(res, response.items, response.done ?? true);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const state: FakeOpenAiServer = {
    url: '',
    requests: [],
    enqueue: (...responses) => void queue.push(...responses),
    reset: () => {
      queue.length = 0;
      state.requests.length = 0;
    },
    openResponses: () => open.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** One chat.completion.chunk with a single choice. */
export function chunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

/** The last chunk when `stream_options.include_usage` is on: no choices, only usage. */
export function usageChunk(prompt = 11, completion = 4): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

/** A whole streamed text answer in `parts`, then the finish reason and usage. */
export function openAiText(parts: string[], finishReason = 'stop'): FakeSseItem[] {
  return [
    chunk({ role: 'assistant', content: '' }),
    ...parts.map((content) => chunk({ content })),
    chunk({}, finishReason),
    usageChunk(),
  ];
}

/** Tool calls whose arguments arrive in fragments: id and name first, as OpenAI sends them. */
export function openAiToolCalls(
  calls: { id: string; name: string; fragments: string[] }[],
): FakeSseItem[] {
  return [
    chunk({ role: 'assistant', content: null }),
    ...calls.flatMap((call, index) => [
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      ...call.fragments.map((args) =>
        chunk({ tool_calls: [{ index, function: { arguments: args } }] }),
      ),
    ]),
    chunk({}, 'tool_calls'),
    usageChunk(),
  ];
}
