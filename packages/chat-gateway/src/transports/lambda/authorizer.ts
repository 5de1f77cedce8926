import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLogger, type Logger } from 'chatbot-mcp-server/core';
import { loadGatewayConfig } from '../../config.js';
import { listedOrigin, presentedTokenOf, tokenMatches } from '../../core/connect-policy.js';
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
 * compared in constant time, and the `Origin` against CHAT_ALLOWED_ORIGINS: the policy of the
 * local server (`core/connect-policy.ts`); a client without Origin is no browser page and
 * passes on its token. A Deny makes API
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
    const token = presentedTokenOf(headers.authorization, event.queryStringParameters?.token);
    const origin = headers.origin;
    const deny = () => policy('Deny', event.methodArn, event.requestContext.connectionId);
    let expected: string;
    try {
      expected = await tokens.token();
    } catch (error) {
      logger.error('connection refused: the expected token is unavailable', {
        message: error instanceof Error ? error.message : withoutAccountIds(error),
      });
      return deny();
    }
    let reason: string | undefined;
    if (!tokenMatches(token, expected)) reason = 'missing or wrong token';
    else if (config.allowedOrigins.length > 0 && !listedOrigin(origin, config.allowedOrigins))
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
      if (cognito) {
        for (const warning of cognito.warnings ?? []) logger.warn(warning);
        authorize = createCognitoAuthorizer(cognito, logger);
      } else {
        const config = loadAuthorizerConfig(process.env);
        for (const warning of config.warnings ?? []) logger.warn(warning);
        authorize = createAuthorizer(config, logger);
      }
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
