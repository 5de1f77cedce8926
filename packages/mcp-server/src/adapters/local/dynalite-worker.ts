/**
 * The embedded record store's thread: dynalite (the DynamoDB API on LevelDB) served on
 * 127.0.0.1 from a worker thread, so its request parsing, expression evaluation and LevelDB work
 * run beside the server's own thread instead of taking turns with it. Started by
 * `embedded-dynamodb.ts`; speaks to it with the messages below. This process's clients send
 * operations as messages (no socket); the HTTP port serves the AWS SDK and other processes.
 */
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { directRequests, type DirectResponse } from './dynalite-direct.js';
import type { StoreHealth } from './dynalite-recovery.js';
import { startDynalite } from './dynalite-storage.js';

export interface DynaliteWorkerData {
  path?: string;
  label: string;
}

/** To the worker: one operation for the direct channel, a health check, or stop. */
export type DynaliteWorkerMessage =
  | { type: 'request'; id: number; operation: string; body: string }
  | { type: 'health'; id: number }
  | { type: 'close' };

/**
 * From the worker: listening on `port`, or failed to start (the error's name and message); the
 * answer to request `id`.
 */
export type DynaliteWorkerReply =
  | { type: 'listening'; port: number }
  | { type: 'failed'; name: string; message: string }
  | { type: 'closed' }
  | ({ type: 'response'; id: number } & DirectResponse)
  | { type: 'health'; id: number; health: StoreHealth };

const port = parentPort;
if (!port) throw new Error('dynalite-worker.ts runs as a worker thread only');
const options = workerData as DynaliteWorkerData;
const reply = (message: DynaliteWorkerReply): void => port.postMessage(message);

try {
  const store = await startDynalite(options);
  await new Promise<void>((resolve, reject) => {
    store.server.once('error', reject);
    store.server.listen(0, '127.0.0.1', () => resolve());
  });
  const direct = directRequests(store.server);
  port.on('message', (message: DynaliteWorkerMessage) => {
    if (message.type === 'request') {
      void direct(message.operation, message.body).then((r) =>
        reply({ type: 'response', id: message.id, ...r }),
      );
      return;
    }
    if (message.type === 'health') {
      void store.health().then((health) => reply({ type: 'health', id: message.id, health }));
      return;
    }
    store.server.closeAllConnections();
    store.server.close(() => {
      void store.closeDb().finally(() => {
        reply({ type: 'closed' });
        port.close();
      });
    });
  });
  reply({ type: 'listening', port: (store.server.address() as AddressInfo).port });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  reply({ type: 'failed', name: e.name, message: e.message });
  port.close();
}
