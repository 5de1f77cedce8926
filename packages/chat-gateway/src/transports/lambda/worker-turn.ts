import type { Logger } from 'chatbot-mcp-server/core';
import { ApiGatewayChannel } from '../../adapters/aws/apigw-channel.js';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import type { TurnMarkers } from '../../adapters/records/aws-turn-markers.js';
import type { TurnQueue } from '../../adapters/records/aws-turn-queue.js';
import { SessionOutbox } from '../../core/session-outbox.js';
import type { ClientChannel } from '../../ports/client-channel.js';
import type { FrameLog } from '../../ports/frame-log.js';
import type { FrameSequence } from '../../ports/frame-sequence.js';
import { CLAIM_RENEW_MS, keepClaim, runTurn, type TurnDeps } from '../../core/turn-runner.js';
import { ChatError, ClientGoneError, DetachedError } from '../../errors.js';
import type { ServerFrame } from '../../protocol/frames.js';
import { toErrorFrame } from '../../core/error-frame.js';
import type { WorkerEvent } from './worker-events.js';
import { callerOf } from '../../ports/tool-client.js';

export interface WorkerTurnDeps {
  turn: TurnDeps;
  store: TurnDeps['store'];
  bindings: ConnectionBindings;
  markers: TurnMarkers;
  /** One turn at a time per session, in arrival order. */
  queue: TurnQueue;
  /** Numbers the session's frames (`seq`), shared with the WebSocket function. */
  sequence: FrameSequence;
  /** Keeps the frames for a resume to replay, also from another container. */
  frameLog: FrameLog;
  /** How long the answer goes on after its client left (CHAT_DETACHED_TURN_SECONDS). */
  detachedTurnMs: number;
  connections: WebSocketConnections;
  logger: Logger;
  /** How often the store is read for a `cancel` or a closed connection. */
  pollMs: number;
  /** Epoch ms at which a turn still running is stopped (before the function times out). */
  deadline?: number;
}

/** The turn outlived the engine function's time; what it said so far is kept. */
export class TurnDeadlineError extends ChatError {
  constructor() {
    super(
      'TURN_TIMEOUT',
      'The answer took too long and was stopped; what it said so far is kept. Send the message again to retry.',
      true,
    );
  }
}

/**
 * One turn in the engine function: `runTurn` with frames posted to the session's connection.
 * The WebSocket function cannot reach this invocation, so a `cancel` and a `$disconnect` come
 * through the store and are polled. When the client goes away the answer goes on into the
 * frame log for up to `detachedTurnMs`, then stops as a cancel does; a session resumed on
 * another connection takes its running answer along (the turn's frames are posted there again).
 */
export async function runWorkerTurn(
  deps: WorkerTurnDeps,
  event: Extract<WorkerEvent, { kind: 'turn' }>,
): Promise<void> {
  const { sessionId, clientMessageId } = event;
  let connectionId = event.connectionId;
  const controller = new AbortController();

  /** The session's connection now, when it moved; undefined when the client is simply gone. */
  const moved = async (): Promise<string | undefined> => {
    const now = (await deps.store.getSession(sessionId))?.connectionId;
    return now && now !== connectionId ? now : undefined;
  };
  // This turn's frames as numbered: a client that resumes on another connection gets them all
  // again (it drops the seqs it has), whatever it missed in between.
  const turnFrames: ServerFrame[] = [];
  let awaySince: number | undefined;
  const post = (id: string, frame: ServerFrame): Promise<void> =>
    new ApiGatewayChannel(id, deps.connections).send(frame);
  const follow = async (next: string): Promise<void> => {
    connectionId = next;
    awaySince = undefined;
    for (const frame of turnFrames) await post(next, frame).catch(() => undefined);
  };
  // Posts to whichever connection the session has now; with none, the frame is only logged.
  const following: ClientChannel = {
    get connectionId() {
      return connectionId;
    },
    close: () => new ApiGatewayChannel(connectionId, deps.connections).close(),
    send: async (frame) => {
      turnFrames.push(frame);
      try {
        return await post(connectionId, frame);
      } catch (error) {
        const next = error instanceof ClientGoneError ? await moved() : undefined;
        if (!next) {
          if (error instanceof ClientGoneError) awaySince ??= Date.now();
          throw error;
        }
        await follow(next);
      }
    },
  };
  const outbox = new SessionOutbox(deps.sequence, deps.frameLog);
  const send = (frame: ServerFrame): Promise<void> =>
    outbox.send(sessionId, frame, () => [following]);

  const timer =
    deps.deadline === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new TurnDeadlineError()),
          Math.max(0, deps.deadline - Date.now()),
        );

  let polling = true;
  const poll = (async () => {
    while (polling && !controller.signal.aborted) {
      await new Promise((r) => setTimeout(r, deps.pollMs));
      if (!polling) return;
      try {
        if (await deps.markers.isCancelled(sessionId, clientMessageId)) {
          controller.abort(new Error('cancelled by the user'));
        } else if ((await deps.bindings.get(connectionId))?.gone) {
          const next = await moved();
          // Between two frames, so the repost and the live frames stay in order.
          if (next) await outbox.exclusive(sessionId, () => follow(next));
          else {
            awaySince ??= Date.now();
            // Nobody came back in time: stop as a cancel does (the answer so far is kept).
            if (Date.now() - awaySince >= deps.detachedTurnMs)
              controller.abort(new DetachedError(Math.round(deps.detachedTurnMs / 1000)));
          }
        }
      } catch (error) {
        deps.logger.warn('could not poll for cancel', { sessionId, message: String(error) });
      }
    }
  })();

  const { ticket } = event;
  const stopRenewing = keepClaim(deps.turn, sessionId, clientMessageId);
  const renewTicket =
    ticket === undefined
      ? undefined
      : setInterval(
          () => void deps.queue.renew(sessionId, ticket).catch(() => undefined),
          CLAIM_RENEW_MS,
        );
  renewTicket?.unref?.();
  try {
    // The session's earlier turns first; a cancel or a closed connection ends the wait.
    if (ticket !== undefined)
      while (!controller.signal.aborted && !(await deps.queue.mayRun(sessionId, ticket)))
        await new Promise((r) => setTimeout(r, deps.pollMs));
    // The session's signed-in user (none: anonymous), as its connection recorded it.
    const session = await deps.store.getSession(sessionId);
    await runTurn(deps.turn, {
      caller: callerOf(session?.clientInfo?.identity),
      sessionId,
      clientMessageId,
      content: event.content,
      signal: controller.signal,
      send,
      ...(event.takenOver === true && { takenOver: true }),
    });
  } catch (error) {
    if (!(error instanceof ClientGoneError))
      await send(toErrorFrame(error, deps.logger, clientMessageId)).catch(() => undefined);
  } finally {
    // Written before the function returns: Lambda freezes the container afterwards.
    await deps.frameLog.flush(sessionId);
    stopRenewing();
    clearInterval(renewTicket);
    if (ticket !== undefined)
      await deps.queue
        .done(sessionId, ticket)
        .catch((error: unknown) =>
          deps.logger.warn('could not mark a turn done', { sessionId, message: String(error) }),
        );
    clearTimeout(timer);
    polling = false;
    await poll;
  }
}
