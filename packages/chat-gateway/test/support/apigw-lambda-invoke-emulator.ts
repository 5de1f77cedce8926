/**
 * A LOCAL EMULATOR of the AWS Lambda Invoke API on 127.0.0.1 for the real
 * `@aws-sdk/client-lambda` (the idea of packages/mcp-server/test/support/lambda-invoke-emulator.ts,
 * kept here because one package's tests do not compile the other's): `POST
 * /2015-03-31/functions/{name}/invocations`; `InvocationType: Event` answers 202 and runs the
 * handler in this process afterwards; `RequestResponse` answers with the handler's result or a
 * function error. Signatures are not checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Lambda context's clock, as real functions get it. */
export interface InvokeContext {
  getRemainingTimeInMillis(): number;
}

export type InvokedHandler = (event: unknown, context: InvokeContext) => Promise<unknown>;

export interface InvokeRecord {
  functionName: string;
  invocationType: string;
  payload: unknown;
}

export interface LambdaInvokeEmulator {
  endpoint: string;
  invocations: InvokeRecord[];
  /** Invocations that ran past their function's timeout (Lambda would have killed them). */
  timedOut: InvokeRecord[];
  /** Resolves when every asynchronous (Event) invocation so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaInvokeEmulator(
  functions: Record<string, InvokedHandler>,
  /** Function name → its timeout in ms (default 60 s); each invocation's context counts it down. */
  timeouts: Record<string, number> = {},
): Promise<LambdaInvokeEmulator> {
  const invocations: InvokeRecord[] = [];
  const timedOut: InvokeRecord[] = [];
  const running = new Set<Promise<unknown>>();
  const server = createServer((req, res) => void serve(req, res).catch(() => res.destroy()));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const name = decodeURIComponent(match?.[1] ?? '');
    const functionName = name.startsWith('arn:') ? (name.split(':')[6] ?? '') : name;
    const handler = functions[functionName];
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !handler)
      return end(
        res,
        404,
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
        JSON.stringify({ Type: 'User', message: `Function not found: ${functionName}` }),
      );
    const raw = Buffer.concat(chunks).toString('utf8');
    const payload: unknown = raw ? JSON.parse(raw) : {};
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const record = { functionName, invocationType, payload };
    invocations.push(record);
    const timeoutMs = timeouts[functionName] ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const context: InvokeContext = { getRemainingTimeInMillis: () => deadline - Date.now() };
    const timed = (): Promise<unknown> => {
      // In-process handlers cannot be killed; an overrun is recorded for the test to see.
      const timer = setTimeout(() => timedOut.push(record), timeoutMs);
      return handler(payload, context).finally(() => clearTimeout(timer));
    };
    if (invocationType === 'Event') {
      const run = timed().catch(() => undefined);
      running.add(run);
      void run.finally(() => running.delete(run));
      return end(res, 202, {}, '');
    }
    try {
      const result = await timed();
      end(res, 200, {}, JSON.stringify(result ?? null));
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      end(
        res,
        200,
        { 'x-amz-function-error': 'Unhandled' },
        JSON.stringify({ errorType: e.name, errorMessage: e.message }),
      );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    timedOut,
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
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
