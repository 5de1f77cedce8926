import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { UpstreamError } from '../../errors.js';
import { cacheDynaliteExpressions } from './dynalite-expression-cache.js';
import { DynaliteRecovery, type DynaliteHandler, type StoreHealth } from './dynalite-recovery.js';
import { readSynchronously, type SyncReadableDb } from './dynalite-sync-reads.js';

/** The LevelDB database under dynalite, as far as this module touches it. */
interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
  [method: string]: unknown;
}

interface DynaliteStore {
  db: LevelDb;
}

/** Error type the embedded store answers with when its disk is full or failing. */
export const STORAGE_FULL = 'EmbeddedStorageFullException';
export const STORAGE_FAILED = 'EmbeddedStorageException';

const require = createRequire(import.meta.url);

/**
 * Starts dynalite over LevelDB at `path` and makes storage failures ordinary DynamoDB errors.
 * dynalite answers an error only when it carries `statusCode`; any other error from LevelDB (a
 * full disk: `LEVEL_IO_ERROR`; a database that failed to open) is re-thrown inside a callback
 * and ends the process. Every callback of the LevelDB wrapper gets such errors decorated here,
 * so the write fails with a 500 naming the cause and the server keeps serving. After a failed
 * write, writes are refused until the database has been reopened (dynalite-recovery.ts).
 */
export async function startDynalite(options: {
  path?: string;
  label: string;
}): Promise<{ server: Server; health: () => Promise<StoreHealth>; closeDb: () => Promise<void> }> {
  cacheDynaliteExpressions();
  // dynalite keeps its store private; capture it while dynalite creates it.
  const dbModule = require('dynalite/db/index.js') as {
    create: (this: void, o: unknown) => DynaliteStore;
  };
  const create = dbModule.create;
  let store: DynaliteStore | undefined;
  dbModule.create = (o) => (store = create(o));
  let server: Server;
  try {
    server = dynalite({
      ...(options.path !== undefined && { path: options.path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
  } finally {
    dbModule.create = create;
  }
  if (!store) throw new Error('dynalite did not create its store');
  readSynchronously(store.db as unknown as SyncReadableDb);
  guardStorageErrors(store.db, options.label);
  try {
    await store.db.open();
  } catch (error) {
    throw new UpstreamError(
      `cannot open the record store in ${options.label}: ${storageCause(error)}. ${
        isDiskFull(error)
          ? 'Free space on that disk (or move the data directory with --data-dir) and start again; the stored records are unchanged.'
          : 'Check that the folder is readable and writable and not used by another program, then start again.'
      }`,
      { cause: error },
    );
  }
  const db = store.db;
  const label = options.label;
  // dynalite's close marks its store closed for good; LevelDB's own close allows a reopen.
  const levelClose = (db.close as { _original?: () => Promise<void> })._original;
  const recovery = new DynaliteRecovery({
    db,
    closeForReopen: () => (levelClose ? levelClose() : db.close()),
    ...(options.path !== undefined && { path: options.path }),
    asServiceError: (error) => asServiceError(error, label),
    refusal: (cause, detail) => refusal(cause, detail, label),
    closedAnswer: (cause) => ({
      status: 500,
      body: JSON.stringify({
        __type: `com.chatbot.embedded#${isDiskFull(cause) ? STORAGE_FULL : STORAGE_FAILED}`,
        message: `the embedded store in ${label} is closed after a disk error (${storageCause(cause)}) and could not reopen yet; it tries again on the next request`,
      }),
    }),
  });
  const [handler] = server.listeners('request') as DynaliteHandler[];
  if (!handler) throw new Error('dynalite has no request handler');
  server.removeAllListeners('request');
  server.on('request', recovery.gate(handler));
  return {
    server,
    health: () => recovery.health(),
    closeDb: async () => {
      await recovery.settle();
      await db.close();
    },
  };
}

/** A write refused because an earlier one failed and the database has not been reopened yet. */
function refusal(cause: unknown, detail: string, label: string): Error {
  const full = isDiskFull(cause);
  return Object.assign(new Error(`refused after an earlier write failed: ${storageCause(cause)}`), {
    statusCode: 500,
    body: {
      __type: `com.chatbot.embedded#${full ? STORAGE_FULL : STORAGE_FAILED}`,
      message: full
        ? `no space left on the disk of the data directory (${label}); ${detail}`
        : `the embedded store cannot use its data directory (${label}): ${storageCause(cause)}; ${detail}`,
    },
  });
}

function guardStorageErrors(db: LevelDb, label: string): void {
  for (const method of ['put', 'get', 'del', 'batch']) {
    const original = db[method];
    if (typeof original !== 'function') continue;
    db[method] = (...args: unknown[]): unknown => {
      const callback = args.at(-1);
      if (typeof callback !== 'function') return original.apply(db, args) as unknown;
      return original.apply(db, [
        ...args.slice(0, -1),
        (error: unknown, ...rest: unknown[]) =>
          (callback as (...a: unknown[]) => unknown)(asServiceError(error, label), ...rest),
      ]) as unknown;
    };
  }
}

function asServiceError(error: unknown, label: string): unknown {
  if (!(error instanceof Error)) return error;
  if ('statusCode' in error || error.name === 'NotFoundError') return error;
  const full = isDiskFull(error);
  return Object.assign(error, {
    statusCode: 500,
    body: {
      __type: `com.chatbot.embedded#${full ? STORAGE_FULL : STORAGE_FAILED}`,
      message: full
        ? `no space left on the disk of the data directory (${label}); nothing was written`
        : `the embedded store cannot use its data directory (${label}): ${storageCause(error)}`,
    },
  });
}

function causes(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    out.push(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`);
  }
  return out;
}

function isDiskFull(error: unknown): boolean {
  return causes(error).some((m) => /ENOSPC|no space left/i.test(m));
}

/** The innermost message, which names what the file system said (not a stack or a path). */
function storageCause(error: unknown): string {
  if (isDiskFull(error)) return 'no space left on the device';
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message.replace(/^IO error: /, '') : String(e);
}
