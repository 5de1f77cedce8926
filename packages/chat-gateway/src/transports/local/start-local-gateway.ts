import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, DataDirInUseError, pdfToText, type Logger } from 'chatbot-mcp-server/core';
import { createRuntime, type Runtime } from 'chatbot-mcp-server/runtime';
import { createModel } from '../../adapters/create-model.js';
import { createToolClient } from '../../adapters/create-tool-client.js';
import { attachToDataDir, type AttachedTools } from '../../app/attach-data-dir.js';
import { buildChatServices } from '../../app/chat-services.js';
import { ConversationFrames } from '../../core/conversation-frames.js';
import { openChatStore } from '../../app/open-chat-store.js';
import { seedDocuments } from '../../app/seed-documents.js';
import {
  loadGatewayConfig,
  loadLocalServerConfig,
  isLoopbackAddress,
  OFFLINE_NOTICE,
  type GatewayOverrides,
} from '../../config.js';
import { ChatGateway } from '../../core/chat-gateway.js';
import type { ChatModel } from '../../ports/chat-model.js';
import { noFrameLog } from '../../ports/frame-log.js';
import { MemoryFrameSequence } from '../../ports/frame-sequence.js';
import type { SessionStore } from '../../ports/session-store.js';
import type { ToolClient } from '../../ports/tool-client.js';
import { assertPortFree } from './port-check.js';
import { startLocalServer, type LocalServerStats } from './ws-server.js';
import { loadChatConfig } from '../../app/chat-tables.js';

export interface StartLocalGatewayOptions extends GatewayOverrides {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** The built page; default `dist/web` next to this build. */
  webRoot?: string | false;
  /** Ingest this folder's documents when the index is empty. */
  seedDocsDir?: string;
  /** Tests: a scripted model instead of the configured one. */
  model?: ChatModel;
  /** Tests: a fake clock for sessions and cleanup. */
  now?: () => number;
  /** Tests and benchmarks: embedded records in memory. */
  inMemory?: boolean;
  /** Run the inactive-session cleanup on an interval (default true). */
  cleanupIntervalMs?: number | false;
  /**
   * In-process MCP: load the MCP server and open the document index right after listening
   * (default true), so the first question finds them ready.
   */
  warmUp?: boolean;
  /** Tests: how soon the sign-in provider's key set is refetched for an unknown `kid`. */
  jwksCooldownMs?: number;
  /**
   * Benchmarks only (`pnpm bench`'s overhead rows), not a setting: `seq` counted in memory
   * instead of the store, and no frame log, so resume replays nothing.
   */
  unsequenced?: boolean;
}

export interface LocalGateway {
  url: string;
  wsUrl: string;
  gateway: ChatGateway;
  tools: ToolClient;
  /** The chat's own tables (sessions, history, analytics). */
  store: SessionStore;
  runtime?: Runtime;
  /** Gauges of the local server's socket limits and slow-reader queues. */
  serverStats(): LocalServerStats;
  /** Closes inactive sessions now; returns how many. */
  cleanup(): Promise<number>;
  close(): Promise<void>;
}

/** The local composition root: MCP (in-process by default), stores, engine, core, ws server. */
export async function startLocalGateway(
  options: StartLocalGatewayOptions = {},
): Promise<LocalGateway> {
  const env = options.env ?? process.env;
  const config = loadGatewayConfig(env, options);
  const serverConfig = loadLocalServerConfig(env, options);
  const logger = options.logger ?? createLogger(config.logLevel);
  // Before anything opens the data directory: a busy port fails with its one message.
  await assertPortFree(serverConfig.host, serverConfig.port);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    let runtime: Runtime | undefined;
    let runtimeStoreEmbedded = false;
    let attached: AttachedTools | undefined;
    if (config.mcp.kind === 'in-process') {
      const mcpConfig = loadChatConfig(env, {
        dataDir: config.dataDir,
        ...(config.configFile && { configFile: config.configFile }),
      });
      try {
        runtime = await createRuntime(mcpConfig, logger, { inMemory: options.inMemory ?? false });
      } catch (error) {
        if (!(error instanceof DataDirInUseError)) throw error;
        // A chatbot-mcp-server (Claude Desktop's) holds the folder: use its tools through it.
        attached = await attachToDataDir({ mcpConfig, logger });
        closers.push(() => attached!.close());
        logger.warn(
          `${config.dataDir} is held by pid ${error.pid}: the tools, records and documents are served through it, and the chat keeps its sessions in ${join(config.dataDir, 'chat')} until the gateway is restarted while no other server holds the folder`,
        );
      }
      runtimeStoreEmbedded = mcpConfig.recordStore.kind === 'embedded';
      const opened = runtime;
      if (opened) closers.push(() => opened.close());
    }
    const chatStore = await openChatStore({
      env,
      dataDir: config.dataDir,
      logger,
      ...(runtime && { runtime, runtimeStoreEmbedded }),
      ...(config.configFile && { configFile: config.configFile }),
      ...(options.inMemory && { inMemory: true }),
    });
    closers.push(() => chatStore.close());
    const tools =
      attached?.tools ?? createToolClient(config.mcp, { logger, env, ...(runtime && { runtime }) });
    if (!attached) closers.push(() => tools.close());
    const model = options.model ?? (await createModel(config.model, logger));
    // Loopback without sign-in or a shared token: one person at the keyboard, who owns every
    // anonymous conversation. A shared token or a proxy in front (--no-auth) means several
    // people, whose anonymous sessions are nobody's to list or open without their token.
    const anonymousOwner =
      !serverConfig.oidc &&
      !serverConfig.authToken &&
      !serverConfig.allowNoAuth &&
      isLoopbackAddress(serverConfig.host);
    const services = buildChatServices({
      config,
      chatStore,
      tools,
      logger,
      ...(model && { model }),
      ...(options.now && { now: options.now }),
      anonymousOwner,
    });
    const gateway = new ChatGateway({
      engine: services.engine,
      sessions: services.sessions,
      store: services.store,
      logger,
      newId: services.newId,
      ...(options.now && { now: options.now }),
      retentionDays: config.retentionDays,
      approvalTimeoutMs: config.approvalTimeoutMs,
      framesPerSecond: serverConfig.framesPerSecond,
      offlineNotice: OFFLINE_NOTICE,
      title: config.title,
      documents: tools,
      documentTimeoutMs: config.toolTimeoutMs,
      analytics: services.analytics,
      conversations: new ConversationFrames({
        store: services.store,
        anonymousOwner,
      }),
      sequence: options.unsequenced ? new MemoryFrameSequence() : services.sequence,
      frameLog: options.unsequenced ? noFrameLog : services.frameLog,
      detachedTurnMs: config.detachedTurnMs,
    });
    if (options.seedDocsDir)
      await seedDocuments(tools, options.seedDocsDir, logger, join(config.dataDir, '.seeded-docs'));
    const webRoot =
      options.webRoot === false
        ? undefined
        : (options.webRoot ?? fileURLToPath(new URL('../../web/', import.meta.url)));
    const server = await startLocalServer({
      gateway,
      config: serverConfig,
      logger,
      upload: { tools, pdfToText, ...(config.uploadGroups && { groups: config.uploadGroups }) },
      ...(webRoot && { webRoot }),
      ...(chatStore.health && { storeHealth: chatStore.health }),
      ...(options.jwksCooldownMs !== undefined && { jwksCooldownMs: options.jwksCooldownMs }),
    });
    closers.push(() => server.close());
    // Each closed session's socket closes as soon as its session does, not after the whole pass.
    const cleanup = async (): Promise<number> =>
      (await services.cleanup((sessionId) => gateway.sessionsClosed([sessionId]))).length;
    const every =
      options.cleanupIntervalMs ??
      serverConfig.cleanupIntervalMs ??
      Math.min(60_000, (config.sessionTimeoutMinutes * 60_000) / 2);
    if (every !== false) {
      // One pass at a time: under load a pass can outlast the interval, and overlapping passes
      // only add scans to the store they are waiting on.
      let pass: Promise<void> | undefined;
      const timer = setInterval(() => {
        pass ??= cleanup()
          .then(() => undefined)
          .catch((error: unknown) =>
            logger.warn('session cleanup failed', { message: String(error) }),
          )
          .finally(() => (pass = undefined));
      }, every);
      timer.unref();
      closers.push(async () => {
        clearInterval(timer);
        await pass; // a pass in flight finishes before the store closes
      });
    }
    logger.info('chat gateway listening', {
      url: server.url,
      model: model?.id ?? 'offline',
      mcp: config.mcp.kind,
    });
    if (runtime && options.warmUp !== false) warmUp(tools, runtime, logger);
    return {
      url: server.url,
      wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
      gateway,
      tools,
      store: services.store,
      ...(runtime && { runtime }),
      serverStats: () => server.stats(),
      cleanup,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The in-process MCP server and the document index load on first use, so the gateway serves
 * its page and sessions without waiting for them. Loading them as soon as it listens means the
 * first question need not wait either; a question that comes sooner waits for the same loads.
 */
function warmUp(tools: ToolClient, runtime: Runtime, logger: Logger): void {
  const started = Date.now();
  setImmediate(() => {
    Promise.all([tools.listTools(), runtime.documents.get()]).then(
      () => logger.info('tools and document index ready', { ms: Date.now() - started }),
      (error: unknown) =>
        logger.warn(
          'could not load the tools or the document index yet; the first question retries',
          {
            message: error instanceof Error ? error.message : String(error),
          },
        ),
    );
  });
}
