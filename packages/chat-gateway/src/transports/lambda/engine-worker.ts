import { errorFields } from 'chatbot-mcp-server/core';
import { StoreApprovalGate } from '../../adapters/records/aws-store-approval-gate.js';
import { OFFLINE_NOTICE } from '../../config.js';
import { ClientGoneError } from '../../errors.js';
import { containerOnce } from './lambda-container.js';
import { parseWorkerEvent } from './worker-events.js';
import { greet } from './worker-hello.js';
import { runWorkerTurn } from './worker-turn.js';

const container = containerOnce();

/** The part of the Lambda context the engine reads: how long until the function times out. */
export interface LambdaTimeLeft {
  getRemainingTimeInMillis(): number;
}

/**
 * The engine function, invoked asynchronously by the WebSocket function: `hello` greets a new
 * connection with its `session` frame; `turn` runs one chat turn and streams it through the
 * management API. Failures reach the client as `error` frames; the handler resolves anyway, so
 * Lambda never retries a turn (a retry would stream a second answer). A turn still running
 * shortly before the function's timeout is stopped (TURN_DEADLINE_MARGIN_MS), so its partial
 * answer is stored and the client hears of it.
 */
export async function handler(payload: unknown, context?: LambdaTimeLeft): Promise<void> {
  const started = Date.now();
  const event = parseWorkerEvent(payload);
  const c = await container.get();
  const { services, lambda, logger } = c;
  try {
    if (event.kind === 'hello') {
      await greet(
        {
          sessions: services.sessions,
          bindings: c.bindings,
          connections: c.connections,
          sequence: services.sequence,
          modelId: services.engine.modelId,
          offlineNotice: OFFLINE_NOTICE,
          title: c.config.title,
          retryMs: lambda.helloRetryMs,
        },
        event,
      );
      return;
    }
    const approvals = new StoreApprovalGate({
      markers: c.markers,
      logger,
      timeoutMs: c.config.approvalTimeoutMs,
      pollMs: lambda.pollMs,
    });
    await runWorkerTurn(
      {
        turn: {
          engine: services.engine,
          store: services.store,
          approvals,
          logger,
          newId: services.newId,
          now: Date.now,
          retentionDays: c.config.retentionDays,
        },
        bindings: c.bindings,
        markers: c.markers,
        queue: c.queue,
        sequence: services.sequence,
        frameLog: services.frameLog,
        detachedTurnMs: c.config.detachedTurnMs,
        connections: c.connections,
        logger,
        pollMs: lambda.pollMs,
        ...(context && {
          deadline: turnDeadline(started, context.getRemainingTimeInMillis(), lambda),
        }),
      },
      event,
    );
  } catch (error) {
    if (error instanceof ClientGoneError) {
      // A client gone before its greeting is a drive-by connection, not news.
      const fields = { kind: event.kind, sessionId: event.sessionId };
      if (event.kind === 'hello') logger.debug('client gone', fields);
      else logger.info('client gone', fields);
      return;
    }
    logger.error('engine invocation failed', {
      kind: event.kind,
      sessionId: event.sessionId,
      ...errorFields(error),
    });
  }
}

/**
 * When a turn is stopped: the margin before the function's timeout, but never before half of
 * the time left (a timeout set shorter than the margin must not stop every turn at once).
 */
function turnDeadline(
  started: number,
  remainingMs: number,
  lambda: { turnDeadlineMarginMs: number },
): number {
  return started + Math.max(remainingMs - lambda.turnDeadlineMarginMs, remainingMs / 2);
}

/** Tests: closes what this module's container opened. */
export function closeForTests(): Promise<void> {
  return container.close();
}
