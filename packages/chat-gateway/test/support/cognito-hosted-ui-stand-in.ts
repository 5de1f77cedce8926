/**
 * A LOCAL STAND-IN FOR THE COGNITO HOSTED UI: `oidc-provider` (a certified OpenID Connect
 * implementation) on 127.0.0.1, speaking the same protocol as Cognito's managed login for the
 * page (authorization code + PKCE, public client, refresh tokens, CORS on the token endpoint)
 * and issuing ID tokens in Cognito's format: `iss` is a user pool's issuer
 * (`https://cognito-idp.us-east-1.amazonaws.com/{poolId}`, an identifier only: the page never
 * fetches discovery), `aud` the app client, `token_use: "id"`, `cognito:groups`,
 * `cognito:username`. Login and consent are finished programmatically for `nextUser`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { handleWithInteractions } from './oidc-test-provider.js';

export const POOL_ID = 'us-east-1_StandIn01';
export const POOL_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
export const PAGE_CLIENT_ID = 'chat-page-client';

const USERS: Record<string, { name: string; email: string; groups: string[] }> = {
  alice: { name: 'Alice Example', email: 'alice@example.test', groups: ['staff', 'admins'] },
  bob: { name: 'Bob Example', email: 'bob@example.test', groups: ['staff'] },
};

export interface HostedUiStandIn {
  /** `http://127.0.0.1:{port}`: where the endpoints are served. */
  origin: string;
  /** The public signing key set (what `{issuer}/.well-known/jwks.json` serves at Cognito). */
  jwks: { keys: JWK[] };
  nextUser: string;
  /** Successful token endpoint calls, by grant type. */
  grants: string[];
  /** An ID token for `user` as Cognito issues it, signed by the pool key (for program clients). */
  idToken(user: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startHostedUiStandIn(options: {
  redirectUri: string;
  idTokenTtlSeconds: number;
}): Promise<HostedUiStandIn> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const key: JWK = {
    ...(await exportJWK(privateKey)),
    kid: 'pool-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  const publicJwk: JWK = {
    ...(await exportJWK(publicKey)),
    kid: 'pool-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  const grants: string[] = [];
  const state = { nextUser: 'alice' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: PAGE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [key] },
    cookies: { keys: ['stand-in-cookie-key'] },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    // Cognito always issues a refresh token with the code grant, and keeps it on refresh.
    issueRefreshToken: () => true,
    rotateRefreshToken: false,
    ttl: { IdToken: options.idTokenTtlSeconds, AccessToken: 3600, RefreshToken: 86_400 },
    claims: {
      openid: ['sub', 'token_use', 'cognito:groups', 'cognito:username'],
      profile: ['name'],
      email: ['email'],
    },
    findAccount: (_ctx, id) => {
      const user = USERS[id];
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          token_use: 'id',
          'cognito:groups': user.groups,
          'cognito:username': id,
          name: user.name,
          email: user.email,
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
  };
  const provider = new Provider(POOL_ISSUER, configuration);
  provider.on('grant.success', (ctx: { oidc: { params?: { grant_type?: unknown } } }) => {
    grants.push(String(ctx.oidc.params?.grant_type));
  });
  const server = createServer(handleWithInteractions(provider, () => state.nextUser));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    jwks: { keys: [publicJwk] },
    grants,
    get nextUser() {
      return state.nextUser;
    },
    set nextUser(user: string) {
      state.nextUser = user;
    },
    async idToken(user, ttlSeconds = 3600) {
      const u = USERS[user]!;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        token_use: 'id',
        'cognito:groups': u.groups,
        'cognito:username': user,
        name: u.name,
        email: u.email,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'pool-key-1' })
        .setIssuer(POOL_ISSUER)
        .setAudience(PAGE_CLIENT_ID)
        .setSubject(user)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
