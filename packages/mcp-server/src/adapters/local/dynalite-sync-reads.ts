/** The LevelDB database under dynalite, as far as synchronous reads touch it. */
export interface SyncReadableDb {
  status?: string;
  supports?: { getSync?: boolean };
  getSync?(key: string): unknown;
  get: (...args: unknown[]) => unknown;
}

/**
 * Makes dynalite's callback-style `get` read with LevelDB's `getSync` (classic-level and
 * memory-level have it). dynalite reads twice per item operation (the table's description, then
 * the item), and its async `get` pays for each a thread-pool round trip, a promise and a
 * `setImmediate`: most of a `read_record`'s time in the store. A LevelDB read of a cached block
 * is microseconds, and the store runs on its own thread, so reading in place costs the server's
 * thread nothing. The callback still runs on a later tick, as before. Writes are unchanged.
 * Without `getSync`, or while the database is not open, the original `get` answers.
 */
export function readSynchronously(db: SyncReadableDb): void {
  if (db.supports?.getSync !== true || typeof db.getSync !== 'function') return;
  const asyncGet = db.get;
  const getSync = db.getSync.bind(db);
  db.get = (...args: unknown[]): unknown => {
    const [key, callback] = args;
    if (args.length !== 2 || typeof callback !== 'function' || db.status !== 'open') {
      return asyncGet.apply(db, args);
    }
    let value: unknown;
    try {
      value = getSync(key as string);
    } catch (error) {
      process.nextTick(callback, error);
      return undefined;
    }
    process.nextTick(callback, null, value);
    return undefined;
  };
}
