/**
 * The API Gateway WebSocket event fields the handlers read (the `aws-lambda` type for
 * WebSocket events leaves out the `$connect` headers and identity).
 */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    connectionId: string;
    eventType?: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    domainName?: string;
    stage?: string;
    identity?: { sourceIp?: string; userAgent?: string };
    /** `$connect`: what the REQUEST authorizer put in its context (see `connect-identity.ts`). */
    authorizer?: Record<string, unknown> | null;
  };
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  statusCode: number;
  /** `$connect` only: e.g. the chosen `Sec-WebSocket-Protocol`. */
  headers?: Record<string, string>;
  body?: string;
}

/** The frame text of a `$default` event (API Gateway base64-encodes binary frames). */
export function frameText(event: WebSocketEvent): string {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}
