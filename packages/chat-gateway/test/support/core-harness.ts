import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { loadConfig, silentLogger } from 'chatbot-mcp-server/core';
import { createRuntime, type Runtime } from 'chatbot-mcp-server/runtime';
import { McpToolClient } from '../../src/adapters/mcp/mcp-tool-client.js';
import { inProcessTransport } from '../../src/adapters/mcp/transports.js';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { OFFLINE_NOTICE } from '../../src/config.js';
import { ChatGateway } from '../../src/core/chat-gateway.js';
import { ChatEngine } from '../../src/engine/chat-engine.js';
import type { ChatModel } from '../../src/ports/chat-model.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { Identity } from '../../src/ports/session-store.js';
import { RecordingChannel } from './fake-channel.js';
import { MemorySessionStore } from './memory-session-store.js';
import { memorySessions } from './memory-sessions.js';

export const EXAMPLE_DOCS = new URL('../../../../examples/docs/', import.meta.url).pathname;

export interface CoreHarness {
  runtime: Runtime;
  tools: ToolClient;
  store: MemorySessionStore;
  gateway: ChatGateway;
  /** A new connection; with `identity`, of that signed-in user. */
  connect(identity?: Identity): Promise<RecordingChannel>;
  close(): Promise<void>;
}

let channels = 0;

/**
 * The real engine and core over the real MCP server in-process (embedded records in memory, a
 * LanceDB index in a temp folder with the sample documents); only the chat's own session store
 * is in memory here.
 */
export async function coreHarness(
  options: {
    model?: ChatModel;
    ingestExamples?: boolean;
    approvalTimeoutMs?: number;
    toolTimeoutMs?: number;
    tools?: (t: ToolClient) => ToolClient;
    /** The MCP server's tables file (CHATBOT_CONFIG); the default tables otherwise. */
    tablesFile?: string;
  } = {},
): Promise<CoreHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-core-'));
  const config = loadConfig(
    {},
    { dataDir, ...(options.tablesFile && { configFile: options.tablesFile }) },
  );
  const runtime = await createRuntime(config, silentLogger, {
    inMemory: true,
  });
  const base = new McpToolClient({
    connect: inProcessTransport(runtime, silentLogger),
    name: 'in-process',
    logger: silentLogger,
  });
  const tools = options.tools ? options.tools(base) : base;
  if (options.ingestExamples !== false) {
    for (const file of readdirSync(EXAMPLE_DOCS)) {
      const type = { '.md': 'text/markdown', '.txt': 'text/plain', '.html': 'text/html' }[
        extname(file)
      ];
      if (!type) continue;
      await tools.callTool('ingest_document', {
        source: file,
        content: readFileSync(join(EXAMPLE_DOCS, file), 'utf8'),
        content_type: type,
      });
    }
  }
  const store = new MemorySessionStore();
  let seq = 0;
  const engine = new ChatEngine({
    tools,
    logger: silentLogger,
    ragMinScore: 0.45,
    ragLimit: 5,
    toolTimeoutMs: options.toolTimeoutMs ?? 10_000,
    historyTokenBudget: 2000,
    ...(options.model && { model: options.model }),
  });
  const gateway = new ChatGateway({
    engine,
    sessions: memorySessions(store),
    store,
    logger: silentLogger,
    newId: () =>
      `${Date.now().toString(36).padStart(10, '0')}${(seq++).toString(36).padStart(6, '0')}`.toUpperCase(),
    retentionDays: 1,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 10_000,
    framesPerSecond: 1000,
    offlineNotice: OFFLINE_NOTICE,
    documents: tools,
    analytics: new AnalyticsRecorder({ store, logger: silentLogger }),
  });
  return {
    runtime,
    tools,
    store,
    gateway,
    async connect(identity?: Identity) {
      const channel = new RecordingChannel(`c${++channels}`);
      await gateway.open(channel, { userAgent: 'test', ...(identity && { identity }) });
      return channel;
    },
    async close() {
      await tools.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sends a frame object as a text frame. */
export function send(h: CoreHarness, channel: RecordingChannel, frame: unknown): Promise<void> {
  return h.gateway.receive(channel, typeof frame === 'string' ? frame : JSON.stringify(frame));
}
