import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import type { Logger } from 'chatbot-mcp-server/core';
import type { CognitoAuthorizerConfig } from './lambda-config.js';
import { CHAT_SUBPROTOCOL, identityContext, type IdentityContext } from './connect-identity.js';

/** A compact JWS: three base64url parts (the signature may be empty in `alg: none`). */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Verifies one Cognito JWT; throws when it is not valid for this pool and app client. */
export type CognitoTokenVerifier = (token: string) => Promise<Record<string, unknown>>;

/** The verifier for the configured pool, client ids and token use (`aws-jwt-verify`). */
export function cognitoVerifier(
  config: CognitoAuthorizerConfig,
  jwksCache?: JwksCache,
): CognitoTokenVerifier {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientIds, tokenUse: config.tokenUse },
    jwksCache && { jwksCache },
  );
  return async (token) => await verifier.verify(token);
}

/**
 * The `$connect` REQUEST authorizer with Cognito sign-in: the user pool's JWT, taken from the
 * `Sec-WebSocket-Protocol` header (the page offers `chatbot, <JWT>`; browsers cannot set other
 * headers on a WebSocket) or `Authorization: Bearer` (programs). Never from the query string:
 * the URL is what ends up in logs and proxies. The stage's access log format records neither
 * header. On success the identity goes into the authorizer context, which API Gateway hands to
 * the `$connect` route (`requestContext.authorizer`). Every refusal is the same plain Deny
 * (API Gateway answers 403); why is logged, never the token.
 */
export function createCognitoAuthorizer(
  config: CognitoAuthorizerConfig,
  logger: Logger,
  verify: CognitoTokenVerifier = cognitoVerifier(config),
) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const headers = lowerCase(event.headers);
    const token = tokenOf(headers);
    const refuse = (reason: string): APIGatewayAuthorizerResult => {
      logger.info('connection refused', {
        reason,
        origin: headers.origin,
        sourceIp: event.requestContext.identity.sourceIp,
      });
      return policy('Deny', event.methodArn, 'anonymous');
    };
    if (
      config.allowedOrigins.length > 0 &&
      (!headers.origin || !config.allowedOrigins.includes(headers.origin))
    )
      return refuse('origin not allowed');
    if (!token) return refuse('no token (Sec-WebSocket-Protocol or Authorization: Bearer)');
    let claims: Record<string, unknown>;
    try {
      claims = await verify(token);
    } catch (error) {
      // aws-jwt-verify's message names the failed check and claim values, never the token
      // (class names do not survive the minified bundle). For the log only.
      const why = error instanceof Error ? error.message.slice(0, 200) : 'unknown';
      return refuse(`token not valid: ${why}`);
    }
    const context = identityContext(claims);
    if (!context) return refuse('token without iss or sub');
    return { ...policy('Allow', event.methodArn, context.sub), context: { ...context } };
  };
}

/** The JWT among the offered subprotocols, else the bearer token. */
export function tokenOf(headers: Record<string, string | undefined>): string | undefined {
  const offered = (headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p !== CHAT_SUBPROTOCOL && JWT.test(p));
  if (offered) return offered;
  return /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
}

function lowerCase(
  headers: Record<string, string | undefined> | null,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function policy(
  effect: 'Allow' | 'Deny',
  resource: string,
  principalId: string,
): APIGatewayAuthorizerResult & { context?: IdentityContext } {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}
