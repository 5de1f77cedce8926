/**
 * A FAKE Amazon Bedrock runtime for tests: cleartext HTTP/2 (the Bedrock runtime client's default
 * transport) on 127.0.0.1 implementing POST /model/<modelId>/invoke for Titan Text Embeddings V2. Embeddings are deterministic per text
 * (seeded from its SHA-256) and normalized when asked. Errors use the real AWS JSON error shape
 * and the `x-amzn-ErrorType` header, so the real SDK client parses them into typed exceptions.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

export const FAKE_TITAN_MODEL = 'amazon.titan-embed-text-v2:0';

export interface FakeBedrockRequest {
  path: string;
  modelId: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeBedrockServer {
  url: string;
  requests: FakeBedrockRequest[];
  /** The most requests that were in flight at once. */
  maxInFlight: number;
  /** How long each successful response is held, so concurrency shows. */
  delayMs: number;
  /** Answer the next `count` requests with 429 ThrottlingException. */
  throttleNext(count: number): void;
  /** Answer every request with 403 AccessDeniedException carrying `message`. */
  denyAccess(message?: string): void;
  /** Answer every request with this AWS error, e.g. 400 ValidationException. */
  failWith(status: number, type: string, message: string): void;
  reset(): void;
  close(): Promise<void>;
}

interface AwsError {
  status: number;
  type: string;
  message: string;
}

export async function startFakeBedrockServer(): Promise<FakeBedrockServer> {
  let throttles = 0;
  let failure: AwsError | undefined;
  let inFlight = 0;

  const state: FakeBedrockServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    delayMs: 0,
    throttleNext: (count) => {
      throttles = count;
    },
    denyAccess: (message = "You don't have access to the model with the specified model ID.") => {
      failure = { status: 403, type: 'AccessDeniedException', message };
    },
    failWith: (status, type, message) => {
      failure = { status, type, message };
    },
    reset: () => {
      throttles = 0;
      failure = undefined;
      state.requests.length = 0;
      state.maxInFlight = 0;
      state.delayMs = 0;
    },
    close: () => Promise.resolve(),
  };

  const answer = (modelId: string, body: string): [number, unknown] | AwsError => {
    if (failure) return failure;
    if (throttles > 0) {
      throttles--;
      return {
        status: 429,
        type: 'ThrottlingException',
        message: 'Too many requests, please wait before trying again.',
      };
    }
    if (modelId !== FAKE_TITAN_MODEL) {
      return {
        status: 400,
        type: 'ValidationException',
        message: 'The provided model identifier is invalid.',
      };
    }
    let input: { inputText?: unknown; dimensions?: unknown; normalize?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return {
        status: 400,
        type: 'ValidationException',
        message: 'Malformed input request, please reformat your input and try again.',
      };
    }
    const dimensions = input.dimensions ?? 1024;
    if (typeof input.inputText !== 'string' || input.inputText.length === 0) {
      return {
        status: 400,
        type: 'ValidationException',
        message: 'Malformed input request: #/inputText: expected minLength: 1',
      };
    }
    if (dimensions !== 256 && dimensions !== 512 && dimensions !== 1024) {
      return {
        status: 400,
        type: 'ValidationException',
        message: 'Malformed input request: #/dimensions: 300 is not a valid enum value',
      };
    }
    const embedding = fakeEmbedding(input.inputText, dimensions, input.normalize !== false);
    const tokens = input.inputText.split(/\s+/).filter(Boolean).length;
    return [
      200,
      { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens },
    ];
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const match = /^\/model\/([^/]+)\/invoke$/.exec(req.url ?? '');
      const modelId = match ? decodeURIComponent(match[1] as string) : '';
      state.requests.push({ path: req.url ?? '', modelId, headers: req.headers, body });
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const result: [number, unknown] | AwsError = match
        ? answer(modelId, body)
        : { status: 404, type: 'UnknownOperationException', message: 'Not found' };
      const requestId = randomUUID();
      const finish = () => {
        inFlight--;
        if (Array.isArray(result)) {
          const payload = JSON.stringify(result[1]);
          res.writeHead(result[0], {
            'content-type': 'application/json',
            'x-amzn-requestid': requestId,
          });
          res.end(payload);
          return;
        }
        res.writeHead(result.status, {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': `${result.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        });
        res.end(JSON.stringify({ message: result.message }));
      };
      if (state.delayMs > 0) setTimeout(finish, state.delayMs);
      else finish();
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

/** The vector the fake returns for `text`: a seeded pseudo-random direction. */
export function fakeEmbedding(text: string, dimensions: number, normalize = true): number[] {
  let seed = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  const next = () => {
    // xorshift32: cheap, deterministic, good enough for a direction.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000 - 0.5;
  };
  const vector = Array.from({ length: dimensions }, next);
  if (!normalize) return vector;
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}
