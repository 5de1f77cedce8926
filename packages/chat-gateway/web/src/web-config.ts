/**
 * Where the page connects, read from `config.json` next to the page. The CDK app writes one at
 * deploy time (the page is on CloudFront, the WebSocket on API Gateway: two origins); the local
 * gateway serves none, and a 404 means "the gateway that served this page, at /ws".
 * Never holds a secret: the access token is typed in or passed as `#token=`.
 */

import { parseCognitoSettings, type CognitoSettings } from './cognito-settings.js';

/** How the page learns it needs an access token. */
export type AuthMode =
  /** Ask the gateway (`GET /auth-check`) why a handshake failed: the local gateway. */
  | 'probe'
  /** A token is always needed and there is nothing to ask (API Gateway): prompt for it. */
  | 'token'
  /** No token: a refused handshake is retried like a network problem. */
  | 'none'
  /** Sign-in at the Cognito hosted UI (`cognito` settings): see `cognito-sign-in.ts`. */
  | 'cognito';

export interface WebConfig {
  /** `ws:` or `wss:` URL, without the token. */
  webSocketUrl: string;
  auth: AuthMode;
  /** Shown until the gateway's `session` frame names the chat. */
  title?: string;
  /** With `auth: "cognito"`: the user pool's sign-in settings. */
  cognito?: CognitoSettings;
  /** Uploads go to a private bucket with a presigned form (the CDK app), not `POST /upload`. */
  upload?: { mode: 'presigned' };
}

/** The page's origin as `location` gives it. */
export interface PageLocation {
  protocol: string;
  host: string;
}

/** Thrown for a `config.json` that is present but unusable; the message says what to fix. */
export class WebConfigError extends Error {
  override readonly name = 'WebConfigError';
}

/** The local gateway's defaults: its own origin, `/ws`, and `/auth-check` to explain refusals. */
export function defaultWebConfig(page: PageLocation): WebConfig {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return { webSocketUrl: `${scheme}//${page.host}/ws`, auth: 'probe' };
}

/**
 * Checks a parsed `config.json`. Unknown keys are ignored (room for later settings); a wrong
 * one fails, because connecting somewhere unintended would be worse than not connecting.
 */
export function parseWebConfig(body: unknown, page: PageLocation): WebConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WebConfigError('config.json must hold a JSON object.');
  }
  const raw = body as Record<string, unknown>;
  const config = defaultWebConfig(page);
  if (raw['webSocketUrl'] !== undefined) {
    const value = raw['webSocketUrl'];
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'wss:' && url.protocol !== 'ws:') || url.hash || url.search) {
      throw new WebConfigError(
        `config.json: webSocketUrl must be a ws:// or wss:// URL without query or fragment, not ${JSON.stringify(value)}.`,
      );
    }
    if (url.protocol === 'ws:' && page.protocol === 'https:') {
      throw new WebConfigError(
        'config.json: a page served over https can only connect to a wss:// webSocketUrl.',
      );
    }
    config.webSocketUrl = url.href;
  }
  if (raw['auth'] !== undefined) {
    const auth = raw['auth'];
    if (auth !== 'probe' && auth !== 'token' && auth !== 'none' && auth !== 'cognito') {
      throw new WebConfigError(
        `config.json: auth must be "token", "probe", "none" or "cognito", not ${JSON.stringify(auth)}.`,
      );
    }
    config.auth = auth;
    if (auth === 'cognito') {
      try {
        config.cognito = parseCognitoSettings(raw['cognito']);
      } catch (error) {
        throw new WebConfigError(error instanceof Error ? error.message : String(error));
      }
    }
  }
  if (raw['upload'] !== undefined) {
    const upload: unknown = raw['upload'];
    const mode: unknown =
      typeof upload === 'object' && upload !== null
        ? (upload as Record<string, unknown>)['mode']
        : undefined;
    if (mode !== 'presigned' && mode !== 'gateway') {
      throw new WebConfigError(
        `config.json: upload.mode must be "presigned" or "gateway", not ${JSON.stringify(mode)}.`,
      );
    }
    if (mode === 'presigned') config.upload = { mode };
  }
  if (typeof raw['title'] === 'string' && raw['title'].trim()) {
    config.title = raw['title'].trim().slice(0, 200);
  }
  return config;
}

/** The part of `fetch` used here (typed apart: Node's RequestInit, for the tests, lacks `cache`). */
export type FetchConfig = (
  url: string,
  init: { cache: 'no-store' },
) => Promise<Pick<Response, 'status' | 'ok' | 'json'>>;

function browserFetch(url: string, init: { cache: 'no-store' }): Promise<Response> {
  // Widened so the file also compiles against Node's fetch types (the unit tests).
  const options: object = init;
  return fetch(url, options);
}

/**
 * Fetches `./config.json` (never cached: a redeploy may point elsewhere). Absent (404) → the
 * defaults; any other failure throws, naming the status.
 */
export async function loadWebConfig(
  page: PageLocation,
  fetchFn: FetchConfig = browserFetch,
): Promise<WebConfig> {
  const res = await fetchFn('./config.json', { cache: 'no-store' });
  if (res.status === 404) return defaultWebConfig(page);
  if (!res.ok) {
    throw new WebConfigError(`config.json could not be read (HTTP ${res.status}); reload later.`);
  }
  const body: unknown = await res.json().catch(() => {
    throw new WebConfigError('config.json is not valid JSON.');
  });
  return parseWebConfig(body, page);
}

/** The socket URL with the token as the `token` query parameter (browsers cannot set headers). */
export function socketUrl(config: WebConfig, token: string | undefined): string {
  if (!token) return config.webSocketUrl;
  const url = new URL(config.webSocketUrl);
  url.searchParams.set('token', token);
  return url.href;
}
