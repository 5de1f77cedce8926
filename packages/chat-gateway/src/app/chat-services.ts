import type { Logger } from 'chatbot-mcp-server/core';
import {
  AtomicFrameSequence,
  ReservingFrameSequence,
} from '../adapters/records/frame-sequences.js';
import { RecordSessionStore } from '../adapters/records/record-session-store.js';
import { StoreFrameLog } from '../adapters/records/store-frame-log.js';
import { WriteThroughClaims } from '../adapters/records/write-through-claims.js';
import { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import type { GatewayConfig } from '../config.js';
import type { SessionsPort } from '../core/sessions-port.js';
import { ChatEngine } from '../engine/chat-engine.js';
import type { EngineEvents } from '../engine/engine-events.js';
import { ToolPermissions } from '../engine/tool-permissions.js';
import type { ChatModel } from '../ports/chat-model.js';
import type { FrameLog } from '../ports/frame-log.js';
import type { FrameSequence } from '../ports/frame-sequence.js';
import type { QueryType, SessionStore } from '../ports/session-store.js';
import type { ToolClient } from '../ports/tool-client.js';
import { createIdGenerator } from '../sessions/ids.js';
import { SessionManager } from '../sessions/session-manager.js';
import { sessionsPortOf } from '../sessions/sessions-port-of.js';
import { chatTableSpecs } from './chat-tables.js';
import type { ChatRecordStore } from './open-chat-store.js';

export interface ChatServices {
  engine: ChatEngine;
  sessions: SessionsPort;
  store: SessionStore;
  analytics: AnalyticsRecorder;
  /** The `seq` counters of the sessions' frames, kept with the sessions. */
  sequence: FrameSequence;
  /** The sessions' frames, for `resume` to replay (CHAT_RESUME_WINDOW_SECONDS). */
  frameLog: FrameLog;
  newId: () => string;
  /** Closes inactive sessions; returns their ids. `onClosed` hears of each as it closes. */
  cleanup(onClosed?: (sessionId: string) => Promise<void>): Promise<string[]>;
}

/**
 * The wiring every composition root shares (local server, Lambda handlers): the chat's store,
 * analytics, session manager and engine. The roots add their transport.
 */
export function buildChatServices(deps: {
  config: GatewayConfig;
  chatStore: ChatRecordStore;
  tools: ToolClient;
  logger: Logger;
  model?: ChatModel;
  now?: () => number;
  /** Anonymous sessions belong to one user (a local gateway without sign-in). */
  anonymousOwner?: boolean;
}): ChatServices {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const tables = chatTableSpecs(deps.chatStore.tables);
  const records = new RecordSessionStore({
    store: deps.chatStore.store,
    tables,
    // On a store only this process writes, a claim of another owner is from a process that died.
    claims: { exclusive: deps.chatStore.exclusive },
  });
  // Only this process writes an exclusive store: claims can be decided here, then written.
  const store = deps.chatStore.exclusive ? new WriteThroughClaims(records) : records;
  const analytics = new AnalyticsRecorder({
    store,
    logger,
    now,
    retentionDays: config.retentionDays,
  });
  const manager = new SessionManager({
    store,
    timeoutMinutes: config.sessionTimeoutMinutes,
    retentionDays: config.retentionDays,
    events: analytics,
    now,
    anonymousOwner: deps.anonymousOwner ?? false,
  });
  const events: EngineEvents = {
    query: (sessionId, d) =>
      void analytics.query(sessionId, {
        route: d.route as QueryType,
        reason: d.reason,
        latencyMs: d.latencyMs,
        modelId: d.model,
        finishReason: d.finishReason,
        ...(d.inputTokens !== undefined && { inputTokens: d.inputTokens }),
        ...(d.outputTokens !== undefined && { outputTokens: d.outputTokens }),
      }),
    toolUsage: (sessionId, d) =>
      void analytics.toolUsage(sessionId, {
        tool: d.tool,
        isError: d.isError,
        durationMs: d.ms,
        ...(d.approved !== undefined && { approved: d.approved }),
      }),
  };
  const engine = new ChatEngine({
    tools: deps.tools,
    logger,
    events,
    ragMinScore: config.ragMinScore,
    ragLimit: config.ragLimit,
    toolTimeoutMs: config.toolTimeoutMs,
    historyTokenBudget: config.historyTokenBudget,
    ...(deps.model && { model: deps.model }),
    permissions: new ToolPermissions({
      ...(config.uploadGroups && { uploadGroups: config.uploadGroups }),
      ...(config.destructiveToolGroups && { destructiveToolGroups: config.destructiveToolGroups }),
      identityOf: async (sessionId) => (await store.getSession(sessionId))?.clientInfo?.identity,
    }),
  });
  const counters = {
    store: deps.chatStore.store,
    conversations: tables.conversations,
    expiresAt: () => Math.floor(now() / 1000) + config.retentionDays * 86_400,
  };
  return {
    engine,
    sessions: sessionsPortOf(manager),
    store,
    analytics,
    // Only this process writes an exclusive store: counted in memory, reserved in blocks. Else
    // (AWS) two functions send frames of one session: one atomic update per frame.
    sequence: deps.chatStore.exclusive
      ? new ReservingFrameSequence(counters)
      : new AtomicFrameSequence(counters),
    frameLog: new StoreFrameLog({
      store: deps.chatStore.store,
      conversations: tables.conversations,
      logger,
      windowMs: config.resumeWindowMs,
      now,
    }),
    newId: createIdGenerator(now),
    cleanup: async (onClosed) =>
      (
        await manager.cleanupInactiveSessions(onClosed && ((c) => onClosed(c.sessionId)))
      ).closed.map((c) => c.sessionId),
  };
}
