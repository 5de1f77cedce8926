import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'chatbot-mcp-server/core';
import * as client from 'openid-client';
import type { OidcConfig } from '../../../config.js';
import type { Identity } from '../../../ports/session-store.js';
import { SECURITY_HEADERS } from '../static-files.js';
import { BearerTokenError, createBearerVerifier, identityOf } from './bearer-verifier.js';
import { cookie, cookieValue, WebSessions } from './web-sessions.js';

export const SESSION_COOKIE = 'chat_session';
const LOGIN_COOKIE = 'chat_login';
/** What `/auth-check`, `/auth/me` and a refused page answer: where to sign in. */
export const LOGIN_PATH = '/auth/login';

export interface OidcSignInOptions {
  config: OidcConfig;
  allowedOrigins: readonly string[];
  reachable: () => ReadonlySet<string>;
  logger: Logger;
  /** How long a browser stays signed in. Default 8 hours. */
  sessionMs?: number;
  /** Tests: JWKS refetch cooldown for an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
}

/** Who a request is: a signed-in browser (its web session id) or a program with a bearer token. */
export type Identified =
  { ok: true; identity: Identity; webSessionId?: string } | { ok: false; reason: string };

interface Provider {
  config: client.Configuration;
  verifyBearer: (token: string) => Promise<Identity>;
}

/**
 * Sign-in with an OpenID Connect provider: the browser routes under `/auth/` (authorization
 * code + PKCE by `openid-client`) and the identity of an upgrade or `/auth-check` request.
 */
export class OidcSignIn {
  readonly sessions: WebSessions;
  private provider: Promise<Provider> | undefined;
  private readonly signedOut = new Set<(webSessionId: string) => void>();

  constructor(private readonly options: OidcSignInOptions) {
    this.sessions = new WebSessions(options.sessionMs ?? 8 * 3_600_000, 10 * 60_000);
  }

  /** Called with the web session id on sign-out, so its open sockets can be closed. */
  onSignOut(listener: (webSessionId: string) => void): void {
    this.signedOut.add(listener);
  }

  /**
   * The identity behind the session cookie or else the `Authorization: Bearer` JWT. The cookie
   * comes first: a page may still send a stale CHAT_AUTH_TOKEN it kept from before sign-in.
   */
  async identify(req: IncomingMessage): Promise<Identified> {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const session = this.sessions.get(id);
    if (session && id) return { ok: true, identity: session.identity, webSessionId: id };
    const header = req.headers.authorization;
    if (header !== undefined) {
      if (!header.startsWith('Bearer ')) return { ok: false, reason: 'not a Bearer authorization' };
      let provider: Provider;
      try {
        provider = await this.discover();
      } catch (error) {
        return { ok: false, reason: `the sign-in provider cannot be reached: ${String(error)}` };
      }
      try {
        return { ok: true, identity: await provider.verifyBearer(header.slice(7).trim()) };
      } catch (error) {
        return {
          ok: false,
          reason: error instanceof BearerTokenError ? error.reason : 'bearer token refused',
        };
      }
    }
    return { ok: false, reason: id ? 'sign-in expired' : 'not signed in' };
  }

  /** Answers `/auth/*`; false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    if (path === '/auth/me' && method === 'GET') return this.me(req, res);
    if (path === '/auth/login' && method === 'GET') return this.login(req, res);
    if (path === '/auth/callback' && method === 'GET') return this.callback(req, res);
    if (path === '/auth/logout' && method === 'POST') return this.logout(req, res);
    if (path.startsWith('/auth/')) {
      reply(res, 405, {
        error: 'use GET /auth/login, /auth/callback, /auth/me or POST /auth/logout',
      });
      return true;
    }
    return false;
  }

  private async me(req: IncomingMessage, res: ServerResponse): Promise<true> {
    const who = await this.identify(req);
    if (!who.ok) reply(res, 401, { error: 'Sign in to use the chat.', login: LOGIN_PATH });
    else
      reply(res, 200, {
        issuer: who.identity.issuer,
        sub: who.identity.subject,
        name: who.identity.name ?? null,
        email: who.identity.email ?? null,
        groups: who.identity.groups ?? [],
      });
    return true;
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<true> {
    const base = this.baseUrl(req);
    if (!base) return forbidden(res);
    let provider: Provider;
    try {
      provider = await this.discover();
    } catch (error) {
      this.options.logger.error('sign-in provider unreachable', { message: String(error) });
      reply(res, 503, {
        error: 'The sign-in provider cannot be reached right now; try again in a moment.',
      });
      return true;
    }
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const redirectUri = `${base}/auth/callback`;
    const state = this.sessions.startLogin({ codeVerifier, nonce, redirectUri });
    const target = client.buildAuthorizationUrl(provider.config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.writeHead(302, {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      location: target.href,
      // Binds the callback to this browser: a callback link planted by someone else fails.
      'set-cookie': cookie(LOGIN_COOKIE, state, {
        secure: base.startsWith('https:'),
        maxAgeSeconds: 600,
        path: '/auth/callback',
      }),
    });
    res.end();
    return true;
  }

  private async callback(req: IncomingMessage, res: ServerResponse): Promise<true> {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const state = query.get('state') ?? '';
    const login =
      state !== '' && cookieValue(req.headers.cookie, LOGIN_COOKIE) === state
        ? this.sessions.takeLogin(state)
        : undefined;
    if (!login) {
      text(
        res,
        400,
        `This sign-in expired or was started in another browser; sign in again at ${LOGIN_PATH}.`,
      );
      return true;
    }
    const current = new URL(login.redirectUri);
    current.search = query.toString();
    let identity: Identity;
    let idToken: string | undefined;
    try {
      const provider = await this.discover();
      const tokens = await client.authorizationCodeGrant(provider.config, current, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('no ID token');
      identity = identityOf(claims, this.options.config.groupsClaim);
      idToken = tokens.id_token;
    } catch (error) {
      this.options.logger.warn('sign-in failed', {
        message: error instanceof Error ? error.message : String(error),
      });
      text(res, 401, `Sign-in failed at the provider; try again at ${LOGIN_PATH}.`);
      return true;
    }
    const { id } = this.sessions.create(identity, idToken);
    const secure = login.redirectUri.startsWith('https:');
    res.writeHead(302, {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      location: new URL('/', login.redirectUri).pathname,
      'set-cookie': [
        cookie(SESSION_COOKIE, id, { secure, maxAgeSeconds: this.sessionSeconds() }),
        cookie(LOGIN_COOKIE, '', { secure, maxAgeSeconds: 0, path: '/auth/callback' }),
      ],
    });
    res.end();
    this.options.logger.info('signed in', { issuer: identity.issuer, subject: identity.subject });
    return true;
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<true> {
    // A cross-site form must not sign the user out: browsers send Origin on every POST.
    const base = this.baseUrl(req);
    const origin = req.headers.origin;
    const sameSite =
      origin !== undefined &&
      (origin === new URL(base ?? 'http://invalid').origin ||
        this.options.allowedOrigins.includes(origin));
    if (!base || !sameSite) return forbidden(res);
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const session = id ? this.sessions.delete(id) : undefined;
    if (id && session) for (const listener of this.signedOut) listener(id);
    let redirect = '/';
    try {
      const provider = await this.discover();
      if (provider.config.serverMetadata().end_session_endpoint)
        redirect = client.buildEndSessionUrl(provider.config, {
          post_logout_redirect_uri: `${base}/`,
          ...(session?.idToken && { id_token_hint: session.idToken }),
        }).href;
    } catch {
      // Signed out here in any case; the provider's own session stays.
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      'content-type': 'application/json',
      'set-cookie': cookie(SESSION_COOKIE, '', {
        secure: base.startsWith('https:'),
        maxAgeSeconds: 0,
      }),
    });
    res.end(JSON.stringify({ redirect }));
    return true;
  }

  /** CHAT_PUBLIC_URL, or this request's own address when it is one the gateway listens on. */
  private baseUrl(req: IncomingMessage): string | undefined {
    if (this.options.config.publicUrl) return this.options.config.publicUrl;
    const host = req.headers.host?.toLowerCase();
    if (!host) return undefined;
    try {
      const url = new URL(`http://${host}`);
      return this.options.reachable().has(url.hostname) ? url.origin : undefined;
    } catch {
      return undefined;
    }
  }

  private sessionSeconds(): number {
    return Math.floor((this.options.sessionMs ?? 8 * 3_600_000) / 1000);
  }

  /** Discovery once; a failure is retried by the next request rather than kept. */
  private discover(): Promise<Provider> {
    this.provider ??= (async () => {
      const { config: oidc } = this.options;
      const issuer = new URL(oidc.issuer);
      const configuration = await client.discovery(
        issuer,
        oidc.clientId,
        oidc.clientSecret,
        oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None(),
        {
          timeout: 10,
          // http:// is accepted by the configuration only on a loopback address.
          ...(issuer.protocol === 'http:' && { execute: [client.allowInsecureRequests] }),
        },
      );
      const metadata = configuration.serverMetadata();
      if (!metadata.jwks_uri) throw new Error('the provider publishes no jwks_uri');
      return {
        config: configuration,
        verifyBearer: createBearerVerifier({
          issuer: metadata.issuer,
          audience: oidc.audience,
          jwksUri: new URL(metadata.jwks_uri),
          groupsClaim: oidc.groupsClaim,
          ...(this.options.jwksCooldownMs !== undefined && {
            jwksCooldownMs: this.options.jwksCooldownMs,
          }),
        }),
      };
    })();
    this.provider.catch(() => {
      this.provider = undefined;
    });
    return this.provider;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    'content-type': 'application/json',
  });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    'content-type': 'text/plain; charset=utf-8',
  });
  res.end(message);
}

function forbidden(res: ServerResponse): true {
  reply(res, 403, {
    error: 'This address or page cannot use the sign-in; open the chat at its own address.',
  });
  return true;
}
