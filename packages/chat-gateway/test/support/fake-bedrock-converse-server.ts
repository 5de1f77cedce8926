/**
 * A FAKE Amazon Bedrock runtime for tests: cleartext HTTP/2 on 127.0.0.1 implementing
 * POST /model/<modelId>/converse-stream. Answers are `application/vnd.amazon.eventstream`
 * frames encoded with @smithy/eventstream-codec, exactly as the service sends them: events carry
 * `:message-type: event` and `:event-type`, in-stream errors `:message-type: exception` and
 * `:exception-type` (the header the SDK reads for them). HTTP errors use the AWS JSON error shape
 * and `x-amzn-ErrorType`, so the real SDK client raises typed exceptions.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/** One frame of a scripted stream: an event, an exception that ends it, a stall, or a pause. */
export type FakeStreamItem =
  | { event: string; body: Record<string, unknown> }
  | { exception: string; message: string }
  | { stall: true }
  | { pauseMs: number };

export type FakeConverseResponse =
  { items: FakeStreamItem[] } | { status: number; errorType: string; message: string };

export interface FakeConverseRequest {
  modelId: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeBedrockConverseServer {
  url: string;
  requests: FakeConverseRequest[];
  /** Responses for the next requests, in order. With none left the fake answers 400. */
  enqueue(...responses: FakeConverseResponse[]): void;
  /** Answers the requests the queue has nothing for (instead of 400), e.g. a slow echo model. */
  respondWith(responder: (request: FakeConverseRequest) => FakeConverseResponse): void;
  /** Forgets queued responses and recorded requests (between tests). */
  reset(): void;
  /** Streams that are still open (a stall that the client has not closed yet). */
  openStreams(): number;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

function frame(headers: Record<string, string>, body: unknown): Uint8Array {
  const wireHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }]),
  );
  return codec.encode({
    headers: wireHeaders,
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
}

async function writeItems(stream: ServerHttp2Stream, items: FakeStreamItem[]): Promise<void> {
  for (const item of items) {
    if ('stall' in item) return;
    if ('pauseMs' in item) {
      await new Promise((r) => setTimeout(r, item.pauseMs));
      if (stream.closed) return;
      continue;
    }
    if ('exception' in item) {
      stream.end(
        frame(
          {
            ':message-type': 'exception',
            ':exception-type': item.exception,
            ':content-type': 'application/json',
          },
          { message: item.message },
        ),
      );
      return;
    }
    // The service pads events with a random "p" field; the SDK must ignore it.
    stream.write(
      frame(
        {
          ':message-type': 'event',
          ':event-type': item.event,
          ':content-type': 'application/json',
        },
        { ...item.body, p: 'abcdefgh' },
      ),
    );
  }
  stream.end();
}

export async function startFakeBedrockConverseServer(): Promise<FakeBedrockConverseServer> {
  const queue: FakeConverseResponse[] = [];
  const open = new Set<ServerHttp2Stream>();
  const server = createServer();
  let responder: ((request: FakeConverseRequest) => FakeConverseResponse) | undefined;
  const state: FakeBedrockConverseServer = {
    url: '',
    requests: [],
    enqueue: (...responses) => void queue.push(...responses),
    respondWith: (fn) => void (responder = fn),
    openStreams: () => open.size,
    reset: () => {
      queue.length = 0;
      state.requests.length = 0;
    },
    close: () => Promise.resolve(),
  };

  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      const match = /^\/model\/([^/]+)\/converse-stream$/.exec(headers[':path'] ?? '');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: FakeConverseRequest = {
        modelId: match ? decodeURIComponent(match[1] as string) : '',
        headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      state.requests.push(request);
      const response: FakeConverseResponse = !match
        ? { status: 404, errorType: 'UnknownOperationException', message: 'Not found' }
        : (queue.shift() ??
          responder?.(request) ?? {
            status: 400,
            errorType: 'ValidationException',
            message: 'fake Bedrock: no scripted response left for this request',
          });
      const requestId = randomUUID();
      if ('status' in response) {
        stream.respond({
          ':status': response.status,
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': `${response.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        });
        stream.end(JSON.stringify({ message: response.message }));
        return;
      }
      open.add(stream);
      stream.on('close', () => open.delete(stream));
      stream.respond({
        ':status': 200,
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': requestId,
      });
      void writeItems(stream, response.items).catch(() => stream.destroy());
    });
  });
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve, reject) => {
      for (const session of sessions) session.destroy();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return state;
}

/** A whole streamed text answer: one text block in `chunks`, then stop and usage. */
export function converseText(
  chunks: string[],
  stopReason = 'end_turn',
  usage = { inputTokens: 12, outputTokens: 7 },
): FakeStreamItem[] {
  return [
    { event: 'messageStart', body: { role: 'assistant' } },
    ...chunks.map((text) => ({
      event: 'contentBlockDelta',
      body: { contentBlockIndex: 0, delta: { text } },
    })),
    { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
    ...converseEnd(stopReason, usage),
  ];
}

/** A tool-use content block at `index` whose input JSON arrives in `fragments`. */
export function converseToolUse(
  index: number,
  id: string,
  name: string,
  fragments: string[],
): FakeStreamItem[] {
  return [
    {
      event: 'contentBlockStart',
      body: { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } },
    },
    ...fragments.map((input) => ({
      event: 'contentBlockDelta',
      body: { contentBlockIndex: index, delta: { toolUse: { input } } },
    })),
    { event: 'contentBlockStop', body: { contentBlockIndex: index } },
  ];
}

/** `messageStop` and `metadata`, the last two events of every complete answer. */
export function converseEnd(
  stopReason: string,
  usage = { inputTokens: 12, outputTokens: 7 },
): FakeStreamItem[] {
  return [
    { event: 'messageStop', body: { stopReason } },
    {
      event: 'metadata',
      body: {
        usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        metrics: { latencyMs: 5 },
      },
    },
  ];
}

/** The router's structured decision (`choose_route` with `route`), as the model streams it. */
export function converseRoute(route: string): { items: FakeStreamItem[] } {
  return {
    items: [
      { event: 'messageStart', body: { role: 'assistant' } },
      ...converseToolUse(0, 'route-1', 'choose_route', [
        JSON.stringify({ route, reason: 'scripted' }),
      ]),
      ...converseEnd('tool_use'),
    ],
  };
}
