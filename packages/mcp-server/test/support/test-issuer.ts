import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * A minimal authorization server on loopback for verifier tests: serves its metadata (at the
 * OpenID or the RFC 8414 address, as asked) and a JWKS whose keys a test can rotate. Tokens are
 * signed here with `sign`; real flows are tested against oidc-provider in the e2e test.
 */
export interface TestIssuer {
  issuer: string;
  /** Keys published in the JWKS; replace the array to rotate. */
  published: SigningKey[];
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** Paths requested, in order. */
  requests: string[];
  sign(claims: JWTPayload, key?: SigningKey): Promise<string>;
  close(): Promise<void>;
}

export async function newSigningKey(kid: string, alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey };
}

export async function startTestIssuer(
  options: { metadataAt?: 'openid' | 'oauth'; issuerOverride?: string } = {},
): Promise<TestIssuer> {
  const first = await newSigningKey('key-1');
  const state: { published: SigningKey[]; jwksFetches: number; requests: string[] } = {
    published: [first],
    jwksFetches: 0,
    requests: [],
  };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      state.requests.push(path);
      const metadataPath =
        options.metadataAt === 'oauth'
          ? '/.well-known/oauth-authorization-server'
          : '/.well-known/openid-configuration';
      if (path === metadataPath) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ issuer: options.issuerOverride ?? issuer, jwks_uri: `${issuer}/jwks` }),
        );
        return;
      }
      if (path === '/jwks') {
        state.jwksFetches++;
        const keys: JWK[] = [];
        for (const key of state.published) {
          keys.push({
            ...(await exportJWK(key.publicKey)),
            kid: key.kid,
            alg: key.alg,
            use: 'sig',
          });
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys }));
        return;
      }
      res.statusCode = 404;
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    get published() {
      return state.published;
    },
    set published(keys) {
      state.published = keys;
    },
    get jwksFetches() {
      return state.jwksFetches;
    },
    get requests() {
      return state.requests;
    },
    sign: (claims, key = state.published[0]!) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .sign(key.privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Claims of a valid access token for `audience`, valid for five minutes from now. */
export function accessClaims(issuer: string, audience: string, scope: string): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: audience, sub: 'user-1', scope, iat: now, exp: now + 300 };
}
