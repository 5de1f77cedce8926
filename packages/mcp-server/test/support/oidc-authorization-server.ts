import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

export interface TestAuthorizationServer {
  issuer: string;
  /** The MCP resource tokens are issued for; set once the MCP server's URL is known. */
  resource: string;
  /** The scopes the user may be granted at the next authorization (of those asked). */
  consent: string[];
  /** The `scope` parameter of each authorization request, in order. */
  requestedScopes: string[];
  /** Whom the next authorization logs in (default `user-1`). */
  account: string;
  /** The `groups` claim of each account's access tokens (none when not listed). */
  groups: Record<string, string[]>;
  close(): Promise<void>;
}

/**
 * oidc-provider (a certified OpenID provider) on loopback, set up as an MCP authorization
 * server: dynamic client registration, PKCE, resource indicators (RFC 8707) issuing JWT access
 * tokens for the MCP resource with `mcp:read` / `mcp:write`. The login and consent pages are
 * replaced by an interaction handler that logs in `account` (`user-1`) and grants `consent` at once, so a
 * client can go through the whole browser flow by following redirects.
 */
export async function startTestAuthorizationServer(): Promise<TestAuthorizationServer> {
  const state = {
    resource: '',
    consent: ['mcp:read', 'mcp:write'],
    requestedScopes: [] as string[],
    account: 'user-1',
    groups: {} as Record<string, string[]>,
  };
  // The issuer URL (with its port) must exist before the provider does: listen first.
  let handle: RequestListener = () => undefined;
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: 'as-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-key'] },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    extraTokenClaims: (_ctx, token) => {
      const groups = 'accountId' in token ? state.groups[String(token.accountId)] : undefined;
      return groups ? { groups } : undefined;
    },
    // Listed here too, or dynamic registration refuses a client asking for them.
    scopes: ['openid', 'mcp:read', 'mcp:write'],
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => state.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== state.resource) throw new errors.InvalidTarget();
          return {
            // The scopes this user may have: oidc-provider drops the others from the token.
            scope: state.consent.join(' '),
            audience: state.resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  const callback = provider.callback();
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      void callback(req, res);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const clientId = String(details.params.client_id);
        const scope = typeof details.params.scope === 'string' ? details.params.scope : '';
        const asked = scope.split(' ');
        state.requestedScopes.push(scope);
        const grant = new provider.Grant({ accountId: state.account, clientId });
        // Granted as OP scopes as well, since they are listed in `scopes`; what reaches the
        // access token is decided by the resource server's scope below.
        grant.addOIDCScope(asked.join(' '));
        grant.addResourceScope(
          state.resource,
          asked.filter((s) => state.consent.includes(s)),
        );
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: state.account }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    })();
  };

  return {
    issuer,
    get resource() {
      return state.resource;
    },
    set resource(value) {
      state.resource = value;
    },
    get consent() {
      return state.consent;
    },
    set consent(value) {
      state.consent = value;
    },
    get requestedScopes() {
      return state.requestedScopes;
    },
    get account() {
      return state.account;
    },
    set account(value) {
      state.account = value;
    },
    get groups() {
      return state.groups;
    },
    set groups(value) {
      state.groups = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
