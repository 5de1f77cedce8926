import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';

/** A DynamoDB JSON-protocol answer: the HTTP status and the body dynalite wrote. */
export interface DirectResponse {
  status: number;
  body: string;
}

/** One DynamoDB operation (`target` as in X-Amz-Target's second half) with its JSON body. */
export type DirectRequest = (operation: string, body: string) => Promise<DirectResponse>;

/** The headers dynalite checks; it accepts any credentials but wants them present. */
const HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20200101T000000Z',
};

/**
 * dynalite's request handler called without a socket: the same handler its HTTP server runs,
 * given a request that emits the body and a response that keeps what is written. The embedded
 * store's clients in this process use it in place of a loopback HTTP round trip (two socket
 * writes and an HTTP parse on each side per operation). The handler is the store's gate
 * (dynalite-recovery.ts), which sends the body once dynalite listens for it.
 */
export function directRequests(server: Server): DirectRequest {
  const handler = server.listeners('request')[0] as
    ((req: EventEmitter, res: unknown) => void) | undefined;
  if (!handler) throw new Error('dynalite has no request handler');
  return (operation, body) =>
    new Promise<DirectResponse>((resolve) => {
      const req = Object.assign(new EventEmitter(), {
        method: 'POST',
        url: '/',
        headers: { ...HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` },
        // Called by the store's gate once dynalite listens (it may hold a request back).
        sendBody: () => {
          req.emit('data', Buffer.from(body, 'utf8'));
          req.emit('end');
        },
      });
      const res = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader: () => undefined,
        end: (text?: string) => resolve({ status: res.statusCode, body: text ?? '' }),
      };
      handler(req, res);
    });
}
