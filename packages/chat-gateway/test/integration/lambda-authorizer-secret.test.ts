import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLogger } from 'chatbot-mcp-server/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretsManagerTokenSource } from '../../src/adapters/aws/secrets-token.js';
import * as entry from '../../src/transports/lambda/authorizer.js';
import { createAuthorizer } from '../../src/transports/lambda/authorizer.js';
import { loadAuthorizerConfig } from '../../src/transports/lambda/lambda-config.js';
import {
  startFakeSecretsManager,
  type FakeSecretsManager,
} from '../support/apigw-fake-secrets-manager.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:chat-auth-token-AbCdEf';
const TOKEN = 'token-from-secrets-manager-0123456789';
const ROTATED = 'rotated-token-from-secrets-manager-9876';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/prod/$connect';

function event(token?: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: {},
    queryStringParameters: token === undefined ? {} : { token },
    requestContext: { connectionId: 'c1', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}
const effectOf = (r: { policyDocument: { Statement: { Effect?: string }[] } }) =>
  r.policyDocument.Statement[0]?.Effect;

describe('$connect authorizer with the token in Secrets Manager (local fake Secrets Manager server, awsJson1_1)', () => {
  let sm: FakeSecretsManager;
  const lines: string[] = [];
  const logger = createLogger('info', (line) => void lines.push(line));
  beforeAll(async () => {
    sm = await startFakeSecretsManager();
  });
  afterAll(async () => {
    await sm?.close();
  });
  beforeEach(() => {
    // The SDK signs requests; the fake does not check the signature.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  });
  afterEach(() => {
    lines.length = 0;
    sm.requests.length = 0;
    sm.fail(SECRET_ARN, undefined);
    vi.unstubAllEnvs();
    entry.resetForTests();
  });

  function authorizerAt(now: () => number) {
    const config = loadAuthorizerConfig({
      CHAT_AUTH_TOKEN_SECRET_ARN: SECRET_ARN,
      AWS_REGION: 'us-east-1',
      SECRETS_MANAGER_ENDPOINT: sm.endpoint,
    });
    if (config.token.kind !== 'secret') throw new Error('expected the secret');
    const tokens = new SecretsManagerTokenSource({
      secretId: config.token.secretId,
      region: config.token.region,
      endpoint: sm.endpoint,
      now,
    });
    return createAuthorizer(config, logger, tokens);
  }

  it('allows the secret value and denies a wrong token, reading the secret once', async () => {
    sm.put(SECRET_ARN, `${TOKEN}\n`);
    const authorize = authorizerAt(Date.now);
    expect(effectOf(await authorize(event(TOKEN)))).toBe('Allow');
    expect(effectOf(await authorize(event('wrong-token-wrong-token-wrong')))).toBe('Deny');
    expect(effectOf(await authorize(event()))).toBe('Deny');
    expect(sm.requests).toEqual([SECRET_ARN]);
  });

  it.each(['AccessDeniedException', 'ResourceNotFoundException'])(
    'denies when the secret cannot be read (%s) and logs without the account id',
    async (errorType) => {
      sm.put(SECRET_ARN, TOKEN);
      sm.fail(SECRET_ARN, errorType);
      const authorize = authorizerAt(Date.now);
      expect(effectOf(await authorize(event(TOKEN)))).toBe('Deny');
      const log = lines.join('');
      expect(log).toContain('the expected token is unavailable');
      expect(log).toContain(errorType);
      expect(log).not.toContain('123456789012');
      // Not cached: once the secret is readable again, the right token passes.
      sm.fail(SECRET_ARN, undefined);
      expect(effectOf(await authorize(event(TOKEN)))).toBe('Allow');
    },
  );

  it('picks up a rotation once the cached value is 5 minutes old; a failed refresh denies', async () => {
    sm.put(SECRET_ARN, TOKEN);
    let now = 1_000_000;
    const authorize = authorizerAt(() => now);
    expect(effectOf(await authorize(event(TOKEN)))).toBe('Allow');
    sm.put(SECRET_ARN, ROTATED);
    now += 4 * 60_000;
    // Still the cached value: the old token works, the new one not yet.
    expect(effectOf(await authorize(event(TOKEN)))).toBe('Allow');
    expect(effectOf(await authorize(event(ROTATED)))).toBe('Deny');
    expect(sm.requests).toHaveLength(1);
    now += 60_001;
    expect(effectOf(await authorize(event(ROTATED)))).toBe('Allow');
    expect(effectOf(await authorize(event(TOKEN)))).toBe('Deny');
    expect(sm.requests).toHaveLength(2);
    // A refresh that fails does not fall back to the old value.
    sm.fail(SECRET_ARN, 'AccessDeniedException');
    now += 5 * 60_000 + 1;
    expect(effectOf(await authorize(event(ROTATED)))).toBe('Deny');
  });

  it('denies a secret whose value is too short to be a token', async () => {
    sm.put(SECRET_ARN, 'short');
    expect(effectOf(await authorizerAt(Date.now)(event('short')))).toBe('Deny');
    expect(lines.join('')).toContain('at least 16 characters');
  });

  it('the Lambda entry reads CHAT_AUTH_TOKEN_SECRET_ARN from the environment', async () => {
    sm.put(SECRET_ARN, TOKEN);
    for (const [name, value] of Object.entries({
      CHAT_AUTH_TOKEN: undefined,
      CHAT_AUTH_TOKEN_SECRET_ARN: SECRET_ARN,
      SECRETS_MANAGER_ENDPOINT: sm.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ALLOWED_ORIGINS: undefined,
      LOG_LEVEL: 'error',
    }))
      vi.stubEnv(name, value);
    expect(effectOf(await entry.handler(event(TOKEN)))).toBe('Allow');
    expect(effectOf(await entry.handler(event('wrong-token-wrong-token-wrong')))).toBe('Deny');
  });

  it('the Lambda entry without either variable denies every connection and says which to set', async () => {
    vi.stubEnv('CHAT_AUTH_TOKEN', undefined);
    vi.stubEnv('CHAT_AUTH_TOKEN_SECRET_ARN', undefined);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(effectOf(await entry.handler(event('anything-anything-anything')))).toBe('Deny');
      const written = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(written).toContain('CHAT_AUTH_TOKEN_SECRET_ARN or CHAT_AUTH_TOKEN');
    } finally {
      stderr.mockRestore();
    }
  });
});
