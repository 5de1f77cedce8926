import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * How `chatbot-gateway` (the installed bin: bin/chatbot-gateway.mjs, which runs the built
 * dist/cli.js) says it cannot do what was asked: one line on stderr, `chatbot-gateway: <what was
 * wrong>. <what to do>`, exit 2 for usage errors and 1 for runtime errors, no stack.
 */

const BIN = new URL('../../bin/chatbot-gateway.mjs', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBin(args: string[], bin = BIN, logLevel = 'warn'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: root, LOG_LEVEL: logLevel },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exactly one line on stderr, matching `line`, nothing on stdout, and exit `code`. */
function expectOneLine(run: Run, code: number, line: RegExp): void {
  expect(run.stderr, run.stderr).toMatch(/^chatbot-gateway: [^\n]+\n$/);
  expect(run.stderr.trimEnd()).toMatch(line);
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
}

let root: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gw-cli-errors-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('chatbot-gateway usage errors: one line, exit 2', () => {
  it('an unknown flag names it and suggests the nearest option, without the whole help', async () => {
    expectOneLine(
      await runBin(['--prot', '9000']),
      2,
      /^chatbot-gateway: unknown option --prot\. Did you mean --port\? Run chatbot-gateway --help for the options$/,
    );
  });

  it('a flag without its value names the flag', async () => {
    expectOneLine(
      await runBin(['--port']),
      2,
      /^chatbot-gateway: --port needs a value\. Run chatbot-gateway --help/,
    );
  });

  it('an unknown command suggests the nearest one; extra arguments are named', async () => {
    expectOneLine(
      await runBin(['stat']),
      2,
      /^chatbot-gateway: unknown command stat\. Did you mean chatbot-gateway stats\?/,
    );
    expectOneLine(
      await runBin(['serve', 'now']),
      2,
      /^chatbot-gateway: serve takes no arguments: now\. Run chatbot-gateway --help/,
    );
  });

  it('a bad value (--port abc, stats --date nope) names the flag', async () => {
    expectOneLine(
      await runBin(['--port', 'abc', '--data-dir', join(root, 'port')]),
      2,
      /^chatbot-gateway: --port \/ CHAT_PORT: must be a whole number from 0 to 65535, not "abc"$/,
    );
    expectOneLine(
      await runBin(['stats', '--date', 'nope', '--data-dir', join(root, 'date')]),
      2,
      /^chatbot-gateway: --date: must be a day as YYYY-MM-DD, not "nope"\. For example --date \d{4}-\d\d-\d\d$/,
    );
  });
});

describe('chatbot-gateway runtime errors: one line, exit 1', () => {
  it('a data dir that is a file says so and names --data-dir', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    expectOneLine(
      await runBin(['--data-dir', file, '--port', '0']),
      1,
      /^chatbot-gateway: cannot use .*a-file.*: part of that path is a file, not a folder\. Point --data-dir \(or CHATBOT_DATA_DIR\) at a folder/,
    );
  });

  it('a busy port says so and names --port, before it opens (or creates) the data dir', async () => {
    const dataDir = join(root, 'busy');
    // At info level the stores' start-up lines would show, had they opened before the check.
    const run = await runBin(['--data-dir', dataDir, '--port', String(busyPort)], BIN, 'info');
    expect(existsSync(dataDir), 'no data dir, no lock file, no MCP socket').toBe(false);
    expectOneLine(
      run,
      1,
      new RegExp(
        `^chatbot-gateway: cannot listen on 127\\.0\\.0\\.1:${busyPort}: the port is in use \\(another gateway or server still running\\?\\)\\. Stop that process, or pick another port with --port \\(0 picks a free one\\)$`,
      ),
    );
  });

  it('the bin before a build says to build first', async () => {
    const unbuilt = join(root, 'unbuilt', 'bin');
    mkdirSync(unbuilt, { recursive: true });
    copyFileSync(BIN, join(unbuilt, 'chatbot-gateway.mjs'));
    expectOneLine(
      await runBin(['--help'], join(unbuilt, 'chatbot-gateway.mjs')),
      1,
      /^chatbot-gateway: not built yet \(no dist\/cli\.js\)\. Run pnpm build first$/,
    );
  });
});
