import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { CLI_PATH, childEnv } from './cli-process.js';

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number | string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/**
 * `node dist/cli.js` over stdio driven by hand: raw lines in (anything, not only JSON-RPC),
 * JSON-RPC responses out, matched by id. For input the SDK client would never send.
 */
export class RawStdioServer {
  private stdout = '';
  private stderrText = '';
  private readonly responses = new Map<string, JsonRpcResponse>();
  private readonly waiters = new Map<string, (response: JsonRpcResponse) => void>();
  private nextId = 1;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines on stdout that are not JSON: must stay empty. */
  readonly stray: string[] = [];

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString('utf8')));
    // Writing to a server that has gone away is a test outcome, not a crash of the test.
    child.stdin.on('error', () => undefined);
    this.exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /** Spawns the CLI on `dataDir` (`env` added) and completes the initialize handshake. */
  static async start(dataDir: string, env: Record<string, string> = {}): Promise<RawStdioServer> {
    const child = spawn(process.execPath, [CLI_PATH, '--data-dir', dataDir], {
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const server = new RawStdioServer(child);
    try {
      const init = await server.request('initialize', {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'hostile-stdio', version: '0' },
      });
      if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
      await server.write(
        `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`,
      );
      return server;
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Writes raw text to stdin; resolves once it has been handed to the pipe. */
  write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (!this.child.stdin.writable) return resolve();
      this.child.stdin.write(text, () => resolve());
    });
  }

  /** Sends a request and waits for the response with its id. */
  request(method: string, params: unknown, timeoutMs = 20_000): Promise<JsonRpcResponse> {
    const id = `r${this.nextId++}`;
    void this.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return this.response(id, timeoutMs);
  }

  callTool(name: string, args: unknown): Promise<JsonRpcResponse> {
    return this.request('tools/call', { name, arguments: args });
  }

  /** The response with `id`, whenever it came. Rejects if the server exits or `timeoutMs` passes. */
  response(id: string | number, timeoutMs = 20_000): Promise<JsonRpcResponse> {
    const key = JSON.stringify(id);
    const ready = this.responses.get(key);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(
          new Error(
            `no response to ${key} within ${timeoutMs} ms; stderr:\n${this.stderrText.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) before answering ${key}`));
      });
      this.waiters.set(key, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  /** Ends stdin and waits for the process; SIGKILL after 10 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private onStdout(text: string): void {
    this.stdout += text;
    const lines = this.stdout.split('\n');
    this.stdout = lines.pop() ?? '';
    for (const line of lines) {
      let message: JsonRpcResponse;
      try {
        message = JSON.parse(line) as JsonRpcResponse;
      } catch {
        this.stray.push(line.slice(0, 200));
        continue;
      }
      const key = JSON.stringify(message.id);
      this.responses.set(key, message);
      this.waiters.get(key)?.(message);
      this.waiters.delete(key);
    }
  }
}
