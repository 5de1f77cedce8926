import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRecordStore } from '../../src/adapters/aws/dynamodb-record-store.js';
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../../src/adapters/local/embedded-dynamodb.js';
import { ConfigError } from '../../src/errors.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import { defaultTables } from '../../src/tables/tables-file.js';
import { expectFailure } from '../support/expect-failure.js';
import { connectWithTables } from '../support/record-backends.js';

const tables = defaultTables({
  sessions: 'persist-sessions',
  conversations: 'persist-conversations',
  analytics: 'persist-analytics',
});

/** The embedded store as the CLI runs it: dynalite on LevelDB in a data folder. */
describe('embedded store on disk', () => {
  let dataDir: string;
  const running: EmbeddedDynamoDb[] = [];

  async function start(): Promise<EmbeddedDynamoDb> {
    const store = await startEmbeddedDynamoDb({ dataDir, inMemory: false });
    running.push(store);
    return store;
  }

  async function stop(store: EmbeddedDynamoDb): Promise<void> {
    running.splice(running.indexOf(store), 1);
    await store.close();
  }

  async function withService<T>(
    store: EmbeddedDynamoDb,
    use: (s: RecordService) => Promise<T>,
  ): Promise<T> {
    const client = await connectWithTables(store.endpoint, tables);
    try {
      return await use(
        new RecordService({
          tables: new TableRegistry(tables),
          store: new DynamoDbRecordStore({ client }),
        }),
      );
    } finally {
      client.destroy();
    }
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcp-records-'));
  });

  afterEach(async () => {
    for (const store of running.splice(0)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps records across close and restart', async () => {
    const first = await start();
    const created = await withService(first, async (service) => {
      await service.create('conversations', { sessionId: 's1', messageId: 'm1', text: 'hello' });
      return service.create('sessions', { sessionId: 's1', owner: 'alice' });
    });
    await stop(first);
    expect(existsSync(join(dataDir, 'records.lock'))).toBe(false);

    const second = await start();
    await withService(second, async (service) => {
      expect(await service.read('sessions', { record_id: 's1' })).toEqual(created);
      expect(
        (await service.read('conversations', { key: { sessionId: 's1', messageId: 'm1' } })).text,
      ).toBe('hello');
      expect(
        (await service.update('sessions', { record_id: 's1' }, { owner: 'bob' }, 1)).version,
      ).toBe(2);
    });
    await stop(second);

    const third = await start();
    await withService(third, async (service) => {
      expect(await service.read('sessions', { record_id: 's1' })).toMatchObject({
        owner: 'bob',
        version: 2,
      });
    });
  });

  it('refuses a second start on the same folder while the first runs, naming the folder', async () => {
    const first = await start();
    const error = await expectFailure(start(), ConfigError);
    expect(error.message).toContain(dataDir);
    // The refused start must not have broken the running store.
    await withService(first, async (service) => {
      await service.create('sessions', { sessionId: 'still-works' });
      expect((await service.read('sessions', { record_id: 'still-works' })).version).toBe(1);
    });
  });

  it('refuses a folder locked by another live process, naming the folder and the process', async () => {
    writeFileSync(join(dataDir, 'records.lock'), String(process.ppid));
    const error = await expectFailure(start(), ConfigError);
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain(`pid ${process.ppid}`);
  });

  it.runIf(existsSync('/proc/self/cmdline'))(
    'a lock whose pid now belongs to another program names the lock file and how to clear it',
    async () => {
      const other = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const lockFile = join(dataDir, 'records.lock');
        writeFileSync(lockFile, String(other.pid));
        const error = await expectFailure(start(), ConfigError);
        expect(error.message).toContain(`lock file ${lockFile} names pid ${other.pid}`);
        expect(error.message).toContain('sleep 30');
        expect(error.message).not.toContain('another chatbot-mcp-server');
        expect(error.message).toMatch(/delete .*records\.lock and start again/);
        expect(existsSync(lockFile)).toBe(true); // never removed behind the user's back
      } finally {
        other.kill();
      }
    },
  );

  it('takes over a lock left behind by a process that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'records.lock'), String(gone));
    const store = await start();
    await withService(store, async (service) => {
      expect((await service.create('sessions', {})).version).toBe(1);
    });
  });
});
