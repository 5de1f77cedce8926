/**
 * The gateway's access token (CHAT_AUTH_TOKEN), when the operator set one: opened once as
 * `/#token=…`, kept in this tab's session storage and removed from the address bar, so it is
 * neither in the history nor sent to any server in a Referer. Browsers cannot set headers on a
 * WebSocket, so it travels as the `token` query parameter of the socket URL only.
 */
export function accessToken(storage: Storage): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    storage.setItem('chat.accessToken', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return storage.getItem('chat.accessToken') ?? undefined;
}
