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
import type { ServerFrame, SessionBroadcastFrame } from '../../protocol/frames.js';
import { toErrorFrame } from '../../core/error-frame.js';
import type { WorkerEvent } from './worker-events.js';
import { callerOf } from '../../ports/tool-client.js';

export interface WorkerTurnDeps {
  turn: TurnDeps;
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
 * One turn in the engine function: `runTurn` with each frame posted to every connection (tab)
 * attached to the session. The WebSocket function cannot reach this invocation, so a `cancel`
 * and the session's set of connections come through the store and are polled. When the last
 * client goes away the answer goes on into the frame log for up to `detachedTurnMs`, then
 * stops as a cancel does; a connection that joins the session (a resume, another tab) gets the
 * running answer's frames posted again.
 */
export async function runWorkerTurn(
  deps: WorkerTurnDeps,
  event: Extract<WorkerEvent, { kind: 'turn' }>,
): Promise<void> {
  const { sessionId, clientMessageId } = event;
  const controller = new AbortController();

  // This turn's frames as numbered: a connection that joins the session gets them all again
  // (the client drops the seqs it has), whatever it missed in between.
  const turnFrames: ServerFrame[] = [];
  let awaySince: number | undefined;
  const post = (id: string, frame: ServerFrame): Promise<void> =>
    new ApiGatewayChannel(id, deps.connections).send(frame);
  /** The session's connections as last read; each has been sent every frame of the turn. */
  let members = new Set(await deps.bindings.attached.list(sessionId).catch(() => []));
  if (members.size === 0) members.add(event.connectionId);
  const drop = (id: string): void => {
    members.delete(id);
    void deps.bindings.attached.remove(sessionId, id).catch(() => undefined);
  };
  /** Reads the session's connections again; one that joined gets the turn's frames so far. */
  const refresh = async (): Promise<void> => {
    const now = await deps.bindings.attached.list(sessionId);
    const joined = now.filter((id) => !members.has(id));
    members = new Set(now);
    for (const id of joined)
      for (const frame of turnFrames)
        await post(id, frame).catch((error: unknown) => {
          if (error instanceof ClientGoneError) drop(id);
        });
    if (members.size > 0) awaySince = undefined;
  };
  // Posts to every connection the session has now (a 410 drops that one); with none, the
  // frame is only logged.
  const fanOut: ClientChannel = {
    get connectionId() {
      return [...members][0] ?? event.connectionId;
    },
    close: () => Promise.resolve(),
    send: async (frame) => {
      turnFrames.push(frame);
      const ids = [...members];
      const results = await Promise.allSettled(ids.map((id) => post(id, frame)));
      results.forEach((r, i) => {
        if (r.status === 'rejected' && r.reason instanceof ClientGoneError) drop(ids[i]!);
      });
      if (results.some((r) => r.status === 'fulfilled')) return;
      const failure = results.find(
        (r): r is PromiseRejectedResult =>
          r.status === 'rejected' && !(r.reason instanceof ClientGoneError),
      );
      if (failure) throw failure.reason;
      // Everyone seen so far is gone: a tab that joined meanwhile gets this frame too.
      await refresh();
      if (members.size > 0) return;
      awaySince ??= Date.now();
      throw new ClientGoneError(ids[0] ?? event.connectionId);
    },
  };
  const outbox = new SessionOutbox(deps.sequence, deps.frameLog);
  const send = (frame: SessionBroadcastFrame): Promise<void> =>
    outbox.send(sessionId, frame, () => [fanOut]);

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
        } else {
          // Between two frames, so a repost and the live frames stay in order.
          await outbox.exclusive(sessionId, refresh);
          if (members.size === 0) {
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
    // The sender, as the WebSocket function had it from the authorizer (none: anonymous).
    await runTurn(deps.turn, {
      caller: callerOf(event.identity),
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
    // A connection that joined after the last read of the set may have read the log before
    // the lines above wrote the turn's last frames: read the set once more, now that the log
    // is complete, and send the turn to whoever joined.
    await outbox.exclusive(sessionId, refresh).catch(() => undefined);
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
