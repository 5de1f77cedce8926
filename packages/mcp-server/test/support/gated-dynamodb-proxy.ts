import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of a DynamoDB endpoint (dynalite) that holds requests for
 * one operation (e.g. `PutItem`) until the test opens the gate: a server process pointed at it
 * with DYNAMODB_ENDPOINT has a tool call in flight for as long as the test wants.
 */
export interface GatedDynamoDbProxy {
  endpoint: string;
  /** Resolves once a held request is waiting. */
  waitForHeld(): Promise<void>;
  open(): void;
  close(): Promise<void>;
}

export async function startGatedDynamoDbProxy(
  target: string,
  operation: string,
): Promise<GatedDynamoDbProxy> {
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      if (String(req.headers['x-amz-target']).endsWith(`.${operation}`)) {
        arrived();
        await gate;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => !['host', 'connection', 'content-length'].includes(name),
        ),
      ) as Record<string, string>;
      const upstream = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers,
        body,
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      const requestId = upstream.headers.get('x-amzn-requestid');
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0',
        ...(requestId && { 'x-amzn-requestid': requestId }),
      });
      res.end(answer);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    waitForHeld: () => held,
    open: openGate,
    close: () =>
      new Promise<void>((resolve) => {
        openGate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
