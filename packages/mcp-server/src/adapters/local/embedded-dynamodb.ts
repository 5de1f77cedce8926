import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { DataDirLock } from './data-dir-lock.js';
import { startDynalite } from './dynalite-storage.js';

/** A DynamoDB-compatible endpoint served from this process. */
export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite (the DynamoDB API on LevelDB) in-process on 127.0.0.1, keeping its data in
 * `<dataDir>/records`. The same DynamoDB adapter then talks to it as to AWS. `inMemory` is for
 * tests and benchmarks that want a throwaway store.
 */
export async function startEmbeddedDynamoDb(options: {
  dataDir: string;
  inMemory?: boolean;
}): Promise<EmbeddedDynamoDb> {
  const lock = options.inMemory ? undefined : DataDirLock.acquire(options.dataDir, 'records');
  const path = options.inMemory ? undefined : join(options.dataDir, 'records');
  let server: Server;
  try {
    server = await startDynalite({ ...(path !== undefined && { path }), label: path ?? 'memory' });
  } catch (error) {
    lock?.release();
    throw error;
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => {
          lock?.release();
          resolve();
        });
      }),
  };
}
