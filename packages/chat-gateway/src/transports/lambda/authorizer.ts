import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLogger, type Logger } from 'chatbot-mcp-server/core';
import { loadGatewayConfig } from '../../config.js';
import { loadAuthorizerConfig, type AuthorizerConfig } from './lambda-config.js';

/**
 * The `$connect` REQUEST authorizer: the shared token (`?token=` or `Authorization: Bearer`),
 * compared in constant time, and the `Origin` against ALLOWED_ORIGINS. A Deny makes API
 * Gateway answer 403 before the WebSocket handshake; the `$connect` handler never runs.
 */
export function createAuthorizer(config: AuthorizerConfig, logger: Logger) {
  const expected = digest(config.authToken);
  return (event: APIGatewayRequestAuthorizerEvent): APIGatewayAuthorizerResult => {
    const headers = lowerCase(event.headers);
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    const token = event.queryStringParameters?.token ?? bearer;
    const origin = headers.origin;
    let reason: string | undefined;
    // Digests have one length, so the comparison takes the same time for any token.
    if (!token || !timingSafeEqual(digest(token), expected)) reason = 'missing or wrong token';
    else if (
      config.allowedOrigins.length > 0 &&
      (!origin || !config.allowedOrigins.includes(origin))
    )
      reason = 'origin not allowed';
    if (reason)
      logger.info('connection refused', {
        reason,
        origin,
        sourceIp: event.requestContext.identity.sourceIp,
      });
    return policy(reason ? 'Deny' : 'Allow', event.methodArn, event.requestContext.connectionId);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function lowerCase(
  headers: Record<string, string | undefined> | null,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function policy(
  effect: 'Allow' | 'Deny',
  resource: string,
  principalId = 'client',
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}

let authorize: ReturnType<typeof createAuthorizer> | undefined;

/** The Lambda entry point; the configuration is read once per container. */
export function handler(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  if (!authorize) {
    const logger = createLogger(loadGatewayConfig(process.env).logLevel);
    authorize = createAuthorizer(loadAuthorizerConfig(process.env), logger);
  }
  return Promise.resolve(authorize(event));
}
