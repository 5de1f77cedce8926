/**
 * The session protocol on both of its paths, in-process, for one contract suite: the local
 * core (`ChatGateway`) and the AWS handlers (`$connect`/`$default`/`$disconnect` routes, the
 * engine function's `greet` and `runWorkerTurn`, asynchronous invokes as detached calls, the
 * management API as a map of connections). Both over the same kind of store: an embedded
 * DynamoDB in memory (written as a shared store on the AWS path: atomic frame counters).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { ConnectionBindings } from '../../src/adapters/records/aws-connection-bindings.js';
import { StoreApprovalGate } from '../../src/adapters/records/aws-store-approval-gate.js';
import { TurnMarkers } from '../../src/adapters/records/aws-turn-markers.js';
import { TurnQueue } from '../../src/adapters/records/aws-turn-queue.js';
import { buildChatServices, type ChatServices } from '../../src/app/chat-services.js';
import { chatTableSpecs } from '../../src/app/chat-tables.js';
import { openChatStore, type ChatRecordStore } from '../../src/app/open-chat-store.js';
import { loadGatewayConfig } from '../../src/config.js';
import { ChatGateway } from '../../src/core/chat-gateway.js';
import { ClientGoneError } from '../../src/errors.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { ClientFrame, ServerFrame } from '../../src/protocol/frames.js';
import type { Identity } from '../../src/ports/session-store.js';
import { parseWorkerEvent } from '../../src/transports/lambda/worker-events.js';
import { closeSessionConnections } from '../../src/transports/lambda/close-session-connections.js';
import { greet } from '../../src/transports/lambda/worker-hello.js';
import { runWorkerTurn } from '../../src/transports/lambda/worker-turn.js';
import { createWsRoutes } from '../../src/transports/lambda/ws-routes.js';
import { RecordingChannel } from './fake-channel.js';
import { SlowModel } from './slow-model.js';

/** One client connection on either path. */
export interface PathClient {
  readonly channel: RecordingChannel;
  send(frame: ClientFrame | Record<string, unknown>): Promise<void>;
  /** The network drops: the client is gone, the server hears of it. */
  drop(): Promise<void>;
}

export interface ProtocolPath {
  name: string;
  /** A new connection: anonymous, or signed in as `identity` (paths without sign-in refuse it). */
  connect(identity?: Identity): Promise<PathClient>;
  /** The last seq the gateway numbered in the session. */
  currentSeq(sessionId: string): Promise<number>;
  /** Frames that broke the server-frame schema (paths over a real socket collect them here). */
  violations?: readonly string[];
  /** Moves the sessions' clock on (idle timeout, activity); turns keep real time. */
  advanceClock?(ms: number): void;
  /** The inactive-session cleanup as the path runs it: closes the sessions and their tabs. */
  cleanup?(): Promise<string[]>;
  close(): Promise<void>;
}

/** No tools: the slow model answers on the general route. */
const noTools: ToolClient = {
  listTools: () => Promise.resolve([]),
  callTool: () => Promise.reject(new Error('no tools in this test')),
  readDocument: () => Promise.resolve(undefined),
  close: () => Promise.resolve(),
};

export interface PathOptions {
  /** Pause between the slow model's tokens. */
  tokenMs?: number;
  /** CHAT_DETACHED_TURN_SECONDS, in ms. */
  detachedTurnMs?: number;
  /** CHAT_RESUME_WINDOW_SECONDS, in seconds. */
  resumeWindowSeconds?: number;
  /** How long a destructive tool call waits for its `confirm`; 5 s by default. */
  approvalTimeoutMs?: number;
  /** The MCP tools the chat may call (`/call`); none by default. */
  tools?: ToolClient;
  /** TOOL_TIMEOUT_MS for the documents panel and viewer (both paths). */
  documentTimeoutMs?: number;
  /** AWS path: the invocation time left that each `$default` invocation is given (Lambda's context). */
  remainingMs?: number;
}

async function services(
  exclusive: boolean,
  options: PathOptions,
): Promise<{
  chatStore: ChatRecordStore;
  services: ChatServices;
  dir: string;
  clock: { skewMs: number };
}> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-paths-'));
  const opened = await openChatStore({
    env: {},
    dataDir: dir,
    logger: silentLogger,
    inMemory: true,
  });
  const chatStore = { ...opened, exclusive };
  const config = loadGatewayConfig(
    { CHAT_RESUME_WINDOW_SECONDS: String(options.resumeWindowSeconds ?? 600) },
    { dataDir: dir },
  );
  const clock = { skewMs: 0 };
  return {
    chatStore,
    dir,
    clock,
    services: buildChatServices({
      now: () => Date.now() + clock.skewMs,
      config,
      chatStore,
      tools: options.tools ?? noTools,
      logger: silentLogger,
      model: new SlowModel(options.tokenMs ?? 3),
    }),
  };
}

export async function localPath(options: PathOptions = {}): Promise<ProtocolPath> {
  const { chatStore, services: s, dir, clock } = await services(true, options);
  const gateway = new ChatGateway({
    engine: s.engine,
    sessions: s.sessions,
    store: s.store,
    logger: silentLogger,
    newId: s.newId,
    retentionDays: 1,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 5_000,
    framesPerSecond: 1_000,
    sequence: s.sequence,
    frameLog: s.frameLog,
    detachedTurnMs: options.detachedTurnMs ?? 120_000,
    documents: options.tools ?? noTools,
    ...(options.documentTimeoutMs !== undefined && {
      documentTimeoutMs: options.documentTimeoutMs,
    }),
  });
  return {
    name: 'local core',
    currentSeq: (sessionId) => s.sequence.current(sessionId),
    advanceClock: (ms) => void (clock.skewMs += ms),
    cleanup: () => s.cleanup((sessionId) => gateway.sessionsClosed([sessionId])),
    connect: async (identity) => {
      const channel = new RecordingChannel(`local-${randomUUID()}`);
      await gateway.open(channel, identity ? { identity } : {});
      return {
        channel,
        send: (frame) => gateway.receive(channel, JSON.stringify(frame)),
        drop: async () => {
          channel.gone = true;
          await gateway.closed(channel);
        },
      };
    },
    close: async () => {
      await gateway.drain(2_000);
      await chatStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function lambdaPath(options: PathOptions = {}): Promise<ProtocolPath> {
  const { chatStore, services: s, dir, clock } = await services(false, options);
  const tables = chatTableSpecs(chatStore.tables);
  const bindings = new ConnectionBindings(chatStore.store, tables.conversations);
  const markers = new TurnMarkers(chatStore.store, tables.conversations);
  const queue = new TurnQueue(chatStore.store, tables.conversations);
  const open = new Map<string, RecordingChannel>();
  const connections = {
    post: (connectionId: string, text: string) => {
      const channel = open.get(connectionId);
      if (!channel || channel.gone) return Promise.reject(new ClientGoneError(connectionId));
      return channel.send(JSON.parse(text) as ServerFrame);
    },
    delete: (connectionId: string) => {
      const channel = open.get(connectionId);
      if (!channel) return Promise.resolve();
      channel.gone = true;
      // API Gateway closes the socket: the client sees the close as on the local path.
      return channel.close(1001, 'connection deleted');
    },
  };
  const running = new Set<Promise<void>>();
  const pollMs = 20;
  const engine = {
    // Lambda's asynchronous invoke: accepted at once, run apart.
    invoke: (payload: unknown) => {
      const event = parseWorkerEvent(JSON.parse(JSON.stringify(payload)));
      const run = (
        event.kind === 'hello'
          ? greet(
              {
                sessions: s.sessions,
                bindings,
                connections,
                sequence: s.sequence,
                modelId: s.engine.modelId,
                retryMs: 2_000,
              },
              event,
            )
          : runWorkerTurn(
              {
                turn: {
                  engine: s.engine,
                  store: s.store,
                  approvals: new StoreApprovalGate({
                    markers,
                    logger: silentLogger,
                    timeoutMs: options.approvalTimeoutMs ?? 5_000,
                    pollMs,
                  }),
                  logger: silentLogger,
                  newId: s.newId,
                  now: Date.now,
                  retentionDays: 1,
                },
                bindings,
                markers,
                queue,
                sequence: s.sequence,
                frameLog: s.frameLog,
                detachedTurnMs: options.detachedTurnMs ?? 120_000,
                connections,
                logger: silentLogger,
                pollMs,
              },
              event,
            )
      ).catch(() => undefined);
      running.add(run);
      void run.then(() => running.delete(run));
      return Promise.resolve();
    },
  };
  const routes = createWsRoutes({
    sessions: s.sessions,
    store: s.store,
    bindings,
    markers,
    queue,
    sequence: s.sequence,
    frameLog: s.frameLog,
    connections,
    engine,
    documents: options.tools ?? noTools,
    ...(options.documentTimeoutMs !== undefined && {
      documentTimeoutMs: options.documentTimeoutMs,
    }),
    logger: silentLogger,
    modelId: s.engine.modelId,
    confirmRetryMs: 20,
  });
  // The user as the `$connect` authorizer's context carries it, with every event of the connection.
  const request = (routeKey: string, connectionId: string, user?: Identity, body?: string) => ({
    requestContext: {
      routeKey,
      connectionId,
      ...(user && {
        authorizer: {
          issuer: user.issuer,
          sub: user.subject,
          ...(user.groups && { groups: JSON.stringify(user.groups) }),
        },
      }),
    },
    ...(body !== undefined && { body }),
  });
  return {
    name: 'AWS handlers',
    currentSeq: (sessionId) => s.sequence.current(sessionId),
    advanceClock: (ms) => void (clock.skewMs += ms),
    // The scheduled cleanup function's work (session-cleanup.ts) on this path's store.
    cleanup: async () => {
      const closed = await s.cleanup();
      const deps = { bindings, connections, logger: silentLogger };
      for (const sessionId of closed) await closeSessionConnections(deps, sessionId);
      return closed;
    },
    connect: async (identity) => {
      const connectionId = `aws-${randomUUID()}`;
      const channel = new RecordingChannel(connectionId);
      open.set(connectionId, channel);
      await routes.connect(request('$connect', connectionId, identity));
      return {
        channel,
        send: async (frame) => {
          await routes.receive(
            request('$default', connectionId, identity, JSON.stringify(frame)),
            options.remainingMs,
          );
        },
        drop: async () => {
          channel.gone = true;
          await routes.disconnect(request('$disconnect', connectionId, identity));
        },
      };
    },
    close: async () => {
      await Promise.all(running);
      await chatStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
