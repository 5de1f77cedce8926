import { createServer } from 'node:net';

/**
 * Fails with the operating system's listen error (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`) when
 * `host:port` cannot be bound, so a busy port is reported before the gateway opens its data
 * directory (the record store's lock, the MCP socket) only to close it again. The probe is
 * closed at once; a process that takes the port in the moment before the gateway listens is
 * still reported, by the real listen, after the stores opened. Port 0 (any free port) is not
 * checked.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
