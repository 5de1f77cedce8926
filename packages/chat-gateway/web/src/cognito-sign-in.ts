/**
 * Sign-in on AWS (`config.json` `auth: "cognito"`): the authorization code flow with PKCE
 * against the Cognito hosted UI, in the browser, with `oauth4webapi` (a maintained, certified
 * OAuth/OIDC client that runs on web APIs only). The page is a public client: no secret. The
 * ID token (it names the user; the `$connect` authorizer verifies it) and the refresh token
 * stay in this tab's sessionStorage; the ID token is refreshed before it expires, and when that
 * fails the user signs in again. The token reaches the WebSocket as a subprotocol offered beside
 * `chatbot`, never in the URL (which access logs and proxies keep).
 */
import * as oauth from 'oauth4webapi';
import { isLoopback, type CognitoSettings } from './cognito-settings.js';

/** Who is signed in, from the verified ID token's claims. */
export interface SignedInUser {
  name: string;
  email: string | null;
  sub: string;
}

interface Tokens {
  idToken: string;
  refreshToken?: string;
  /** Epoch ms at which the ID token expires. */
  expiresAt: number;
  user: SignedInUser;
}

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
}

const TOKENS_KEY = 'chat.cognito.tokens';
const PENDING_KEY = 'chat.cognito.pending';
/** One automatic redirect to sign in per half minute, so a failing setup cannot loop. */
const REDIRECT_KEY = 'chat.cognito.redirectAt';
/** Set by a sign-out: the page then offers "Sign in" instead of going to the hosted UI. */
const SIGNED_OUT_KEY = 'chat.cognito.signedOut';
/** Refreshed this long before expiry, so a reconnect never offers an expired token. */
const REFRESH_MARGIN_MS = 120_000;

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export class CognitoSignIn {
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly http: { [oauth.allowInsecureRequests]?: boolean };
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | undefined;

  constructor(
    private readonly settings: CognitoSettings,
    private readonly storage: Store,
    /** Called whenever the signed-in user changes (undefined: signed out). */
    private readonly onUser: (user: SignedInUser | undefined) => void,
  ) {
    this.as = {
      issuer: settings.issuer,
      authorization_endpoint: settings.authorizationEndpoint,
      token_endpoint: settings.tokenEndpoint,
    };
    this.client = { client_id: settings.clientId };
    // Only the loopback stand-in of the tests speaks plain http (checked in the parser too).
    this.http = isLoopback(new URL(settings.tokenEndpoint))
      ? { [oauth.allowInsecureRequests]: true }
      : {};
  }

  /**
   * At page load: finishes a sign-in the hosted UI sent back (`?code=…&state=…`), or restores
   * this tab's tokens, refreshing them when due. True when a valid ID token is at hand.
   */
  async start(location: Pick<Location, 'href'>): Promise<boolean> {
    const url = new URL(location.href);
    if (url.searchParams.has('state')) {
      const done = await this.finishSignIn(url).catch(() => false);
      // The code is single-use and the URL must not keep it: gone from the address bar.
      history.replaceState(null, '', url.pathname);
      if (done) return true;
    }
    const tokens = this.tokens();
    if (!tokens) return false;
    if (tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS) {
      this.signedIn(tokens);
      return true;
    }
    return this.refresh();
  }

  /** The ID token for the WebSocket handshake, while valid. */
  idToken(): string | undefined {
    const tokens = this.tokens();
    return tokens && tokens.expiresAt > Date.now() ? tokens.idToken : undefined;
  }

  /**
   * Sends the browser to the hosted UI. An automatic redirect happens once per half minute
   * (false when held back), so a failing setup cannot loop; a click always goes.
   */
  async signIn(options: { automatic?: boolean } = {}): Promise<boolean> {
    if (options.automatic) {
      if (this.storage.getItem(SIGNED_OUT_KEY)) return false;
      const last = Number(this.storage.getItem(REDIRECT_KEY) ?? 0);
      if (Date.now() - last < 30_000) return false;
    }
    this.storage.removeItem(SIGNED_OUT_KEY);
    this.storage.setItem(REDIRECT_KEY, String(Date.now()));
    const pending: Pending = {
      verifier: oauth.generateRandomCodeVerifier(),
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
    };
    this.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const target = new URL(this.settings.authorizationEndpoint);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    }).toString();
    window.location.assign(target.href);
    return true;
  }

  /** Forgets the tokens and signs out at the hosted UI, which sends the browser back here. */
  signOut(): void {
    clearTimeout(this.refreshTimer);
    this.storage.removeItem(TOKENS_KEY);
    this.storage.setItem(SIGNED_OUT_KEY, '1');
    this.onUser(undefined);
    const target = new URL(this.settings.logoutEndpoint);
    target.search = new URLSearchParams({
      client_id: this.settings.clientId,
      logout_uri: this.settings.redirectUri,
    }).toString();
    window.location.assign(target.href);
  }

  /**
   * A fresh ID token by the refresh token; false when there is none or it is refused (then
   * only signing in again helps). Concurrent callers share one request.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.tokens()?.refreshToken;
    if (!refreshToken) return false;
    try {
      const response = await oauth.refreshTokenGrantRequest(
        this.as,
        this.client,
        oauth.None(),
        refreshToken,
        this.http,
      );
      const result = await oauth.processRefreshTokenResponse(this.as, this.client, response);
      // Cognito answers a refresh without a new refresh token: the old one stays valid.
      return this.keep(result, refreshToken);
    } catch {
      this.storage.removeItem(TOKENS_KEY);
      this.onUser(undefined);
      return false;
    }
  }

  private async finishSignIn(url: URL): Promise<boolean> {
    const pending = this.pending();
    this.storage.removeItem(PENDING_KEY);
    if (!pending) return false;
    const params = oauth.validateAuthResponse(this.as, this.client, url, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      this.as,
      this.client,
      oauth.None(),
      params,
      this.settings.redirectUri,
      pending.verifier,
      this.http,
    );
    const result = await oauth.processAuthorizationCodeResponse(this.as, this.client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    return this.keep(result, result.refresh_token);
  }

  private keep(result: oauth.TokenEndpointResponse, refreshToken: string | undefined): boolean {
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!result.id_token || !claims) return false;
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
    const email = text(claims.email);
    const tokens: Tokens = {
      idToken: result.id_token,
      ...(refreshToken && { refreshToken }),
      expiresAt: claims.exp * 1000,
      user: {
        name: text(claims.name) ?? email ?? text(claims['cognito:username']) ?? claims.sub,
        email: email ?? null,
        sub: claims.sub,
      },
    };
    this.storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    this.signedIn(tokens);
    return true;
  }

  private signedIn(tokens: Tokens): void {
    this.onUser(tokens.user);
    clearTimeout(this.refreshTimer);
    const due = Math.max(tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS, 5_000);
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.min(due, 2 ** 31 - 1));
  }

  private tokens(): Tokens | undefined {
    return this.read<Tokens>(TOKENS_KEY, (t) => typeof t.idToken === 'string');
  }

  private pending(): Pending | undefined {
    return this.read<Pending>(PENDING_KEY, (p) => typeof p.verifier === 'string');
  }

  private read<T>(key: string, ok: (value: T) => boolean): T | undefined {
    try {
      const value = JSON.parse(this.storage.getItem(key) ?? 'null') as T | null;
      return value && ok(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
