import { SignJWT, exportSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, createJwtVerifier } from '../../src/http/jwt-verifier.js';
import {
  accessClaims,
  newSigningKey,
  startTestIssuer,
  type TestIssuer,
} from '../support/test-issuer.js';

const AUDIENCE = 'http://127.0.0.1:3000/mcp';

/** The verifier against a JWKS served by a real HTTP server on loopback. */
describe('JWT access token verifier (issuer on loopback)', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  const verifier = () => createJwtVerifier({ issuer: issuer.issuer, clockToleranceSec: 30 });
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a valid token and reads its scopes', async () => {
    const token = await issuer.sign(accessClaims(issuer.issuer, AUDIENCE, 'mcp:read openid'));
    const verified = await verifier().verify(token, AUDIENCE);
    expect([...verified.scopes].sort()).toEqual(['mcp:read', 'openid']);
    expect(verified.subject).toBe('user-1');
  });

  it('reads the issuer and the groups claim (named by groupsClaim, default groups)', async () => {
    const token = await issuer.sign({
      ...accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'),
      groups: ['staff', 7, 'finance'],
      'cognito:groups': ['admins'],
    });
    const plain = await verifier().verify(token, AUDIENCE);
    expect(plain.issuer).toBe(issuer.issuer);
    expect(plain.groups).toEqual(['staff', 'finance']);
    const cognito = createJwtVerifier({
      issuer: issuer.issuer,
      clockToleranceSec: 30,
      groupsClaim: 'cognito:groups',
    });
    expect((await cognito.verify(token, AUDIENCE)).groups).toEqual(['admins']);
    const none = await issuer.sign(accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'));
    expect((await verifier().verify(none, AUDIENCE)).groups).toEqual([]);
  });

  it('reads scopes from an scp array too', async () => {
    const claims = accessClaims(issuer.issuer, AUDIENCE, '');
    delete claims.scope;
    const token = await issuer.sign({ ...claims, scp: ['mcp:write'] });
    expect([...(await verifier().verify(token, AUDIENCE)).scopes]).toEqual(['mcp:write']);
  });

  it('tolerates small clock skew on exp', async () => {
    const token = await issuer.sign({
      ...accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'),
      exp: now() - 5,
    });
    await expect(verifier().verify(token, AUDIENCE)).resolves.toBeDefined();
  });

  const refusals: [string, () => Promise<string>][] = [
    [
      'expired',
      () => issuer.sign({ ...accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'), exp: now() - 120 }),
    ],
    [
      'not yet valid',
      () => issuer.sign({ ...accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'), nbf: now() + 120 }),
    ],
    [
      'for another audience',
      () => issuer.sign(accessClaims(issuer.issuer, 'https://other.example/mcp', 'mcp:read')),
    ],
    [
      'from another issuer',
      () => issuer.sign(accessClaims('https://evil.example', AUDIENCE, 'mcp:read')),
    ],
    [
      'without exp',
      () => {
        const claims = accessClaims(issuer.issuer, AUDIENCE, 'mcp:read');
        delete claims.exp;
        return issuer.sign(claims);
      },
    ],
    [
      'signed by a key the issuer does not publish (unknown kid)',
      async () =>
        issuer.sign(
          accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'),
          await newSigningKey('stray'),
        ),
    ],
    [
      'signed by an unpublished key under a published kid',
      async () =>
        issuer.sign(
          accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'),
          await newSigningKey('key-1'),
        ),
    ],
    [
      'alg none',
      () => {
        const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return Promise.resolve(
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64(accessClaims(issuer.issuer, AUDIENCE, 'mcp:write'))}.`,
        );
      },
    ],
    [
      'HS256 with the public key as the secret',
      async () => {
        const key = issuer.published[0]!;
        const pem = await exportSPKI(key.publicKey);
        // Algorithm confusion: a verifier that trusts the header's alg would HMAC with the key.
        return new SignJWT(accessClaims(issuer.issuer, AUDIENCE, 'mcp:write'))
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .sign(new TextEncoder().encode(pem));
      },
    ],
    [
      'with a tampered payload',
      async () => {
        const [header, , signature] = (
          await issuer.sign(accessClaims(issuer.issuer, AUDIENCE, 'mcp:read'))
        ).split('.');
        const forged = Buffer.from(
          JSON.stringify(accessClaims(issuer.issuer, AUDIENCE, 'mcp:read mcp:write')),
        ).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
    ],
    ['that is not a JWT', () => Promise.resolve('not-a-jwt')],
  ];

  it.each(refusals)('refuses a token %s with InvalidTokenError', async (_name, make) => {
    const token = await make();
    const error = await verifier()
      .verify(token, AUDIENCE)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InvalidTokenError);
  });

  it('picks up a rotated key by its new kid', async () => {
    const rotating = await startTestIssuer();
    try {
      const v = createJwtVerifier({
        issuer: rotating.issuer,
        clockToleranceSec: 30,
        jwksCooldownMs: 0,
      });
      const old = await rotating.sign(accessClaims(rotating.issuer, AUDIENCE, 'mcp:read'));
      await v.verify(old, AUDIENCE);
      expect(rotating.jwksFetches).toBe(1);
      const next = await newSigningKey('key-2');
      rotating.published = [next];
      const fresh = await rotating.sign(accessClaims(rotating.issuer, AUDIENCE, 'mcp:read'), next);
      await expect(v.verify(fresh, AUDIENCE)).resolves.toBeDefined();
      expect(rotating.jwksFetches).toBe(2);
    } finally {
      await rotating.close();
    }
  });

  it('finds the JWKS through RFC 8414 metadata as well as OpenID discovery', async () => {
    const oauthOnly = await startTestIssuer({ metadataAt: 'oauth' });
    try {
      const v = createJwtVerifier({ issuer: oauthOnly.issuer, clockToleranceSec: 30 });
      const token = await oauthOnly.sign(accessClaims(oauthOnly.issuer, AUDIENCE, 'mcp:read'));
      await expect(v.verify(token, AUDIENCE)).resolves.toBeDefined();
      expect(oauthOnly.requests[0]).toBe('/.well-known/oauth-authorization-server');
    } finally {
      await oauthOnly.close();
    }
  });

  it('rejects metadata that names another issuer (not as an invalid token: the server is misconfigured)', async () => {
    const mismatched = await startTestIssuer({ issuerOverride: 'https://elsewhere.example' });
    try {
      const v = createJwtVerifier({ issuer: mismatched.issuer, clockToleranceSec: 30 });
      const token = await mismatched.sign(accessClaims(mismatched.issuer, AUDIENCE, 'mcp:read'));
      const error = await v.verify(token, AUDIENCE).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).not.toBeInstanceOf(InvalidTokenError);
      expect(String(error)).toMatch(
        /names issuer "https:\/\/elsewhere\.example".*MCP_OAUTH_ISSUER/,
      );
    } finally {
      await mismatched.close();
    }
  });
});
