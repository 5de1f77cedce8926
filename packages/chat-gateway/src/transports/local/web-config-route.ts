import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './static-files.js';

/**
 * `GET /config.json` for the page this gateway serves: no `webSocketUrl`, so the page connects
 * to its own origin at `/ws` (right behind any proxy), and `auth: "probe"`, so a refused
 * handshake is explained by `/auth-check`. The page falls back to the same when the file is
 * absent; serving it keeps a 404 out of the browser's console. The CDK app writes its own.
 */
export const LOCAL_WEB_CONFIG = JSON.stringify({ auth: 'probe' });

export function answerWebConfig(res: ServerResponse): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
  res.end(LOCAL_WEB_CONFIG);
}
