/**
 * The `$connect` authorizer with Cognito sign-in, against tokens in Cognito's format (`iss` =
 * `https://cognito-idp.{region}.amazonaws.com/{poolId}`, `token_use`, `aud`/`client_id`,
 * `cognito:groups`) signed by a local key set: `aws-jwt-verify` gets its JWKS from a local
 * fetcher, so nothing goes to the network.
 */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { silentLogger } from 'chatbot-mcp-server/core';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler, resetForTests } from '../../src/transports/lambda/authorizer.js';
import {
  cognitoVerifier,
  createCognitoAuthorizer,
  tokenOf,
} from '../../src/transports/lambda/cognito-authorizer.js';
import { identityFromAuthorizer } from '../../src/transports/lambda/connect-identity.js';
import { loadCognitoAuthorizerConfig } from '../../src/transports/lambda/lambda-config.js';

const POOL = 'us-east-1_TestPool1';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const CLIENT = 'page-client-id-1';
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/prod/$connect';
const PAGE = 'https://d111.cloudfront.net';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;
let strangerKey: PrivateKey;
let publicJwk: JWK;
let jwksFetches = 0;

function event(headers: Record<string, string>, query: Record<string, string> = {}) {
  return {
    type: 'REQUEST',
    methodArn: ARN,
    headers,
    queryStringParameters: query,
    requestContext: { connectionId: 'c1', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

/** An ID token as Cognito issues it; `claims` override or remove (undefined) any claim. */
async function idToken(
  claims: Record<string, unknown> = {},
  options: { key?: PrivateKey; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const body: Record<string, unknown> = {
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    iss: ISSUER,
    aud: CLIENT,
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    'cognito:username': 'alice',
    'cognito:groups': ['staff', 'admins'],
    email: 'alice@example.test',
    name: 'Alice Example',
    ...claims,
  };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return new SignJWT(body)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
    .sign(options.key ?? signingKey);
}

function authorizer(env: Record<string, string> = {}) {
  const config = loadCognitoAuthorizerConfig({
    CHAT_COGNITO_USER_POOL_ID: POOL,
    CHAT_COGNITO_CLIENT_ID: CLIENT,
    ALLOWED_ORIGINS: PAGE,
    ...env,
  })!;
  // The JWKS the pool would publish at {issuer}/.well-known/jwks.json, served locally.
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: (uri: string) => {
        jwksFetches += 1;
        expect(uri).toBe(`${ISSUER}/.well-known/jwks.json`);
        return Promise.resolve(
          new TextEncoder().encode(JSON.stringify({ keys: [publicJwk] })).buffer,
        );
      },
    },
  });
  return createCognitoAuthorizer(config, silentLogger, cognitoVerifier(config, jwksCache));
}

const offered = (token: string) => ({
  origin: PAGE,
  'Sec-WebSocket-Protocol': `chatbot, ${token}`,
});
const effectOf = (r: { policyDocument: { Statement: { Effect?: string }[] } }) =>
  r.policyDocument.Statement[0]?.Effect;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  strangerKey = (await generateKeyPair('RS256')).privateKey;
});

describe('$connect authorizer with Cognito (tokens in Cognito format, local key set)', () => {
  it('allows a valid ID token offered as a subprotocol and puts the identity in the context', async () => {
    const result = await authorizer()(event(offered(await idToken())));
    expect(effectOf(result)).toBe('Allow');
    expect(result.principalId).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(result.context).toEqual({
      issuer: ISSUER,
      sub: 'a1b2c3d4-0000-4000-8000-000000000001',
      name: 'Alice Example',
      email: 'alice@example.test',
      groups: '["staff","admins"]',
    });
    // What the $connect route reads back: the local gateway's Identity.
    expect(identityFromAuthorizer(result.context)).toEqual({
      issuer: ISSUER,
      subject: 'a1b2c3d4-0000-4000-8000-000000000001',
      name: 'Alice Example',
      email: 'alice@example.test',
      groups: ['staff', 'admins'],
    });
  });

  it('allows Authorization: Bearer (programs), and names the user by cognito:username without a name', async () => {
    const token = await idToken({ name: undefined, 'cognito:groups': undefined });
    const result = await authorizer()(event({ origin: PAGE, authorization: `Bearer ${token}` }));
    expect(effectOf(result)).toBe('Allow');
    expect(result.context).toMatchObject({ name: 'alice' });
    expect(result.context).not.toHaveProperty('groups');
  });

  it('never takes the token from the query string (it would reach logs)', async () => {
    const result = await authorizer()(event({ origin: PAGE }, { token: await idToken() }));
    expect(effectOf(result)).toBe('Deny');
  });

  it('accepts access tokens only when CHAT_COGNITO_TOKEN_USE=access (client_id, not aud)', async () => {
    const access = await idToken({ token_use: 'access', aud: undefined, client_id: CLIENT });
    expect(effectOf(await authorizer()(event(offered(access))))).toBe('Deny');
    expect(
      effectOf(await authorizer({ CHAT_COGNITO_TOKEN_USE: 'access' })(event(offered(access)))),
    ).toBe('Allow');
  });

  const forged: [string, () => Promise<string>][] = [
    ['expired', () => idToken({ exp: Math.floor(Date.now() / 1000) - 600 })],
    ['for another app client', () => idToken({ aud: 'another-client' })],
    ['an access token where an ID token is expected', () => idToken({ token_use: 'access' })],
    ['without token_use', () => idToken({ token_use: undefined })],
    [
      'from another user pool',
      () => idToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
    ],
    ['signed with an unknown kid', () => idToken({}, { key: strangerKey, kid: 'key-9' })],
    ['signed by another key under the known kid', () => idToken({}, { key: strangerKey })],
    [
      'alg none',
      async () => {
        const [, payload] = (await idToken()).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'key-1' })).toString(
          'base64url',
        );
        return `${header}.${payload}.`;
      },
    ],
    [
      'tampered (groups changed after signing)',
      async () => {
        const [header, payload, signature] = (await idToken()).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as object;
        const changed = Buffer.from(
          JSON.stringify({ ...claims, 'cognito:groups': ['admins', 'root'] }),
        ).toString('base64url');
        return `${header}.${changed}.${signature}`;
      },
    ],
  ];
  for (const [name, make] of forged)
    it(`denies a token ${name}, with a bare Deny (no context, no reason)`, async () => {
      const result = await authorizer()(event(offered(await make())));
      expect(effectOf(result)).toBe('Deny');
      expect(result.context).toBeUndefined();
      expect(result.principalId).toBe('anonymous');
      expect(JSON.stringify(result)).not.toMatch(/expired|kid|audience|client/i);
    });

  it('logs why a token was refused, never the token', async () => {
    const lines: string[] = [];
    const capture = {
      ...silentLogger,
      info: (msg: string, fields?: object) => void lines.push(JSON.stringify({ msg, ...fields })),
    };
    const config = loadCognitoAuthorizerConfig({
      CHAT_COGNITO_USER_POOL_ID: POOL,
      CHAT_COGNITO_CLIENT_ID: CLIENT,
    })!;
    const jwksCache = new SimpleJwksCache({
      fetcher: {
        fetch: () =>
          Promise.resolve(new TextEncoder().encode(JSON.stringify({ keys: [publicJwk] })).buffer),
      },
    });
    const authorize = createCognitoAuthorizer(config, capture, cognitoVerifier(config, jwksCache));
    const token = await idToken({ exp: Math.floor(Date.now() / 1000) - 600 });
    expect(effectOf(await authorize(event(offered(token))))).toBe('Deny');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/connection refused.*token not valid: .*expired/i);
    expect(lines[0]).not.toContain(token.split('.')[2]!);
  });

  it('denies a missing token and a foreign Origin', async () => {
    expect(effectOf(await authorizer()(event({ origin: PAGE })))).toBe('Deny');
    expect(
      effectOf(
        await authorizer()(event({ ...offered(await idToken()), origin: 'https://evil.example' })),
      ),
    ).toBe('Deny');
  });

  it('fetches the pool JWKS (here: locally) only for a kid it has not seen', async () => {
    const authorize = authorizer();
    const before = jwksFetches;
    await authorize(event(offered(await idToken())));
    await authorize(event(offered(await idToken())));
    expect(jwksFetches - before).toBe(1);
  });
});

describe('the token among offered subprotocols', () => {
  it('picks the JWT, ignores the chat subprotocol and non-JWT values', () => {
    expect(tokenOf({ 'sec-websocket-protocol': 'chatbot, aaa.bbb.ccc' })).toBe('aaa.bbb.ccc');
    expect(tokenOf({ 'sec-websocket-protocol': 'chatbot' })).toBeUndefined();
    expect(tokenOf({ 'sec-websocket-protocol': 'chatbot, not-a-jwt' })).toBeUndefined();
  });
});

describe('Cognito authorizer configuration fails fast, naming the variable', () => {
  it('is off without a pool id, and names what is wrong', () => {
    expect(loadCognitoAuthorizerConfig({})).toBeUndefined();
    expect(() => loadCognitoAuthorizerConfig({ CHAT_COGNITO_USER_POOL_ID: POOL })).toThrow(
      /CHAT_COGNITO_CLIENT_ID/,
    );
    expect(() =>
      loadCognitoAuthorizerConfig({
        CHAT_COGNITO_USER_POOL_ID: 'pool',
        CHAT_COGNITO_CLIENT_ID: 'c',
      }),
    ).toThrow(/CHAT_COGNITO_USER_POOL_ID/);
    expect(() =>
      loadCognitoAuthorizerConfig({
        CHAT_COGNITO_USER_POOL_ID: POOL,
        CHAT_COGNITO_CLIENT_ID: 'c',
        CHAT_COGNITO_TOKEN_USE: 'both',
      }),
    ).toThrow(/CHAT_COGNITO_TOKEN_USE/);
  });
});

describe('the authorizer entry point picks Cognito when a pool is configured', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetForTests();
  });

  it('then the shared token is no longer accepted', async () => {
    const shared = 'a-shared-token-of-32-characters!';
    vi.stubEnv('CHAT_AUTH_TOKEN', shared);
    vi.stubEnv('CHAT_AUTH_TOKEN_SECRET_ARN', '');
    vi.stubEnv('ALLOWED_ORIGINS', '');
    vi.stubEnv('LOG_LEVEL', 'error');
    resetForTests();
    expect(effectOf(await handler(event({}, { token: shared })))).toBe('Allow');
    vi.stubEnv('CHAT_COGNITO_USER_POOL_ID', POOL);
    vi.stubEnv('CHAT_COGNITO_CLIENT_ID', CLIENT);
    resetForTests();
    expect(effectOf(await handler(event({}, { token: shared })))).toBe('Deny');
    expect(effectOf(await handler(event({ authorization: `Bearer ${shared}` })))).toBe('Deny');
  });
});
