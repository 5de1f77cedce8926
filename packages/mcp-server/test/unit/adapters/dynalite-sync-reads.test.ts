import { describe, expect, it } from 'vitest';
import {
  readSynchronously,
  type SyncReadableDb,
} from '../../../src/adapters/local/dynalite-sync-reads.js';

/** A LevelDB stand-in that records which read path answered. */
function fakeDb(options: { getSync?: boolean; status?: string } = {}) {
  const data = new Map<string, unknown>([['table~sessions', { TableStatus: 'ACTIVE' }]]);
  const calls = { async: 0, sync: 0 };
  const db: SyncReadableDb = {
    status: options.status ?? 'open',
    supports: { getSync: options.getSync ?? true },
    getSync: (key: string) => {
      calls.sync++;
      if (key === 'broken') throw Object.assign(new Error('bad'), { code: 'LEVEL_DECODE_ERROR' });
      return data.get(key);
    },
    get: (...args: unknown[]) => {
      calls.async++;
      const [key, callback] = args as [string, (e: Error | null, v?: unknown) => void];
      setImmediate(callback, null, data.get(key));
    },
  };
  return { db, calls };
}

const read = (db: SyncReadableDb, key: string) =>
  new Promise<{ error: Error | null; value: unknown; sameTick: boolean }>((resolve) => {
    let returned = false;
    db.get(key, (error: Error | null, value?: unknown) =>
      resolve({ error, value, sameTick: !returned }),
    );
    returned = true;
  });

describe('readSynchronously (dynalite reads through LevelDB getSync)', () => {
  it('answers get from getSync, on a later tick, without the async path', async () => {
    const { db, calls } = fakeDb();
    readSynchronously(db);
    expect(await read(db, 'table~sessions')).toEqual({
      error: null,
      value: { TableStatus: 'ACTIVE' },
      sameTick: false,
    });
    expect(await read(db, 'missing')).toEqual({ error: null, value: undefined, sameTick: false });
    expect(calls).toEqual({ async: 0, sync: 2 });
  });

  it('passes getSync errors (e.g. a value that does not decode) to the callback', async () => {
    const { db } = fakeDb();
    readSynchronously(db);
    const { error } = await read(db, 'broken');
    expect((error as Error & { code?: string }).code).toBe('LEVEL_DECODE_ERROR');
  });

  it('keeps the async get without getSync support or while the database is not open', async () => {
    for (const options of [{ getSync: false }, { status: 'closing' }]) {
      const { db, calls } = fakeDb(options);
      readSynchronously(db);
      expect((await read(db, 'table~sessions')).value).toEqual({ TableStatus: 'ACTIVE' });
      expect(calls).toEqual({ async: 1, sync: 0 });
    }
  });
});
