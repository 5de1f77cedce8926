import { spawn, type ChildProcess } from 'node:child_process';

/** A server the HTTP section spawns (`node <args>`), listening on a free loopback port. */
export interface HttpServerProcess {
  label: string;
  /** The MCP endpoint, from the server's `serving MCP over HTTP` log line. */
  url: string;
  pid: number;
  /** The last few KB of the server's stderr, for error messages. */
  stderrTail(): string;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Spawns the server and resolves once it logs (JSON on stderr) that it serves MCP over HTTP.
 * Its stderr keeps being read, so that a chatty server never blocks on a full pipe.
 */
export function startHttpServerProcess(
  label: string,
  args: readonly string[],
  cwd: string,
): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  let pending = '';
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start: ${reason}\n${tail}`));
    };
    const timer = setTimeout(
      () => fail(`no URL logged within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => fail(String(error)));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      tail = (tail + text).slice(-4000);
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const url = servingUrl(line);
        if (url === undefined) continue;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({
          label,
          url,
          pid: child.pid!,
          stderrTail: () => tail,
          close: () => stop(child),
        });
      }
      if (pending.length > 64_000) pending = '';
    });
  });
}

function servingUrl(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'serving MCP over HTTP' && typeof entry.url === 'string'
      ? entry.url
      : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM (both servers drain and exit), then SIGKILL if it takes over 15 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The headers a Streamable HTTP client sends with every POST. */
export const MCP_POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

export function toolCallBody(name: string, args: Record<string, unknown>, id = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
}

/**
 * The tool's structured result when `body` is a JSON-RPC response with a successful tool
 * result; undefined for an error, a failed tool call or anything else.
 */
export function toolResult(body: string): Record<string, unknown> | undefined {
  try {
    const message = JSON.parse(body) as {
      result?: {
        isError?: boolean;
        structuredContent?: Record<string, unknown>;
        content?: unknown;
      };
    };
    const result = message.result;
    if (!result || result.isError) return undefined;
    return result.structuredContent ?? { content: result.content };
  } catch {
    return undefined;
  }
}

/** One tools/call over HTTP, outside the load runs: seeding data and checking answers. */
export async function callTool(
  url: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: MCP_POST_HEADERS,
    body: toolCallBody(name, args),
  });
  const body = await response.text();
  const result = response.ok ? toolResult(body) : undefined;
  if (!result)
    throw new Error(`${name} over HTTP failed: ${response.status} ${body.slice(0, 500)}`);
  return result;
}
