import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UpstreamError } from '../../errors.js';
import { DataDirLock } from './data-dir-lock.js';
import type { DirectRequest, DirectResponse } from './dynalite-direct.js';
import type { StoreHealth } from './dynalite-recovery.js';
import type {
  DynaliteWorkerData,
  DynaliteWorkerMessage,
  DynaliteWorkerReply,
} from './dynalite-worker.js';

/** A DynamoDB-compatible endpoint served from this process. */
export interface EmbeddedDynamoDb {
  /** HTTP on 127.0.0.1: for the AWS SDK and other processes. */
  endpoint: string;
  /** The same store without a socket, for clients in this process (LocalDynamoDbClient). */
  request: DirectRequest;
  /**
   * Whether the store takes writes. After a failed write (a full disk) it refuses them until it
   * has reopened its database, which it does by itself once the disk has room; this call tries
   * that first when it is due.
   */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

export interface EmbeddedDynamoDbOptions {
  dataDir: string;
  /** A throwaway store in memory (tests and benchmarks). */
  inMemory?: boolean;
  /**
   * Serve from a worker thread (the default), so the store's work runs beside this thread's.
   * `false` serves from this thread: tests that reach into LevelDB to inject faults.
   */
  thread?: boolean;
  /**
   * The data folder's lock, taken by the caller (who then learns at once that the folder is in
   * use, before the store starts); released on close. Taken here when absent.
   */
  lock?: DataDirLock;
}

/**
 * Starts dynalite (the DynamoDB API on LevelDB) in this process on 127.0.0.1, keeping its data
 * in `<dataDir>/records`. The same DynamoDB adapter then talks to it as to AWS.
 */
export async function startEmbeddedDynamoDb(
  options: EmbeddedDynamoDbOptions,
): Promise<EmbeddedDynamoDb> {
  const lock = options.inMemory
    ? undefined
    : (options.lock ?? DataDirLock.acquire(options.dataDir, 'records'));
  const data: DynaliteWorkerData = {
    ...(!options.inMemory && { path: join(options.dataDir, 'records') }),
    label: options.inMemory ? 'memory' : join(options.dataDir, 'records'),
  };
  try {
    const served = options.thread === false ? await inThisThread(data) : await inWorker(data);
    let closed = false;
    return {
      endpoint: `http://127.0.0.1:${served.port}`,
      request: (operation, body) =>
        closed
          ? Promise.reject(new UpstreamError('the embedded record store is closed'))
          : served.request(operation, body),
      health: () =>
        closed
          ? Promise.resolve({ writable: false, reason: 'the embedded record store is closed' })
          : served.health(),
      close: async () => {
        closed = true;
        await served.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

interface Served {
  port: number;
  request: DirectRequest;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

async function inThisThread(data: DynaliteWorkerData): Promise<Served> {
  // Loaded here only: with the worker, this thread never loads dynalite.
  const { startDynalite } = await import('./dynalite-storage.js');
  const { directRequests } = await import('./dynalite-direct.js');
  const { server, health, closeDb } = await startDynalite(data);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    request: directRequests(server),
    health,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => void closeDb().finally(resolve));
      }),
  };
}

/** Run from TypeScript source, the worker needs a loader: the module named here (tests set it). */
const SOURCE_LOADER_ENV = 'CHATBOT_TS_WORKER_LOADER';

/**
 * The built worker: next to this module in dist/adapters/local/, or, when this module is part of
 * the CLI's bundle at dist/'s root (scripts/bundle-cli.mjs), under that folder; the worker is
 * always a file of its own.
 */
function workerFile(): URL {
  const beside = new URL('./dynalite-worker.js', import.meta.url);
  return existsSync(beside)
    ? beside
    : new URL('./adapters/local/dynalite-worker.js', import.meta.url);
}

/** The worker thread, or undefined when run from source without a loader (then: this thread). */
function startWorker(data: DynaliteWorkerData): Worker | undefined {
  if (!import.meta.url.endsWith('.ts')) return new Worker(workerFile(), { workerData: data });
  const loader = process.env[SOURCE_LOADER_ENV];
  if (!loader) return undefined;
  const worker = new URL('./dynalite-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(loader)}).then((t) => { t.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

async function inWorker(data: DynaliteWorkerData): Promise<Served> {
  const worker = startWorker(data);
  if (!worker) return inThisThread(data);
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (reply: DynaliteWorkerReply) => {
      if (reply.type === 'listening') resolve(reply.port);
      else if (reply.type === 'failed') reject(new UpstreamError(reply.message));
    });
    worker.once('exit', (code) =>
      reject(new UpstreamError(`the embedded record store stopped while starting (exit ${code})`)),
    );
  });
  // A store thread must not keep the process alive on its own, only while answering.
  worker.unref();
  const pending = new Map<number, { resolve(r: DirectResponse): void; reject(e: Error): void }>();
  const checks = new Map<number, (health: StoreHealth) => void>();
  let nextId = 0;
  worker.on('message', (reply: DynaliteWorkerReply) => {
    if (reply.type === 'health') {
      checks.get(reply.id)?.(reply.health);
      checks.delete(reply.id);
      return;
    }
    if (reply.type !== 'response') return;
    pending.get(reply.id)?.resolve({ status: reply.status, body: reply.body });
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
  });
  worker.on('exit', () => {
    for (const p of pending.values()) {
      p.reject(new UpstreamError('the embedded record store stopped; start the server again'));
    }
    pending.clear();
    for (const check of checks.values()) {
      check({
        writable: false,
        reason: 'the embedded record store stopped; start the server again',
      });
    }
    checks.clear();
  });
  return {
    port,
    request: (operation, body) =>
      new Promise<DirectResponse>((resolve, reject) => {
        const id = nextId++;
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve, reject });
        const message: DynaliteWorkerMessage = { type: 'request', id, operation, body };
        worker.postMessage(message);
      }),
    health: () =>
      new Promise<StoreHealth>((resolve) => {
        const id = nextId++;
        checks.set(id, resolve);
        const message: DynaliteWorkerMessage = { type: 'health', id };
        worker.postMessage(message);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        const done = setTimeout(() => void worker.terminate().finally(resolve), 5_000);
        worker.once('exit', () => (clearTimeout(done), resolve()));
        worker.postMessage({ type: 'close' });
      }),
  };
}
