import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalServerConfig } from '../../config.js';
import { SECURITY_HEADERS } from './static-files.js';
import { checkOrigin, presentedToken, tokenMatches } from './upgrade-guards.js';
import { LOGIN_PATH, type OidcSignIn } from './oidc/oidc-sign-in.js';

/**
 * `GET /auth-check`: what the WebSocket upgrade would answer this page, as an HTTP status the
 * page can read (a browser's WebSocket API never shows the status of a refused handshake).
 * 204: go ahead; 401: a token is needed or the one sent (`Authorization: Bearer`) is wrong;
 * 403: the page's address is not one the gateway accepts. The body says what to do. With
 * CHAT_OIDC_ISSUER, 401 without a signed-in identity carries `login`: where to sign in.
 */
export async function answerAuthCheck(
  req: IncomingMessage,
  res: ServerResponse,
  config: Pick<LocalServerConfig, 'allowedOrigins' | 'authToken'>,
  reachable: () => ReadonlySet<string>,
  signIn?: OidcSignIn,
): Promise<void> {
  const reply = (status: number, error?: string, login?: string): void => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      ...(error && { 'content-type': 'application/json' }),
    });
    res.end(error && JSON.stringify({ error, ...(login && { login }) }));
  };
  // The page's own origin, as its WebSocket handshake would send it.
  const host = req.headers.host ?? '';
  const origin = checkOrigin(
    { headers: { host, origin: `http://${host}` } } as IncomingMessage,
    config.allowedOrigins,
    reachable,
  );
  if (!origin.ok) return reply(403, `This address cannot open the chat: ${origin.reason}.`);
  if (signIn) {
    const who = await signIn.identify(req);
    if (!who.ok) return reply(401, 'Sign in to use the chat.', LOGIN_PATH);
  }
  if (config.authToken && !tokenMatches(presentedToken(req), config.authToken))
    return reply(
      401,
      'Enter the access token (CHAT_AUTH_TOKEN on the server); ask whoever runs the chat for it.',
    );
  reply(204);
}
