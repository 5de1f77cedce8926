import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_PATH = join(PACKAGE_DIR, 'dist', 'cli.js');
/**
 * The Node binary child servers run on: NODE_BIN when set (.ci/run sets it to official Node 22
 * and 24 builds), else the one running the tests.
 */
export const NODE_BIN = process.env.NODE_BIN || process.execPath;

/** The e2e tests run the built CLI; fail with the fix rather than with a spawn error. */
export function assertBuilt(): void {
  if (!existsSync(CLI_PATH) || !existsSync(join(PACKAGE_DIR, 'dist', 'mcp-tools.yaml'))) {
    throw new Error(
      `${CLI_PATH} or dist/mcp-tools.yaml is missing: run "pnpm build" in ${PACKAGE_DIR} first`,
    );
  }
}

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

export function removeDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true, maxRetries: 3 }) : Promise.resolve();
}

/**
 * A small, explicit environment for child servers: nothing from the developer's shell
 * (RECORD_STORE, CHATBOT_*, AWS_*) leaks into what the test checks.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...extra };
}

export interface StdioServer {
  client: Client;
  pid: number | null;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Errors the client transport reported, e.g. a stdout line that is not JSON-RPC. */
  transportErrors: Error[];
  /** Closes stdin and waits for the process to exit (SIGTERM, then SIGKILL, after 2 s each). */
  close(): Promise<void>;
}

/** Starts a server process and connects the SDK client to it over stdio. */
export async function connectStdio(options: {
  command: string;
  args: string[];
  env?: Record<string, string>;
}): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: options.command,
    args: options.args,
    env: options.env ?? childEnv(),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'e2e-test', version: '0.0.0' });
  const transportErrors: Error[] = [];
  client.onerror = (error) => transportErrors.push(error);
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close();
    throw new Error(`server did not start: ${String(error)}\nstderr:\n${stderr}`);
  }
  return {
    client,
    pid: transport.pid,
    stderr: () => stderr,
    transportErrors,
    close: () => client.close(),
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js <args>` (in `cwd`, by default this process's) to completion with stdin
 * left open (as an MCP host would), killing it if it is still running after `timeoutMs`.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI_PATH, ...args], {
      env: options.env ?? childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses each non-empty line as JSON; the test fails naming the first line that is not. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}
