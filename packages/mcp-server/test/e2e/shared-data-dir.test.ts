import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLI_PATH,
  assertBuilt,
  childEnv,
  connectStdio,
  makeTempDir,
  removeDir,
  type StdioServer,
} from '../support/cli-process.js';
import { RawStdioServer } from '../support/raw-stdio.js';
import { callError, callOk, callTool, searchOk } from '../support/tool-results.js';

let dataDir: string;
const servers: StdioServer[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function start(): Promise<StdioServer> {
  const server = await connectStdio({
    command: process.execPath,
    args: [CLI_PATH, '--data-dir', dataDir],
  });
  servers.push(server);
  return server;
}

/** Waits until `check` passes (the stderr of a process that is doing something by itself). */
async function eventually(check: () => void, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const socketPath = (): string => join(dataDir, 'mcp-socket', 'mcp.sock');

beforeAll(assertBuilt);
beforeEach(async () => {
  dataDir = await makeTempDir('mcp-shared');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await removeDir(dataDir);
});

describe('a second stdio server on a data directory that a running server holds', () => {
  it('attaches to the holder: records and documents written through one are read through the other, with identical tools and results', async () => {
    const holder = await start();
    const attached = await start();
    expect(attached.stderr()).toContain(`attached to pid ${holder.pid} at ${socketPath()}`);

    expect((await attached.client.listTools()).tools).toEqual(
      (await holder.client.listTools()).tools,
    );
    expect(attached.client.getServerVersion()).toEqual(holder.client.getServerVersion());
    expect(attached.client.getInstructions()).toEqual(holder.client.getInstructions());

    const created = (await callOk(attached.client, 'create_record', {
      table: 'notes',
      data: { text: 'written through the attached server' },
    })) as { record: { id: string } };
    const key = { table: 'notes', record_id: created.record.id };
    expect(await callOk(holder.client, 'read_record', key)).toEqual(created);
    expect(await callTool(attached.client, 'read_record', key)).toEqual(
      await callTool(holder.client, 'read_record', key),
    );
    // Errors are the holder's own results, word for word.
    const missing = { table: 'notes', record_id: 'no-such-record' };
    expect(await callError(attached.client, 'read_record', missing)).toBe(
      await callError(holder.client, 'read_record', missing),
    );

    await callOk(holder.client, 'ingest_document', {
      source: 'shared/quokkas.md',
      content: '# Quokkas\n\nQuokkas live on Rottnest Island and are active at night.',
    });
    const { results } = await searchOk(attached.client, { query: 'where do quokkas live' });
    expect(results[0]?.source).toBe('shared/quokkas.md');
  });

  it('serves its socket to its owner only (folder 0700, socket 0600)', async () => {
    await start();
    expect((await stat(join(dataDir, 'mcp-socket'))).mode & 0o777).toBe(0o700);
    const socket = await stat(socketPath());
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  });

  it('takes the folder over when the holder stops, and the session goes on', async () => {
    const holder = await start();
    const attached = await start();
    const created = (await callOk(holder.client, 'create_record', {
      table: 'notes',
      data: { text: 'kept' },
    })) as { record: { id: string } };
    await holder.close();
    await eventually(() => expect(attached.stderr()).toContain('took over'));
    expect(
      await callOk(attached.client, 'read_record', {
        table: 'notes',
        record_id: created.record.id,
      }),
    ).toEqual(created);
    // It serves the folder now: a third server attaches to it.
    const third = await start();
    expect(third.stderr()).toContain(`attached to pid ${attached.pid} at`);
    // Three server starts, a shutdown and a takeover: on a loaded CI machine this took over 30 s.
  }, 90_000);

  it('replaces the stale socket and lock of a holder that was killed', async () => {
    const killed = await start();
    process.kill(killed.pid!, 'SIGKILL');
    await eventually(() => expect(isRunning(killed.pid!)).toBe(false));
    expect((await stat(socketPath())).isSocket()).toBe(true); // left behind

    const holder = await start();
    expect(holder.stderr()).not.toContain('attached');
    const attached = await start();
    expect(attached.stderr()).toContain(`attached to pid ${holder.pid} at`);
    await callOk(attached.client, 'list_records', { table: 'notes' });
  });
});

describe('a holder that goes away without a successor', () => {
  /**
   * A fake holder: the lock file names this (live) test process, so the attached server can
   * neither attach elsewhere nor take the folder over, and the socket answers `initialize`
   * and keeps every other request waiting, until the test drops the connection.
   */
  async function fakeHolder(): Promise<{ drop(): void }> {
    await mkdir(join(dataDir, 'mcp-socket'), { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'records.lock'), String(process.pid));
    const connections: Socket[] = [];
    const server = createServer((socket) => {
      connections.push(socket);
      socket.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const message = JSON.parse(line) as { id?: string; method: string; params: unknown };
          if (message.method !== 'initialize') continue;
          const { protocolVersion } = message.params as { protocolVersion: string };
          const result = {
            protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'fake-holder', version: '0' },
          };
          socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n`);
        }
      });
    });
    server.listen(socketPath());
    await once(server, 'listening');
    const drop = (): void => {
      server.close();
      connections.forEach((s) => s.destroy());
    };
    cleanups.push(() => Promise.resolve(drop()));
    return { drop };
  }

  it('answers the request in flight and later ones with a JSON-RPC error saying what happened, and takes over once the folder is free', async () => {
    const holder = await fakeHolder();
    const attached = await RawStdioServer.start(dataDir);
    cleanups.unshift(() => attached.close());
    expect(attached.stderr()).toContain(`attached to pid ${process.pid}`);

    const inFlight = attached.callTool('list_records', { table: 'notes' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    holder.drop();
    const lost = await inFlight;
    expect(lost.error?.code).toBe(-32000);
    expect(lost.error?.message).toContain(`that held ${dataDir} (pid ${process.pid}) stopped`);
    expect(lost.error?.message).toMatch(/read before retrying a write/);

    // The folder stays locked by a live pid: after waiting, it gives up and says what to do.
    await eventually(() => expect(attached.stderr()).toContain('could not take the folder over'));
    const later = await attached.callTool('list_records', { table: 'notes' });
    expect(later.error?.message).toMatch(/restart this MCP server$/);

    // Once the folder is free, the next request takes it over and is served.
    await removeDir(join(dataDir, 'records.lock'));
    const served = await attached.callTool('list_records', { table: 'notes' });
    expect(served.error).toBeUndefined();
    expect(served.result?.structuredContent).toEqual({ records: [] });
    expect(attached.stderr()).toContain('took over');
  }, 90_000);

  it('gives the old clear error when the holder does not share the folder', async () => {
    await writeFile(join(dataDir, 'records.lock'), String(process.pid));
    const second = spawn(process.execPath, [CLI_PATH, '--data-dir', dataDir], {
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    second.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(second, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain(`data directory ${dataDir} is in use by pid ${process.pid}`);
    expect(stderr).toMatch(/does not share it/);
  }, 60_000);
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
