/**
 * A real OpenID Connect provider (`oidc-provider`, a certified implementation) on loopback for
 * the sign-in tests. Login and consent are finished programmatically for `nextUser` (no login
 * form); `gateway` is a public client (PKCE required), `program` a confidential client that gets
 * JWT access tokens for the gateway's audience by the client-credentials grant. `rotateKeys()`
 * replaces the signing key (the JWKS then names only the new `kid`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export const AUDIENCE = 'urn:chat:gateway';
export interface TestUser {
  name: string;
  email: string;
  groups: string[];
}

export interface TestProvider {
  issuer: string;
  /** The private signing key now published (to forge tokens with wrong claims). */
  signingKey(): JWK;
  /** Whom the next interaction signs in. */
  nextUser: string;
  /** The gateway's redirect and post-logout URIs: set before the first sign-in. */
  setGatewayUrl(url: string): void;
  rotateKeys(): Promise<void>;
  /** A JWT access token for AUDIENCE from the client-credentials grant. */
  programToken(): Promise<string>;
  close(): Promise<void>;
}

const USERS: Record<string, TestUser> = {
  alice: { name: 'Alice Example', email: 'alice@example.test', groups: ['staff', 'admins'] },
  bob: { name: 'Bob Example', email: 'bob@example.test', groups: ['staff', 'sales'] },
};

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

export async function startTestProvider(): Promise<TestProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let key = await newKey('key-1');
  let gatewayUrl = 'http://127.0.0.1:1';
  const state = { nextUser: 'alice' };

  const build = (): Provider => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: 'gateway',
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${gatewayUrl}/auth/callback`],
          post_logout_redirect_uris: [`${gatewayUrl}/`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
        {
          client_id: 'program',
          client_secret: 'program-secret-for-tests-only',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      jwks: { keys: [key] },
      cookies: { keys: ['test-cookie-key'] },
      pkce: { required: () => true },
      conformIdTokenClaims: false,
      claims: {
        openid: ['sub'],
        profile: ['name', 'groups'],
        email: ['email'],
      },
      findAccount: (_ctx, id) => {
        const user = USERS[id];
        if (!user) return undefined;
        return { accountId: id, claims: () => ({ sub: id, ...user }) };
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        rpInitiatedLogout: { enabled: true, logoutSource: autoSubmitLogout },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'chat',
            audience: AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
          }),
        },
      },
    };
    const provider = new Provider(issuer, configuration);
    handler = handleWithInteractions(provider, () => state.nextUser, {
      oidcScope: 'openid profile email',
      resources: { [AUDIENCE]: 'chat' },
    });
    return provider;
  };
  build();

  return {
    issuer,
    signingKey: () => key,
    get nextUser() {
      return state.nextUser;
    },
    set nextUser(user: string) {
      state.nextUser = user;
    },
    setGatewayUrl(url) {
      gatewayUrl = url;
      build();
    },
    async rotateKeys() {
      key = await newKey(`key-${Date.now()}`);
      build();
    },
    async programToken() {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('program:program-secret-for-tests-only').toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'chat',
          resource: AUDIENCE,
        }),
      });
      const body = (await res.json()) as { access_token?: string; error_description?: string };
      if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a finished consent grants besides the client's OIDC scopes. */
export interface Consent {
  /** OIDC scopes to grant; the ones the client requested (or `openid`) when absent. */
  oidcScope?: string;
  /** Resource indicator → scope, for JWT access tokens to that audience. */
  resources?: Record<string, string>;
}

/**
 * The provider's request handler with its interactions (`/interaction/{uid}`) finished for
 * `nextUser()` (login, then consent as `consent` says) instead of showing a form.
 */
export function handleWithInteractions(
  provider: Provider,
  nextUser: () => string,
  consent: Consent = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const callback = provider.callback();
  return (req, res) => {
    if (!/^\/interaction\/[^/?]+/.test(req.url ?? '')) return void callback(req, res);
    void finishInteraction(provider, req, res, nextUser(), consent).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  };
}

/** Signs `user` in and grants the scopes, as a user clicking through would. */
async function finishInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  user: string,
  consent: Consent,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant =
    existing ??
    new provider.Grant({
      accountId: details.session!.accountId,
      clientId: String(details.params.client_id),
    });
  const requested = details.params.scope;
  grant.addOIDCScope(consent.oidcScope ?? (typeof requested === 'string' ? requested : 'openid'));
  for (const [resource, scope] of Object.entries(consent.resources ?? {})) {
    grant.addResourceScope(resource, scope);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}

/** The end-session page's confirmation form, submitted by itself (a test has no user to click). */
function autoSubmitLogout(ctx: { body: unknown }, form: string): Promise<void> {
  ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
  return Promise.resolve();
}
