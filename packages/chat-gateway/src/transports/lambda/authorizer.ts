import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLogger, type Logger } from 'chatbot-mcp-server/core';
import { loadGatewayConfig } from '../../config.js';
import {
  SecretsManagerTokenSource,
  withoutAccountIds,
  type TokenSource,
} from '../../adapters/aws/secrets-token.js';
import { createCognitoAuthorizer } from './cognito-authorizer.js';
import {
  loadAuthorizerConfig,
  loadCognitoAuthorizerConfig,
  type AuthorizerConfig,
} from './lambda-config.js';

/**
 * The `$connect` REQUEST authorizer: the shared token (`?token=` or `Authorization: Bearer`),
 * compared in constant time, and the `Origin` against ALLOWED_ORIGINS. A Deny makes API
 * Gateway answer 403 before the WebSocket handshake; the `$connect` handler never runs. When
 * the expected token cannot be read (Secrets Manager failing, access denied) it denies.
 */
export function createAuthorizer(
  config: AuthorizerConfig,
  logger: Logger,
  tokens: TokenSource = tokenSourceOf(config),
) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const headers = lowerCase(event.headers);
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    const token = event.queryStringParameters?.token ?? bearer;
    const origin = headers.origin;
    const deny = () => policy('Deny', event.methodArn, event.requestContext.connectionId);
    let expected: Buffer;
    try {
      expected = digest(await tokens.token());
    } catch (error) {
      logger.error('connection refused: the expected token is unavailable', {
        message: error instanceof Error ? error.message : withoutAccountIds(error),
      });
      return deny();
    }
    let reason: string | undefined;
    // Digests have one length, so the comparison takes the same time for any token.
    if (!token || !timingSafeEqual(digest(token), expected)) reason = 'missing or wrong token';
    else if (
      config.allowedOrigins.length > 0 &&
      (!origin || !config.allowedOrigins.includes(origin))
    )
      reason = 'origin not allowed';
    if (reason) {
      logger.info('connection refused', {
        reason,
        origin,
        sourceIp: event.requestContext.identity.sourceIp,
      });
      return deny();
    }
    return policy('Allow', event.methodArn, event.requestContext.connectionId);
  };
}

/** The token from the environment, or from Secrets Manager (cached, refreshed every 5 minutes). */
export function tokenSourceOf(config: AuthorizerConfig): TokenSource {
  const { token } = config;
  if (token.kind === 'env') return { token: () => Promise.resolve(token.value) };
  return new SecretsManagerTokenSource({
    secretId: token.secretId,
    region: token.region,
    ...(token.endpoint && { endpoint: token.endpoint }),
  });
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

/**
 * The Lambda entry point: the Cognito authorizer when CHAT_COGNITO_USER_POOL_ID is set, else the
 * shared token. The configuration is read once per container. A configuration
 * error denies every connection (fail closed) and is logged at each, naming the variables.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  if (!authorize) {
    try {
      const logger = createLogger(loadGatewayConfig(process.env).logLevel);
      // With a user pool configured, Cognito sign-in replaces the shared token.
      const cognito = loadCognitoAuthorizerConfig(process.env);
      authorize = cognito
        ? createCognitoAuthorizer(cognito, logger)
        : createAuthorizer(loadAuthorizerConfig(process.env), logger);
    } catch (error) {
      process.stderr.write(
        `${JSON.stringify({
          time: new Date().toISOString(),
          level: 'error',
          msg: 'authorizer not configured: connection refused',
          message: error instanceof Error ? error.message : String(error),
        })}\n`,
      );
      return policy('Deny', event.methodArn, event.requestContext.connectionId);
    }
  }
  return authorize(event);
}

/** Tests: forget this container's configuration (and its cached token). */
export function resetForTests(): void {
  authorize = undefined;
}
