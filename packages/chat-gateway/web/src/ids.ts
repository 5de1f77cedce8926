/**
 * Client message ids (`^[A-Za-z0-9_.:-]{1,128}$`). getRandomValues rather than randomUUID:
 * randomUUID exists only in secure contexts, and the gateway may be opened over plain http on a
 * LAN address.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
