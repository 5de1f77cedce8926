import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLI_PATH,
  assertBuilt,
  childEnv,
  connectStdio,
  jsonLines,
  makeTempDir,
  removeDir,
  runCli,
  type StdioServer,
} from '../support/cli-process.js';
import {
  ALL_TOOLS,
  RECORD_TOOLS,
  callError,
  callOk,
  documentRoundTrip,
  recordRoundTrip,
} from '../support/tool-results.js';

let dataDir: string;
const servers: StdioServer[] = [];

async function start(args: string[] = [], env?: Record<string, string>): Promise<StdioServer> {
  const server = await connectStdio({
    command: process.execPath,
    args: [CLI_PATH, '--data-dir', dataDir, ...args],
    ...(env && { env }),
  });
  servers.push(server);
  return server;
}

async function stop(server: StdioServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

beforeAll(assertBuilt);
beforeEach(async () => {
  dataDir = await makeTempDir('mcp-e2e');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await removeDir(dataDir);
});

describe('node dist/cli.js over stdio (SDK StdioClientTransport)', () => {
  it('does a record and a document round trip', async () => {
    const server = await start();
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    await recordRoundTrip(server.client);
    await documentRoundTrip(server.client, 'stdio/quokka-care.md');
    expect(existsSync(join(dataDir, 'documents'))).toBe(true);
    expect(server.transportErrors).toEqual([]);
  });

  it('keeps records across a restart with the same --data-dir', async () => {
    const first = await start();
    const created = (await callOk(first.client, 'create_record', {
      table: 'conversations',
      data: {
        sessionId: 's-persist',
        messageId: 'm1',
        text: 'still here',
        nested: { list: [1, 'two', null] },
      },
    })) as { record: Record<string, unknown> };
    await stop(first);
    expect(first.pid).not.toBeNull();
    expect(isRunning(first.pid ?? 0)).toBe(false);
    expect(existsSync(join(dataDir, 'records'))).toBe(true);

    const second = await start();
    expect(second.pid).not.toBe(first.pid);
    const read = await callOk(second.client, 'read_record', {
      table: 'conversations',
      key: { sessionId: 's-persist', messageId: 'm1' },
    });
    expect(read).toEqual({ record: created.record });
    const listed = await callOk(second.client, 'list_records', { table: 'conversations' });
    expect(listed).toEqual({ records: [created.record] });
  });

  it('with --config <yaml> exposes exactly the aliases of that file', async () => {
    const file = join(dataDir, 'tables.yml');
    await writeFile(
      file,
      'tables:\n  notes: { name: team-notes, partitionKey: id }\n  events: { name: team-events, partitionKey: day, sortKey: { name: seq, type: N }, access: read-only }\n',
    );
    const server = await start(['--config', file]);
    const { tools } = await server.client.listTools();
    for (const tool of tools.filter((t) => RECORD_TOOLS.includes(t.name))) {
      expect(tool.description).toMatch(
        /Tables: notes \(key: id\); events \(key: day \+ seq, read-only\)\.$/,
      );
    }
    const refused = await callError(server.client, 'list_records', { table: 'sessions' });
    expect(refused).toMatch(/^VALIDATION: table: .*use one of: notes, events$/);
    const created = await callOk(server.client, 'create_record', {
      table: 'notes',
      data: { text: 'n' },
    });
    expect((created.record as Record<string, unknown>).id).toBeTypeOf('string');
    expect(
      await callError(server.client, 'create_record', {
        table: 'events',
        data: { day: 'd', seq: 1 },
      }),
    ).toMatch(/^READ_ONLY: /);
  });

  // A second stdio server attaches to the first instead (test/e2e/shared-data-dir.test.ts).
  it('refuses a second HTTP server on the same --data-dir while the first runs, naming the folder', async () => {
    const first = await start();
    const second = await runCli(['--data-dir', dataDir, '--transport', 'http', '--port', '0'], {
      timeoutMs: 20_000,
    });
    expect(second.signal, 'the second server should exit by itself').toBeNull();
    expect(second.code).not.toBe(0);
    expect(second.stdout).toBe('');
    // A server that cannot start says why in one human line (its last), not a JSON log line.
    const refusal = second.stderr.trimEnd().split('\n').at(-1);
    expect(refusal).toMatch(/^chatbot-mcp-server: .*in use/);
    expect(refusal).toContain(dataDir);
    // The first one is unharmed.
    await callOk(first.client, 'list_records', { table: 'sessions' });
  });
});

describe('the embedded record store over stdio', () => {
  // One host's calls come one at a time: a worker thread for the store would add two thread
  // wake-ups to every record call. Node writes one CPU profile per thread it ran, so the profile
  // count says how many JavaScript threads the server started.
  it("is served from the server's own thread (no worker thread is started)", async () => {
    const profiles = join(dataDir, 'profiles');
    const server = await connectStdio({
      command: process.execPath,
      args: ['--cpu-prof', '--cpu-prof-dir', profiles, CLI_PATH, '--data-dir', join(dataDir, 'd')],
    });
    servers.push(server);
    await recordRoundTrip(server.client);
    await stop(server);
    await expect.poll(() => isRunning(server.pid ?? 0), { timeout: 15_000 }).toBe(false);
    const written = readdirSync(profiles).filter((f) => f.endsWith('.cpuprofile'));
    expect(written).toHaveLength(1);
  });
});

describe('stdout and stderr', () => {
  it('stdout carries only JSON-RPC, stderr only JSON log lines, and the server exits 0 when stdin ends', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--data-dir', dataDir], {
      env: childEnv({ LOG_LEVEL: 'debug' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const waiting = new Map<number, () => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // Resolve waiters from complete lines only; anything unparsable fails below, in jsonLines.
      for (const line of stdout.split('\n').slice(0, -1)) {
        try {
          const id = (JSON.parse(line) as { id?: unknown }).id;
          if (typeof id === 'number') waiting.get(id)?.();
        } catch {
          // checked after exit
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    const send = (message: Record<string, unknown>): void => {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    };
    const request = (id: number, method: string, params: Record<string, unknown>): Promise<void> =>
      new Promise((resolve) => {
        waiting.set(id, resolve);
        send({ id, method, params });
      });

    try {
      await request(1, 'initialize', {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'raw', version: '0' },
      });
      send({ method: 'notifications/initialized' });
      await request(2, 'tools/list', {});
      await request(3, 'tools/call', {
        name: 'create_record',
        arguments: { table: 'sessions', data: { a: 1 } },
      });
      await request(4, 'tools/call', { name: 'create_record', arguments: { table: 'sessions' } });
      await request(5, 'tools/call', { name: 'no_such_tool', arguments: {} });
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }

    const messages = jsonLines(stdout);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    for (const message of messages) {
      expect(message.jsonrpc).toBe('2.0');
      expect('result' in message || 'error' in message).toBe(true);
    }
    expect(messages[3]).toMatchObject({ result: { isError: true } });
    expect(messages[4]).toMatchObject({ error: { code: -32602 } });

    const logs = jsonLines(stderr);
    expect(logs.length).toBeGreaterThan(0);
    for (const log of logs) {
      expect(log).toMatchObject({
        time: expect.any(String),
        level: expect.any(String),
        msg: expect.any(String),
      });
    }
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['serving MCP on stdio', 'tool call']),
    );
  });
});

describe('command line', () => {
  it('--help prints usage on stdout and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage:\n {2}chatbot-mcp-server \[serve\] \[options\] /);
    expect(run.stdout).toContain('\n  chatbot-mcp-server ingest <file|dir|glob>');
    expect(run.stdout).toContain('\n  chatbot-mcp-server search "<query>"');
    for (const flag of [
      '--data-dir',
      '--config',
      '--transport',
      '--limit',
      '--mode',
      '--threshold',
      '--version',
    ]) {
      expect(run.stdout).toContain(`\n  ${flag} `);
    }
    expect(run.stderr).toBe('');
  });

  it('an unknown flag exits 2 with one line on stderr naming it and pointing at --help', async () => {
    const run = await runCli(['--data-dir', dataDir, '--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'chatbot-mcp-server: unknown option --frobnicate. Run chatbot-mcp-server --help for the options\n',
    );
    expect(existsSync(join(dataDir, 'records'))).toBe(false);
    expect(existsSync(join(dataDir, 'documents'))).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
