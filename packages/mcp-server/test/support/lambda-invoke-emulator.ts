import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_INVOKE_PAYLOAD_BYTES, type LambdaHandler } from './lambda-url-emulator.js';

/** One call the emulator received. */
export interface InvokeRecord {
  functionName: string;
  invocationType: string;
  /** The SigV4 Authorization header the client sent, if any. */
  authorization: string | undefined;
  payload: unknown;
}

/**
 * A local emulator of the AWS Lambda Invoke REST API on 127.0.0.1, for the real
 * `@aws-sdk/client-lambda`: `POST /2015-03-31/functions/{name}/invocations` runs the named
 * handler with the JSON payload and answers with its result as the body; a handler that throws
 * is a function error (`X-Amz-Function-Error: Unhandled`, the Node.js runtime's error JSON);
 * an unknown name is `ResourceNotFoundException`. Signatures are recorded, not verified.
 */
export interface LambdaInvokeEmulator {
  endpoint: string;
  invocations: InvokeRecord[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaInvokeEmulator(
  functions: Record<string, LambdaHandler>,
): Promise<LambdaInvokeEmulator> {
  const invocations: InvokeRecord[] = [];
  const server = createServer((req, res) => {
    void serve(req, res).catch(() => res.destroy());
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      return awsError(
        res,
        404,
        'UnknownOperationException',
        `no such operation: ${req.method} ${url.pathname}`,
      );
    }
    // The name may be a bare name or an ARN (arn:aws:lambda:region:account:function:name[:qualifier]).
    const requested = decodeURIComponent(match[1]);
    const functionName = requested.startsWith('arn:') ? (requested.split(':')[6] ?? '') : requested;
    const handler = functions[functionName];
    if (!handler) {
      return awsError(
        res,
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
      );
    }
    const raw = await readAll(req);
    if (raw.length > MAX_INVOKE_PAYLOAD_BYTES) {
      return awsError(
        res,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_INVOKE_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    }
    let payload: unknown;
    try {
      payload = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      return awsError(
        res,
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json',
      );
    }
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    invocations.push({
      functionName,
      invocationType,
      authorization: req.headers.authorization,
      payload,
    });
    if (invocationType === 'DryRun') return end(res, 204, {}, '');
    if (invocationType === 'Event') {
      void handler(payload as never).catch(() => undefined);
      return end(res, 202, {}, '');
    }
    let result: unknown;
    try {
      result = await handler(payload as never);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return end(
        res,
        200,
        { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
        JSON.stringify({
          errorType: e.name,
          errorMessage: e.message,
          trace: (e.stack ?? '').split('\n'),
        }),
      );
    }
    end(res, 200, { 'x-amz-executed-version': '$LATEST' }, JSON.stringify(result ?? null));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function end(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  res.end(body);
}

/** A Lambda API error as the REST-JSON protocol carries it: type in a header and the body. */
function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  end(res, status, { 'x-amzn-errortype': type }, JSON.stringify({ Type: 'User', message }));
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
