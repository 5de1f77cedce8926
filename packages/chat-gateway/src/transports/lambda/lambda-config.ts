import { renamedVariable } from '../../config.js';
import { awsRegion, baseUrl, int, LAMBDA_ENDPOINT_EXAMPLE, origins } from '../../env-parsers.js';
import { GatewayConfigError } from '../../errors.js';

type Env = Record<string, string | undefined>;

/** The `$connect` authorizer's settings. */
export interface AuthorizerConfig {
  /**
   * The shared secret clients present as `?token=` or `Authorization: Bearer`: in the
   * environment, or in Secrets Manager (read by the function, refreshed every few minutes).
   */
  token:
    | { kind: 'env'; value: string }
    | { kind: 'secret'; secretId: string; region: string; endpoint?: string };
  /** Allowed `Origin` values (normalised); empty allows any. Clients that send none pass on their token. */
  allowedOrigins: string[];
  /** Old variable names still read this release; logged once per container. */
  warnings?: string[];
}

/** The `$connect` authorizer's settings with Cognito sign-in (CHAT_COGNITO_USER_POOL_ID set). */
export interface CognitoAuthorizerConfig {
  /** `us-east-1_AbCdEf123`; the issuer is `https://cognito-idp.{region}.amazonaws.com/{id}`. */
  userPoolId: string;
  /** App client ids a token may be for (`aud` of an ID token, `client_id` of an access token). */
  clientIds: string[];
  /** Which token the clients send: the page sends the ID token (it names the user). */
  tokenUse: 'id' | 'access';
  allowedOrigins: string[];
  /** Renamed variables still in use (logged at start). */
  warnings?: string[];
}

/** What the WebSocket, engine and cleanup functions need beyond `loadGatewayConfig`. */
export interface LambdaConfig {
  region: string;
  /** API Gateway's management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
  managementEndpoint: string;
  /** The engine function, invoked asynchronously per turn; required by the WebSocket function. */
  engineFunctionName?: string;
  /** A local Lambda Invoke emulator instead of AWS (tests). */
  lambdaEndpoint?: string;
  /** How often a running turn reads the store for a `confirm` or `cancel`. */
  pollMs: number;
  /** How long the engine retries posting the first frame while `$connect` completes. */
  helloRetryMs: number;
  /**
   * Time kept before the engine function's timeout to end a turn cleanly: the turn is stopped
   * then, its partial answer stored and the client told, instead of Lambda killing it silently.
   */
  turnDeadlineMarginMs: number;
}

/**
 * Read once per container by the Lambda composition roots, failing fast with the variable's
 * name (the Lambda counterpart of `loadGatewayConfig`, which the roots also call).
 */
export function loadAuthorizerConfig(env: Env = process.env): AuthorizerConfig {
  const renamed = renamedVariable(env, 'CHAT_ALLOWED_ORIGINS', 'ALLOWED_ORIGINS');
  const allowedOrigins = origins(renamed.value, renamed.name);
  const warnings = renamed.warning ? { warnings: [renamed.warning] } : {};
  const secretId = env.CHAT_AUTH_TOKEN_SECRET_ARN;
  if (secretId) {
    const region = awsRegion(env);
    const endpoint = env.SECRETS_MANAGER_ENDPOINT;
    return {
      token: {
        kind: 'secret',
        secretId,
        region,
        ...(endpoint && {
          endpoint: baseUrl(
            'SECRETS_MANAGER_ENDPOINT',
            endpoint,
            'https://secretsmanager.us-east-1.amazonaws.com',
          ),
        }),
      },
      allowedOrigins,
      ...warnings,
    };
  }
  const value = env.CHAT_AUTH_TOKEN;
  if (!value)
    throw new GatewayConfigError(
      'CHAT_AUTH_TOKEN_SECRET_ARN or CHAT_AUTH_TOKEN: one is required; the ARN of a Secrets Manager secret holding the shared token WebSocket clients present (as ?token= or Authorization: Bearer), or the token itself. Every connection is refused until one is set.',
    );
  if (value.length < 16)
    throw new GatewayConfigError(
      'CHAT_AUTH_TOKEN: use at least 16 characters (e.g. openssl rand -hex 32)',
    );
  return { token: { kind: 'env', value }, allowedOrigins, ...warnings };
}

/**
 * The Cognito authorizer's settings, or undefined when CHAT_COGNITO_USER_POOL_ID is unset (the
 * shared-token authorizer then applies, see `loadAuthorizerConfig`).
 */
export function loadCognitoAuthorizerConfig(
  env: Env = process.env,
): CognitoAuthorizerConfig | undefined {
  const userPoolId = env.CHAT_COGNITO_USER_POOL_ID;
  if (!userPoolId) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/.test(userPoolId))
    throw new GatewayConfigError(
      `CHAT_COGNITO_USER_POOL_ID: ${JSON.stringify(userPoolId)} is not a user pool id; e.g. us-east-1_AbCdEf123`,
    );
  const clientIds = (env.CHAT_COGNITO_CLIENT_ID ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (clientIds.length === 0)
    throw new GatewayConfigError(
      'CHAT_COGNITO_CLIENT_ID: required with CHAT_COGNITO_USER_POOL_ID, the app client id(s) tokens must be for (comma-separated)',
    );
  const tokenUse = env.CHAT_COGNITO_TOKEN_USE ?? 'id';
  if (tokenUse !== 'id' && tokenUse !== 'access')
    throw new GatewayConfigError(
      `CHAT_COGNITO_TOKEN_USE: must be id or access, not ${JSON.stringify(tokenUse)}`,
    );
  const renamed = renamedVariable(env, 'CHAT_ALLOWED_ORIGINS', 'ALLOWED_ORIGINS');
  return {
    userPoolId,
    clientIds,
    tokenUse,
    allowedOrigins: origins(renamed.value, renamed.name),
    ...(renamed.warning && { warnings: [renamed.warning] }),
  };
}

export function loadLambdaConfig(
  env: Env = process.env,
  needs: { engine?: boolean } = {},
): LambdaConfig {
  const region = awsRegion(env);
  const managementEndpoint = managementEndpointOf(env);
  if (needs.engine && !env.ENGINE_FUNCTION_NAME)
    throw new GatewayConfigError('ENGINE_FUNCTION_NAME: required, the engine function name or ARN');
  return {
    region,
    managementEndpoint,
    ...(env.ENGINE_FUNCTION_NAME && { engineFunctionName: env.ENGINE_FUNCTION_NAME }),
    ...(env.LAMBDA_ENDPOINT && { lambdaEndpoint: lambdaEndpoint(env.LAMBDA_ENDPOINT) }),
    pollMs: int(env, 'TURN_POLL_MS', 300, 20, 10_000),
    helloRetryMs: int(env, 'HELLO_RETRY_MS', 3_000, 0, 20_000),
    turnDeadlineMarginMs: int(env, 'TURN_DEADLINE_MARGIN_MS', 10_000, 100, 300_000),
  };
}

/**
 * WS_MANAGEMENT_ENDPOINT: API Gateway's callback URL for posting to connections (required by
 * every function that answers a connection).
 */
export function managementEndpointOf(env: Env): string {
  if (!env.WS_MANAGEMENT_ENDPOINT)
    throw new GatewayConfigError(
      'WS_MANAGEMENT_ENDPOINT: required, the WebSocket stage callback URL https://{api-id}.execute-api.{region}.amazonaws.com/{stage}',
    );
  return baseUrl(
    'WS_MANAGEMENT_ENDPOINT',
    env.WS_MANAGEMENT_ENDPOINT,
    'https://{api-id}.execute-api.{region}.amazonaws.com/{stage}',
  );
}

/** LAMBDA_ENDPOINT: a local Lambda Invoke emulator instead of AWS (tests). */
export function lambdaEndpoint(value: string): string {
  return baseUrl('LAMBDA_ENDPOINT', value, LAMBDA_ENDPOINT_EXAMPLE);
}
