import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** Starts a process and resolves once `parse` finds the URL in a stdout line. */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  parse: (line: string) => string | undefined,
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const url = parse(line);
      if (!url) return;
      resolve({
        child,
        url,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code} before it was ready:\n${stderr}`)),
    );
  });
}

/**
 * The gateway as a benchmark runs it: the CLI (`entry: 'cli'`) or the benchmark-only gateway
 * without sequencing and frame log (`'unsequenced'`, see unsequenced-gateway.mjs), on port 0,
 * with the per-IP, per-connection and rate guards raised so the load is measured, not the
 * guards. `env` adds to or overrides the process environment.
 */
export function startBenchGateway(
  dataDir: string,
  options: { entry?: 'cli' | 'unsequenced'; env?: Record<string, string> } = {},
): Promise<Started> {
  const entry =
    options.entry === 'unsequenced'
      ? [join(here, 'unsequenced-gateway.mjs')]
      : [join(here, '../dist/cli.js'), '--port', '0'];
  return startProcess(
    process.execPath,
    [...entry, '--data-dir', dataDir],
    {
      ...process.env,
      LOG_LEVEL: 'warn',
      CHAT_MAX_CONNECTIONS: '20000',
      CHAT_MAX_CONNECTIONS_PER_IP: '20000',
      CHAT_MAX_HTTP_CONNECTIONS_PER_IP: '20000',
      CHAT_FRAMES_PER_SECOND: '1000',
      SESSION_TIMEOUT_MINUTES: '60',
      ...options.env,
    },
    (line) => /(ws:\/\/\S+\/ws)/.exec(line)?.[1],
  );
}

/** The baseline: a bare `ws` echo server (echo-server.mjs). */
export function startEcho(): Promise<Started> {
  return startProcess(process.execPath, [join(here, 'echo-server.mjs')], process.env, (line) => {
    const port = (JSON.parse(line) as { port?: number }).port;
    return port ? `ws://127.0.0.1:${port}` : undefined;
  });
}
