import { spawn } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  childEnv,
  makeTempDir,
  PACKAGE_DIR,
  removeDir,
  type CliRun,
} from '../support/cli-process.js';

/**
 * How `chatbot-mcp-server` (the installed bin: bin/chatbot-mcp-server.mjs, which runs dist/cli.js)
 * says it cannot do what was asked: one line on stderr, `chatbot-mcp-server: <what was wrong>.
 * <what to do>`, exit 2 for usage errors and 1 for runtime errors, no stack, no JSON.
 */

const BIN = join(PACKAGE_DIR, 'bin', 'chatbot-mcp-server.mjs');

function runBin(args: string[], bin = BIN): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The run printed exactly one line on stderr, matching `line`, and exited with `code`. */
function expectOneLine(run: CliRun, code: number, line: RegExp): void {
  expect(run.stderr, run.stderr).toMatch(/^chatbot-mcp-server: [^\n]+\n$/);
  expect(run.stderr.trimEnd()).toMatch(line);
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
}

let root: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  assertBuilt();
  root = await makeTempDir('mcp-cli-errors');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await removeDir(root);
});

describe('usage errors: one line, exit 2', () => {
  it('an unknown flag names it and suggests the nearest option', async () => {
    expectOneLine(
      await runBin(['--transprt', 'http']),
      2,
      /^chatbot-mcp-server: unknown option --transprt\. Did you mean --transport\? Run chatbot-mcp-server --help for the options$/,
    );
  });

  it('a flag without its value names the flag', async () => {
    expectOneLine(
      await runBin(['search', 'x', '--limit']),
      2,
      /^chatbot-mcp-server: --limit needs a value\. Run chatbot-mcp-server --help/,
    );
  });

  it('an unknown command suggests the nearest one', async () => {
    expectOneLine(
      await runBin(['serch', 'deploy']),
      2,
      /^chatbot-mcp-server: unknown command serch\. Did you mean chatbot-mcp-server search\?/,
    );
  });

  it('search --limit 50 is a line naming the option, not a JSON log line', async () => {
    const dataDir = join(root, 'limit');
    expectOneLine(
      await runBin(['search', 'deploy', '--limit', '50', '--data-dir', dataDir]),
      2,
      /^chatbot-mcp-server: limit: must be an integer from 1 to 20\. Run chatbot-mcp-server --help for the options$/,
    );
  });
});

describe('runtime errors: one line, exit 1', () => {
  it('a data dir that is a file says so and names --data-dir', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    for (const args of [
      ['--data-dir', file],
      ['search', 'deploy', '--data-dir', file],
    ]) {
      expectOneLine(
        await runBin(args),
        1,
        /^chatbot-mcp-server: cannot use .*a-file.*: part of that path is a file, not a folder\. Point --data-dir \(or CHATBOT_DATA_DIR\) at a folder/,
      );
    }
  });

  it('a busy port says so and names --port (after the server own JSON log lines)', async () => {
    const run = await runBin([
      '--transport',
      'http',
      '--port',
      String(busyPort),
      '--data-dir',
      join(root, 'busy'),
    ]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(
      `chatbot-mcp-server: cannot listen on 127.0.0.1:${busyPort}: the port is in use (another gateway or server still running?). Stop that process, or pick another port with --port (0 picks a free one)`,
    );
    // Everything before it is the server's own logging; no stack anywhere.
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('the bin shim before a build says to build first', async () => {
    // A copy of the package's bin folder with no dist/ beside it: a fresh clone before `pnpm build`.
    const unbuilt = join(root, 'unbuilt', 'bin');
    await mkdir(unbuilt, { recursive: true });
    await copyFile(BIN, join(unbuilt, 'chatbot-mcp-server.mjs'));
    expectOneLine(
      await runBin(['--help'], join(unbuilt, 'chatbot-mcp-server.mjs')),
      1,
      /^chatbot-mcp-server: not built yet \(no dist\/cli\.js\)\. Run pnpm build first$/,
    );
  });
});
