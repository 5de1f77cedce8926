import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { openBackend, type Backend } from './attach-backend.js';
import { BoundedLines } from './bounded-lines.js';

export interface AttachedStdioOptions {
  dataDir: string;
  logger: Logger;
  /** This process's own runtime on the folder: throws DataDirInUseError while it is held. */
  openRuntime: () => Promise<Runtime>;
  /** How long to wait for a holder that is starting or stopping (default 10 s). */
  waitMs?: number;
}

/** The id of the host's `initialize`, replayed to a new backend; its answer is not passed on. */
const REPLAY_ID = 'chatbot-mcp-server:replayed-initialize';

/**
 * Serves MCP on stdin/stdout while another process holds the data directory: every message
 * is relayed to that holder over its socket, so all tools, annotations and results come from
 * its one set of stores. When the holder stops, requests in flight get a JSON-RPC error (they
 * may or may not have run), and this server takes the folder over, replaying the host's
 * `initialize` so the session goes on; if it cannot, each request gets an error saying so.
 */
export async function serveAttachedStdio(options: AttachedStdioOptions): Promise<void> {
  const relay = new Relay(options);
  await relay.start(); // fails like a refused start when no holder answers and none stops
  const input = process.stdin.pipe(
    new BoundedLines(STDIO_DEFAULT_MAX_BUFFER_SIZE, (bytes) =>
      options.logger.warn('stdio: dropped a line over the size limit', {
        bytes,
        limit: STDIO_DEFAULT_MAX_BUFFER_SIZE,
      }),
    ),
  );
  const host = new StdioServerTransport(input);
  host.onerror = (error) =>
    options.logger.warn('stdio: unreadable input', { message: error.message.slice(0, 200) });
  const closed = new Promise<void>((resolve) => {
    host.onclose = resolve;
    input.once('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  relay.host = host;
  host.onmessage = (message) => relay.fromHost(message);
  await host.start();
  await closed;
  await relay.close();
  await host.close();
}

class Relay {
  host: Transport | undefined;
  private backend: Backend | undefined;
  private reconnecting: Promise<void> | undefined;
  private closing = false;
  /** Requests sent to the backend and not yet answered. */
  private readonly pending = new Set<RequestId>();
  /** Host messages that arrived while no backend was connected. */
  private queue: JSONRPCMessage[] = [];
  /** The host's `initialize` and `notifications/initialized`, as a backend first saw them. */
  private readonly session: JSONRPCMessage[] = [];
  private replayed: ((ok: boolean) => void) | undefined;
  private lastHolder = 0;

  constructor(private readonly options: AttachedStdioOptions) {}

  async start(): Promise<void> {
    const backend = await this.open();
    await this.listen(backend);
    this.adopt(backend);
  }

  fromHost(message: JSONRPCMessage): void {
    if (this.backend) return this.forward(message);
    this.queue.push(message);
    // After a failed takeover, each new request tries once more before it is answered.
    this.reconnecting ??= this.reconnect(0);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.reconnecting;
    await this.backend?.close();
  }

  private open(waitMs = this.options.waitMs ?? 10_000): Promise<Backend> {
    return openBackend({ ...this.options, waitMs, abandoned: () => this.closing });
  }

  private adopt(backend: Backend): void {
    this.backend = backend;
    this.lastHolder = backend.pid;
    this.options.logger.info(backend.notice, { pid: backend.pid });
    for (const message of this.queue.splice(0)) this.forward(message);
  }

  private forward(message: JSONRPCMessage): void {
    const backend = this.backend!;
    if (isJSONRPCRequest(message)) {
      this.pending.add(message.id);
      if (message.method === 'initialize') this.session.splice(0, this.session.length, message);
    } else if (
      isJSONRPCNotification(message) &&
      message.method === 'notifications/initialized' &&
      this.session.length === 1
    ) {
      this.session.push(message);
    }
    // A failed send means the backend went away: its close answers the request.
    backend.transport.send(message).catch(() => undefined);
  }

  /** Wires a connected backend's messages to the host (before it is adopted, for the replay). */
  private listen(backend: Backend): Promise<void> {
    backend.transport.onmessage = (message) => {
      if ('id' in message && message.id === REPLAY_ID && !('method' in message)) {
        this.replayed?.(isJSONRPCResultResponse(message));
        return;
      }
      if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
        if (message.id !== undefined) this.pending.delete(message.id);
      }
      this.host?.send(message).catch(() => undefined);
    };
    backend.transport.onclose = () => this.lost(backend);
    return backend.transport.start();
  }

  private lost(backend: Backend): void {
    this.replayed?.(false);
    if (this.closing || backend !== this.backend) return;
    this.backend = undefined;
    const { dataDir, logger } = this.options;
    logger.warn(
      `the chatbot-mcp-server or chat gateway that held ${dataDir} (pid ${backend.pid}) stopped; taking the folder over`,
      { pid: backend.pid, unanswered: this.pending.size },
    );
    for (const id of this.pending) {
      this.answerError(
        id,
        `the chatbot-mcp-server or chat gateway that held ${dataDir} (pid ${backend.pid}) stopped during this request, so it may or may not have been carried out; read before retrying a write`,
      );
    }
    this.pending.clear();
    this.reconnecting ??= this.reconnect(this.options.waitMs ?? 10_000);
  }

  private async reconnect(waitMs: number): Promise<void> {
    try {
      const backend = await this.open(waitMs);
      if (this.closing) return void (await backend.close());
      await this.listen(backend);
      await this.replay(backend);
      this.adopt(backend);
    } catch (error) {
      const { dataDir, logger } = this.options;
      const reason = error instanceof Error ? error.message : String(error);
      const message = `the chatbot-mcp-server or chat gateway that held ${dataDir} (pid ${this.lastHolder}) stopped, and this server could not take the folder over (${reason}); restart this MCP server`;
      logger.error(message);
      for (const queued of this.queue.splice(0)) {
        if (isJSONRPCRequest(queued)) this.answerError(queued.id, message);
      }
    } finally {
      this.reconnecting = undefined;
    }
  }

  /** A new backend has not seen this session: send it the host's `initialize` again. */
  private async replay(backend: Backend): Promise<void> {
    const [initialize, initialized] = this.session;
    if (!initialize || !isJSONRPCRequest(initialize)) return;
    const answered = new Promise<boolean>((resolve) => {
      this.replayed = resolve;
      setTimeout(() => resolve(false), 10_000).unref();
    });
    await backend.transport.send({ ...initialize, id: REPLAY_ID });
    const ok = await answered;
    this.replayed = undefined;
    if (!ok) {
      await backend.close();
      throw new Error('the new server did not accept the session’s initialize request');
    }
    if (initialized) await backend.transport.send(initialized);
  }

  private answerError(id: RequestId, message: string): void {
    this.host
      ?.send({ jsonrpc: '2.0', id, error: { code: ErrorCode.ConnectionClosed, message } })
      .catch(() => undefined);
  }
}
