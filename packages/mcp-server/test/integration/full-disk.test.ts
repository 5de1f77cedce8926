import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { UpstreamError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { connectClient, type ConnectedClient } from '../support/in-process.js';
import { callError, callOk, callTool, textOf } from '../support/tool-results.js';

/**
 * A full disk under the embedded record store (dynalite on LevelDB): a write fails with
 * UPSTREAM naming the cause, the process and its other tools go on, start-up on a full disk
 * exits with one clear message, and no acknowledged write is lost, also when space is freed
 * while the server runs (the store then reopens its database by itself and takes writes again). Once on a real full disk (a
 * 2 MB tmpfs; mounting needs root, as in CI) and once by fault injection into LevelDB.
 */

const isRoot = process.getuid?.() === 0;

async function open(
  dataDir: string,
  options: { embeddedStoreInThisThread?: boolean } = {},
): Promise<{ runtime: Runtime; session: ConnectedClient }> {
  const runtime = await createRuntime(loadConfig({}, { dataDir }), silentLogger, options);
  return { runtime, session: await connectClient(runtime.registry) };
}

async function shut(server: { runtime: Runtime; session: ConnectedClient }): Promise<void> {
  await server.session.close();
  await server.runtime.close();
}

const big = (i: number): Record<string, unknown> => ({ id: `n${i}`, text: `${i}`.repeat(40_000) });

describe.runIf(isRoot)('on a full tmpfs (root only)', () => {
  let mount: string;
  let dataDir: string;

  beforeAll(() => {
    mount = mkdtempSync(join(tmpdir(), 'mcp-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    dataDir = join(mount, 'data');
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mount]);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('refuses the write with UPSTREAM, keeps serving, refuses start-up clearly, loses nothing', async () => {
    const server = await open(dataDir);
    const client = server.session.client;
    const acknowledged: string[] = [];
    let closed = false;
    onTestFinished(async () => {
      if (!closed) await shut(server);
    });
    let refusal = '';
    for (let i = 0; i < 200 && !refusal; i++) {
      const result = await callTool(client, 'create_record', { table: 'notes', data: big(i) });
      if (result.isError) refusal = textOf(result);
      else acknowledged.push(`n${i}`);
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refusal).toMatch(/^UPSTREAM: .*no space left on the disk of the data directory/);
    expect(refusal).toContain(join(dataDir, 'records'));

    // Reads and the other tools go on.
    const first = await callOk(client, 'read_record', { table: 'notes', record_id: 'n0' });
    expect((first.record as { text: string }).text).toBe(big(0).text);
    await callOk(client, 'list_records', { table: 'notes', limit: 5 });
    expect(
      await callError(client, 'update_record', {
        table: 'notes',
        record_id: 'n0',
        data: { more: 'x'.repeat(40_000) },
      }),
    ).toMatch(/^UPSTREAM: .*no space left/);
    const ingest = await callTool(client, 'ingest_document', {
      source: 'full.md',
      content: '# Full\n\n' + 'words '.repeat(50_000),
    });
    expect(ingest.isError ? textOf(ingest) : 'stored').toMatch(/^UPSTREAM: |^stored$/);
    closed = true;
    await shut(server);

    // Start-up while the disk is still full: one clear message, no crash.
    try {
      for (let i = 0; ; i++) writeFileSync(join(mount, `filler-${i}`), Buffer.alloc(64 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const failure = await createRuntime(loadConfig({}, { dataDir }), silentLogger).then(
      async (runtime) => {
        await runtime.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UpstreamError);
    // The lock file or LevelDB's own files: either way one message naming the place and the cause.
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^cannot (open the record store in|write the lock file) ${dataDir}.*no space left on the device. free space`,
        'i',
      ),
    );

    // Space freed (LevelDB needs room to compact its log on open): every acknowledged write is there.
    execFileSync('sh', ['-c', `rm -f '${mount}'/filler-*`]);
    execFileSync('mount', ['-o', 'remount,size=16m', mount]);
    const again = await open(dataDir);
    for (const id of acknowledged) {
      const read = await callOk(again.session.client, 'read_record', {
        table: 'notes',
        record_id: id,
      });
      expect((read.record as { id: string }).id).toBe(id);
    }
    await callOk(again.session.client, 'create_record', { table: 'notes', data: { id: 'after' } });
    await shut(again);
  });
});

describe.runIf(isRoot).each([
  { variant: 'worker thread', embeddedStoreInThisThread: false },
  { variant: 'this thread', embeddedStoreInThisThread: true },
])(
  'space freed while running, store in the $variant (root only)',
  ({ embeddedStoreInThisThread }) => {
    let mount: string;
    let dataDir: string;

    beforeAll(() => {
      mount = mkdtempSync(join(tmpdir(), 'mcp-freed-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
      dataDir = join(mount, 'data');
    });
    afterAll(() => {
      try {
        execFileSync('umount', [mount]);
      } finally {
        rmSync(mount, { recursive: true, force: true });
      }
    });

    it('every write acknowledged after the disk filled and was freed is there after a restart', async () => {
      const server = await open(dataDir, { embeddedStoreInThisThread });
      const client = server.session.client;
      const acknowledged: string[] = [];
      let closed = false;
      onTestFinished(async () => {
        if (!closed) await shut(server);
      });
      let refusals = 0;
      for (let i = 0; i < 200 && refusals < 3; i++) {
        const result = await callTool(client, 'create_record', { table: 'notes', data: big(i) });
        if (result.isError) {
          refusals++;
          expect(textOf(result)).toMatch(/^UPSTREAM: .*(no space left|restart)/);
        } else acknowledged.push(`n${i}`);
      }
      expect(refusals).toBe(3);

      // Space freed while the server runs; writes go on, each answered honestly.
      execFileSync('mount', ['-o', 'remount,size=16m', mount]);
      const afterFree: string[] = [];
      for (let i = 0; i < 20; i++) {
        const id = `after-${i}`;
        const result = await callTool(client, 'create_record', {
          table: 'notes',
          data: { id, text: 'kept'.repeat(2_000) },
        });
        if (!result.isError) afterFree.push(id);
      }
      // Recovers by itself once there is room again.
      expect(afterFree).toHaveLength(20);
      closed = true;
      await shut(server);

      const again = await open(dataDir, { embeddedStoreInThisThread });
      try {
        for (const id of [...acknowledged, ...afterFree]) {
          const read = await callTool(again.session.client, 'read_record', {
            table: 'notes',
            record_id: id,
          });
          expect(read.isError ? `${id}: ${textOf(read)}` : id).toBe(id);
        }
      } finally {
        await shut(again);
      }
    });
  },
);

describe.runIf(isRoot)('LevelDB stuck after a failed background flush (root only)', () => {
  let mount: string;
  let dataDir: string;

  beforeAll(() => {
    mount = mkdtempSync(join(tmpdir(), 'mcp-sticky-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
    dataDir = join(mount, 'data');
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mount]);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  /** The size of LevelDB's current log: what its memtable holds (at least). */
  const currentLog = (): number => {
    const logs = readdirSync(join(dataDir, 'records'))
      .filter((n) => n.endsWith('.log'))
      .sort();
    return statSync(join(dataDir, 'records', logs.at(-1)!)).size;
  };

  it('takes writes again by itself once space is freed, and keeps them', async () => {
    const server = await open(dataDir, { embeddedStoreInThisThread: true });
    const client = server.session.client;
    let closed = false;
    onTestFinished(async () => {
      if (!closed) await shut(server);
    });
    // A memtable past LevelDB's 4 MiB write buffer: the next write must flush it to a table.
    const acknowledged: string[] = [];
    for (let i = 0; currentLog() < 4 * 1024 * 1024; i++) {
      await callOk(client, 'create_record', {
        table: 'notes',
        data: { id: `m${i}`, text: `${i % 10}`.repeat(100_000) },
      });
      acknowledged.push(`m${i}`);
    }
    // Full disk: that flush fails in the background, which LevelDB makes every later write fail.
    try {
      for (let i = 0; ; i++) writeFileSync(join(mount, `filler-${i}`), Buffer.alloc(64 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    expect(await callError(client, 'create_record', { table: 'notes', data: big(0) })).toMatch(
      /^UPSTREAM: .*no space left/,
    );

    execFileSync('sh', ['-c', `rm -f '${mount}'/filler-*`]);
    await expect
      .poll(
        async () => {
          const r = await callTool(client, 'create_record', {
            table: 'notes',
            data: { id: 'after' },
          });
          return r.isError ? textOf(r) : 'stored';
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe('stored');
    acknowledged.push('after');
    closed = true;
    await shut(server);

    const again = await open(dataDir, { embeddedStoreInThisThread: true });
    try {
      for (const id of acknowledged) {
        const read = await callTool(again.session.client, 'read_record', {
          table: 'notes',
          record_id: id,
        });
        expect(read.isError ? `${id}: ${textOf(read)}` : id).toBe(id);
      }
    } finally {
      await shut(again);
    }
  }, 120_000);
});

describe('by fault injection into LevelDB (any user)', () => {
  // LevelDB's put, as dynalite's level package reaches it.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const fromLevel = createRequire(fromDynalite.resolve('level'));
  const { ClassicLevel } = fromLevel('classic-level') as {
    ClassicLevel: { prototype: { _put: (...args: unknown[]) => Promise<void> } };
  };
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcp-fault-'));
    mkdirSync(dataDir, { recursive: true });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a failing disk write is UPSTREAM; the server goes on and the earlier write is kept', async () => {
    // Patched here, LevelDB fails only for a store served from this thread.
    const server = await open(dataDir, { embeddedStoreInThisThread: true });
    const client = server.session.client;
    await callOk(client, 'create_record', { table: 'notes', data: { id: 'kept', n: 1 } });
    const put = ClassicLevel.prototype._put;
    ClassicLevel.prototype._put = () =>
      Promise.reject(
        Object.assign(
          new Error(`IO error: ${dataDir}/records/000003.log: No space left on device`),
          {
            code: 'LEVEL_IO_ERROR',
          },
        ),
      );
    try {
      expect(
        await callError(client, 'create_record', { table: 'notes', data: { id: 'lost' } }),
      ).toMatch(/^UPSTREAM: the record store could not write: no space left on the disk/);
      expect(
        await callError(client, 'update_record', {
          table: 'notes',
          record_id: 'kept',
          data: { n: 2 },
        }),
      ).toMatch(/^UPSTREAM: /);
    } finally {
      ClassicLevel.prototype._put = put;
    }
    const kept = await callOk(client, 'read_record', { table: 'notes', record_id: 'kept' });
    expect(kept.record).toMatchObject({ id: 'kept', n: 1, version: 1 });
    await callError(client, 'read_record', { table: 'notes', record_id: 'lost' });
    // The disk works again: the store reopens its database by itself (at most once a second)
    // and takes writes.
    await expect
      .poll(
        async () => {
          const r = await callTool(client, 'create_record', {
            table: 'notes',
            data: { id: 'after' },
          });
          return r.isError ? textOf(r) : 'stored';
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe('stored');
    await shut(server);
    const again = await open(dataDir, { embeddedStoreInThisThread: true });
    for (const id of ['kept', 'after']) {
      await callOk(again.session.client, 'read_record', { table: 'notes', record_id: id });
    }
    await shut(again);
  });
});
