import { randomUUID } from 'node:crypto';
import { errorFields, type Logger } from 'chatbot-mcp-server/core';
import type { ChatEngine, FailedTurn } from '../engine/chat-engine.js';
import { contentToStore } from '../engine/answer-limit.js';
import type { TurnOutcome, TurnSink } from '../engine/turn.js';
import type { ModelMessage } from '../ports/chat-model.js';
import type { ToolCaller } from '../ports/tool-client.js';
import { ChatError, ClientGoneError } from '../errors.js';
import type { ConversationRecord, SessionStore } from '../ports/session-store.js';
import type { Citation, SessionBroadcastFrame } from '../protocol/frames.js';
import type { ApprovalGate } from './approvals.js';
import { toModelHistory } from './history-view.js';

export interface TurnDeps {
  engine: ChatEngine;
  store: SessionStore;
  approvals: ApprovalGate;
  logger: Logger;
  newId: () => string;
  now: () => number;
  retentionDays: number;
  /** Messages of history loaded for the model (then cut to the token budget). */
  historyMessages?: number;
}

/** How often a claim's lease is renewed while its turn waits or runs (the lease is 60 s). */
export const CLAIM_RENEW_MS = 20_000;

export interface TurnRequest {
  sessionId: string;
  clientMessageId: string;
  content: string;
  signal: AbortSignal;
  /** Sends to whichever connection the session has now; rejects with ClientGoneError. */
  send: (frame: SessionBroadcastFrame) => Promise<void>;
  /** The claim was taken over from a turn that died: its user message may be stored already. */
  takenOver?: boolean;
  /** Whom the turn's tool calls are for: the session's user, or anonymous. */
  caller: ToolCaller;
}

/**
 * One chat turn from user message to persisted answer. The user message is written while the
 * engine starts (the first delta does not wait for it), but nothing with an effect waits on
 * less: a tool call, and the stored answer, go ahead only once the user message is stored. The
 * answer is stored (with what was streamed, also when cancelled or failed) before the `finish`
 * frame goes out. A turn that failed in a way the client may retry frees its claimed id, so
 * sending the same message again runs it.
 */
export async function runTurn(deps: TurnDeps, request: TurnRequest): Promise<void> {
  const { sessionId, clientMessageId } = request;
  const started = deps.now();
  const ttl = Math.floor(started / 1000) + deps.retentionDays * 86_400;
  const earlier = request.takenOver
    ? await earlierAttempt(deps, sessionId, clientMessageId)
    : undefined;
  const userMessageId = earlier?.messageId ?? deps.newId();
  // Loaded on first use (the offline engine never needs it); messages from this turn on are left out.
  let history: Promise<ModelMessage[]> | undefined;
  const loadHistory = (): Promise<ModelMessage[]> =>
    (history ??= deps.store
      .listMessages(sessionId, { limit: deps.historyMessages ?? 20, before: userMessageId })
      .then(toModelHistory));
  // A turn taken over from a dead one answers the user message stored then (no second copy).
  const userStored = earlier
    ? Promise.resolve()
    : deps.store.appendMessage({
        sessionId,
        messageId: userMessageId,
        timestamp: new Date(started).toISOString(),
        messageType: 'user',
        content: request.content,
        clientMessageId,
        ttl,
      });
  // Awaited below; until then a failure must not count as unhandled.
  userStored.catch(() => undefined);
  const messageId = deps.newId();
  const controller = new AbortController();
  const signal = AbortSignal.any([request.signal, controller.signal]);
  const send = async (frame: SessionBroadcastFrame): Promise<void> => {
    try {
      await request.send(frame);
    } catch (error) {
      // The client is away: the frame is in the log for its resume, and the transport decides
      // when an unattended answer stops (CHAT_DETACHED_TURN_SECONDS).
      if (error instanceof ClientGoneError) return;
      controller.abort(error);
      throw error;
    }
  };
  // Kept with the answer: after a reload its citations still open the viewer at the passage.
  const citations: Citation[] = [];
  const sink: TurnSink = {
    start: (queryType, reason) =>
      send({ type: 'start', messageId, replyTo: clientMessageId, queryType, reason }),
    textDelta: (delta) => send({ type: 'text-delta', messageId, delta }),
    source: (s) => {
      citations.push({
        n: s.n,
        source: s.source,
        ...(s.title !== undefined && { title: s.title }),
        snippet: s.snippet,
      });
      return send({ type: 'source', messageId, ...s });
    },
    toolCall: async (c) => {
      await userStored;
      return send({ type: 'tool-call', messageId, ...c });
    },
    approve: async (c) => {
      await userStored;
      const waiting = deps.approvals.wait(sessionId, c.toolCallId, signal);
      await send({ type: 'confirm-request', messageId, ...c });
      return waiting;
    },
    toolResult: (r) => send({ type: 'tool-result', messageId, ...r }),
  };
  const processed = await deps.engine.processMessage({
    sessionId,
    clientMessageId,
    content: request.content,
    history: loadHistory,
    signal,
    sink,
    caller: request.caller,
  });
  // What is stored must fit one record; the finish frame says the same as the history.
  const outcome = { ...processed, content: contentToStore(processed.content) };
  const finished = deps.now();
  const responseTime = finished - started;
  try {
    await userStored;
    await deps.store.appendMessage({
      sessionId,
      messageId,
      timestamp: new Date(finished).toISOString(),
      messageType: 'assistant',
      content: outcome.content,
      replyTo: userMessageId,
      clientMessageId,
      queryType: outcome.queryType,
      sources: outcome.sources,
      toolsUsed: outcome.toolsUsed,
      responseTime,
      finishReason: outcome.finishReason,
      ...(citations.length > 0 && { citations }),
      ...(outcome.usage && { usage: outcome.usage }),
      ttl,
    });
  } catch (error) {
    // Not stored: the client is told to send it again, and the same id will be run.
    await release(deps, sessionId, clientMessageId);
    throw error;
  }
  if ('error' in outcome) logFailure(deps.logger, outcome, sessionId);
  const stoppedByServer =
    outcome.finishReason === 'cancelled' &&
    signal.reason instanceof ChatError &&
    !(signal.reason instanceof ClientGoneError);
  if (stoppedByServer) {
    // Stopped by the server (shutdown, deadline, no client came back), not by the user: say why.
    await send({
      type: 'error',
      code: signal.reason.code,
      message: signal.reason.message,
      retryable: signal.reason.retryable,
      replyTo: clientMessageId,
    }).catch(() => undefined);
  }
  const retryable =
    (stoppedByServer && signal.reason.retryable) || ('error' in outcome && outcome.error.retryable);
  if (retryable) await release(deps, sessionId, clientMessageId);
  else await complete(deps, sessionId, clientMessageId);
  if (signal.aborted && signal.reason instanceof ClientGoneError) return;
  await sendOutcome(send, outcome, {
    sessionId,
    messageId,
    clientMessageId,
    finished,
    responseTime,
  }).catch(() => undefined);
}

/**
 * Renews the lease of a claimed message id until the returned function is called: from the
 * claim until its turn ends (queued turns included), so that only a dead process loses it.
 */
export function keepClaim(
  deps: Pick<TurnDeps, 'store' | 'logger'>,
  sessionId: string,
  clientMessageId: string,
  everyMs = CLAIM_RENEW_MS,
): () => void {
  const timer = setInterval(() => {
    deps.store.renewMessageClaim(sessionId, clientMessageId).catch((error: unknown) =>
      deps.logger.warn('could not renew the claim of a running turn', {
        sessionId,
        clientMessageId,
        ...errorFields(error),
      }),
    );
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * The user message of a turn that died with the claim now taken over (among the newest
 * messages), or undefined. Its answer stored after all (the claim was just not marked answered)
 * makes the re-send a duplicate.
 */
async function earlierAttempt(
  deps: TurnDeps,
  sessionId: string,
  clientMessageId: string,
): Promise<ConversationRecord | undefined> {
  const recent = await deps.store.listMessages(sessionId, { limit: 50 });
  const mine = recent.filter((m) => m.clientMessageId === clientMessageId);
  if (mine.some((m) => m.messageType === 'assistant')) {
    await complete(deps, sessionId, clientMessageId);
    throw new ChatError(
      'DUPLICATE_MESSAGE',
      `Message ${clientMessageId} was already received; it is answered once (see the history).`,
      false,
    );
  }
  return mine.find((m) => m.messageType === 'user');
}

/** Marks the id answered for good; if that fails, its lease still runs out (then a re-send looks at the history). */
async function complete(deps: TurnDeps, sessionId: string, clientMessageId: string): Promise<void> {
  await deps.store.completeMessage(sessionId, clientMessageId).catch((error: unknown) =>
    deps.logger.warn('could not mark a message answered', {
      sessionId,
      clientMessageId,
      ...errorFields(error),
    }),
  );
}

/** Frees the id for a resend; if even that fails, the log says so (the client sees DUPLICATE). */
async function release(deps: TurnDeps, sessionId: string, clientMessageId: string): Promise<void> {
  await deps.store.releaseMessage(sessionId, clientMessageId).catch((error: unknown) =>
    deps.logger.warn('could not free a failed message id for a resend', {
      sessionId,
      clientMessageId,
      ...errorFields(error),
    }),
  );
}

/** Details go to the log; an unexpected failure gets a reference the user can quote. */
function logFailure(logger: Logger, outcome: FailedTurn, sessionId: string): void {
  const { error } = outcome;
  if (error.code !== 'INTERNAL') {
    logger.warn('turn failed', {
      sessionId,
      code: error.code,
      message: error.message,
      ...(error.cause !== undefined && errorFields(error.cause)),
    });
    return;
  }
  const reference = randomUUID().slice(0, 8);
  logger.error('turn failed unexpectedly', {
    sessionId,
    reference,
    ...errorFields(error.cause ?? error),
  });
  outcome.error = new ChatError(
    error.code,
    `${error.message} If it persists, report reference ${reference}.`,
    error.retryable,
  );
}

async function sendOutcome(
  send: (frame: SessionBroadcastFrame) => Promise<void>,
  outcome: TurnOutcome | FailedTurn,
  ids: {
    sessionId: string;
    messageId: string;
    clientMessageId: string;
    finished: number;
    responseTime: number;
  },
): Promise<void> {
  if ('error' in outcome) {
    await send({
      type: 'error',
      code: outcome.error.code,
      message: outcome.error.message,
      retryable: outcome.error.retryable,
      replyTo: ids.clientMessageId,
    });
  }
  await send({
    type: 'finish',
    messageId: ids.messageId,
    finishReason: outcome.finishReason,
    response: {
      sessionId: ids.sessionId,
      messageId: ids.messageId,
      content: outcome.content,
      timestamp: new Date(ids.finished).toISOString(),
      sources: outcome.sources,
      toolsUsed: outcome.toolsUsed,
      queryType: outcome.queryType,
      responseTime: ids.responseTime,
    },
    ...(outcome.usage && { usage: outcome.usage }),
  });
}
