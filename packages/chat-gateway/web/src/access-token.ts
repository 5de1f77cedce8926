/**
 * The gateway's access token (CHAT_AUTH_TOKEN), when the operator set one: opened once as
 * `/#token=…`, kept in this tab's session storage and removed from the address bar, so it is
 * neither in the history nor sent to any server in a Referer. Browsers cannot set headers on a
 * WebSocket, so it travels as the `token` query parameter of the socket URL only.
 */
const KEY = 'chat.accessToken';

export function accessToken(storage: Pick<Storage, 'getItem' | 'setItem'>): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return storage.getItem(KEY) ?? undefined;
}

/** The token the user typed when the gateway asked for one: kept for this tab only. */
export function rememberAccessToken(storage: Pick<Storage, 'setItem'>, token: string): void {
  storage.setItem(KEY, token);
}
