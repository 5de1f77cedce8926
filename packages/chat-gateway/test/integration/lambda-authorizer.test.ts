import { silentLogger } from 'chatbot-mcp-server/core';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../src/transports/lambda/authorizer.js';
import {
  loadAuthorizerConfig,
  loadLambdaConfig,
} from '../../src/transports/lambda/lambda-config.js';

const TOKEN = 'a-shared-token-of-32-characters!';
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/prod/$connect';

function event(
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: ARN,
    headers,
    queryStringParameters: query,
    requestContext: { connectionId: 'c1', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

const effect = (r: { policyDocument: { Statement: { Effect?: string; Resource?: unknown }[] } }) =>
  r.policyDocument.Statement[0];

describe('$connect authorizer (REQUEST): shared token and Origin', () => {
  const authorize = createAuthorizer(
    loadAuthorizerConfig({
      CHAT_AUTH_TOKEN: TOKEN,
      CHAT_ALLOWED_ORIGINS: 'https://chat.example, http://localhost:8080/',
    }),
    silentLogger,
  );

  it('allows the token in ?token= or Authorization: Bearer, for the method ARN only', async () => {
    expect(
      effect(await authorize(event({ token: TOKEN }, { Origin: 'https://chat.example' }))),
    ).toEqual({
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: ARN,
    });
    expect(
      effect(
        await authorize(
          event({}, { authorization: `Bearer ${TOKEN}`, origin: 'http://localhost:8080' }),
        ),
      )?.Effect,
    ).toBe('Allow');
  });

  it('denies a missing, wrong or prefixed token', async () => {
    for (const e of [
      event({}, { origin: 'https://chat.example' }),
      event({ token: 'nope' }, { origin: 'https://chat.example' }),
      event({ token: `${TOKEN}x` }, { origin: 'https://chat.example' }),
    ])
      expect(effect(await authorize(e))?.Effect).toBe('Deny');
  });

  it('denies an Origin outside CHAT_ALLOWED_ORIGINS; a client without Origin passes on its token (as locally)', async () => {
    expect(
      effect(await authorize(event({ token: TOKEN }, { origin: 'https://evil.example' })))?.Effect,
    ).toBe('Deny');
    expect(effect(await authorize(event({ token: TOKEN })))?.Effect).toBe('Allow');
    expect(effect(await authorize(event({})))?.Effect).toBe('Deny');
  });

  it('compares origins normalised, as the local server does', async () => {
    expect(
      effect(await authorize(event({ token: TOKEN }, { origin: 'HTTPS://Chat.Example:443' })))
        ?.Effect,
    ).toBe('Allow');
  });

  it('takes the Bearer header before ?token= (as the local server does)', async () => {
    expect(
      effect(
        await authorize(
          event({ token: 'wrong-token-in-the-query' }, { authorization: `Bearer ${TOKEN}` }),
        ),
      )?.Effect,
    ).toBe('Allow');
  });

  it('still reads the old ALLOWED_ORIGINS this release, with a warning naming the new one', () => {
    const config = loadAuthorizerConfig({
      CHAT_AUTH_TOKEN: TOKEN,
      ALLOWED_ORIGINS: 'https://old.example',
    });
    expect(config.allowedOrigins).toEqual(['https://old.example']);
    expect(config.warnings?.[0]).toMatch(/ALLOWED_ORIGINS is renamed CHAT_ALLOWED_ORIGINS/);
    expect(
      loadAuthorizerConfig({
        CHAT_AUTH_TOKEN: TOKEN,
        ALLOWED_ORIGINS: 'https://old.example',
        CHAT_ALLOWED_ORIGINS: 'https://new.example',
      }).allowedOrigins,
    ).toEqual(['https://new.example']);
  });

  it('allows any Origin (and none) when ALLOWED_ORIGINS is empty', async () => {
    const open = createAuthorizer(loadAuthorizerConfig({ CHAT_AUTH_TOKEN: TOKEN }), silentLogger);
    expect(effect(await open(event({ token: TOKEN })))?.Effect).toBe('Allow');
    expect(
      effect(await open(event({ token: TOKEN }, { origin: 'https://anything.example' })))?.Effect,
    ).toBe('Allow');
  });
});

describe('Lambda configuration fails fast, naming the variable', () => {
  it.each([
    [{}, /CHAT_AUTH_TOKEN_SECRET_ARN or CHAT_AUTH_TOKEN: one is required/],
    [{ CHAT_AUTH_TOKEN_SECRET_ARN: 'arn:x' }, /AWS_REGION: required/],
    [
      {
        CHAT_AUTH_TOKEN_SECRET_ARN: 'arn:x',
        AWS_REGION: 'us-east-1',
        SECRETS_MANAGER_ENDPOINT: 'x',
      },
      /SECRETS_MANAGER_ENDPOINT: must be a URL/,
    ],
    [{ CHAT_AUTH_TOKEN: 'short' }, /at least 16/],
    [
      { CHAT_AUTH_TOKEN: TOKEN, CHAT_ALLOWED_ORIGINS: 'chat.example' },
      /CHAT_ALLOWED_ORIGINS: "chat.example" is not an origin/,
    ],
  ])('authorizer %j', (env, message) => {
    expect(() => loadAuthorizerConfig(env)).toThrow(message);
  });

  it.each([
    [{}, {}, /AWS_REGION: required/],
    [{ AWS_REGION: 'us-east-1' }, {}, /WS_MANAGEMENT_ENDPOINT: required/],
    [
      { AWS_REGION: 'us-east-1', WS_MANAGEMENT_ENDPOINT: 'not a url' },
      {},
      /WS_MANAGEMENT_ENDPOINT: must be a URL/,
    ],
    [
      { AWS_REGION: 'us-east-1', WS_MANAGEMENT_ENDPOINT: 'https://x/prod' },
      { engine: true },
      /ENGINE_FUNCTION_NAME: required/,
    ],
    [
      { AWS_REGION: 'us-east-1', WS_MANAGEMENT_ENDPOINT: 'https://x/prod', TURN_POLL_MS: '5' },
      {},
      /TURN_POLL_MS: must be a whole number from 20/,
    ],
  ])('functions %j', (env, needs, message) => {
    expect(() => loadLambdaConfig(env, needs)).toThrow(message);
  });

  it('reads a complete configuration', () => {
    expect(
      loadLambdaConfig(
        {
          AWS_REGION: 'eu-west-1',
          WS_MANAGEMENT_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
          ENGINE_FUNCTION_NAME: 'engine',
        },
        { engine: true },
      ),
    ).toEqual({
      region: 'eu-west-1',
      managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      engineFunctionName: 'engine',
      pollMs: 300,
      helloRetryMs: 3000,
      turnDeadlineMarginMs: 10_000,
    });
  });
});
