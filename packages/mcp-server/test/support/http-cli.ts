import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI_PATH, NODE_BIN, childEnv } from './cli-process.js';

/** `node dist/cli.js --transport http --port 0 ...` running, with its URL from the start-up log. */
export interface HttpCliProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the first JSON log line whose `msg` is `msg` (rejects after `timeoutMs`). */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it is still running and waits for it. */
  kill(): Promise<void>;
}

export async function startHttpCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<HttpCliProcess> {
  const child = spawn(NODE_BIN, [CLI_PATH, '--transport', 'http', '--port', '0', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const logLines = (): Record<string, unknown>[] =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const waitForLog = (msg: string, timeoutMs = 20_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = logLines().find((l) => l.msg === msg);
        if (line) {
          done();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${msg}" log line within ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      const onExit = (): void => {
        done();
        reject(new Error(`the server exited before logging "${msg}"; stderr:\n${stderr}`));
      };
      const done = (): void => {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        child.off('exit', onExit);
      };
      waiters.push(check);
      child.once('exit', onExit);
      check();
    });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const started = await waitForLog('serving MCP over HTTP');
    return { url: String(started.url), child, stderr: () => stderr, waitForLog, exited, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}
