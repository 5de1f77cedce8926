import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayChannel } from '../../adapters/aws/apigw-channel.js';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import type { SessionsPort } from '../../core/sessions-port.js';
import { ClientGoneError, SessionNotFoundError } from '../../errors.js';
import { sessionFrame } from '../../core/session-frames.js';
import { SessionOutbox } from '../../core/session-outbox.js';
import type { ClientChannel } from '../../ports/client-channel.js';
import type { FrameSequence } from '../../ports/frame-sequence.js';
import type { WorkerEvent } from './worker-events.js';

export interface HelloDeps {
  sessions: SessionsPort;
  bindings: ConnectionBindings;
  connections: WebSocketConnections;
  sequence: FrameSequence;
  modelId: string | null;
  offlineNotice?: string;
  /** CHAT_TITLE, for the page. */
  title?: string;
  /** How long a post may meet GoneException while `$connect` is still completing. */
  retryMs: number;
}

/**
 * The first frame of a connection. `$connect` cannot post (the socket opens only after it
 * returns), so it hands this to the engine function, which posts once the connection is open:
 * GoneException is retried for `retryMs`, then the client counts as gone.
 */
export async function greet(
  deps: HelloDeps,
  event: Extract<WorkerEvent, { kind: 'hello' }>,
): Promise<void> {
  const { connectionId, sessionId } = event;
  const binding = await deps.bindings.get(connectionId);
  // Closed already, or resumed another session before this ran: nothing to announce.
  if (!binding || binding.gone || binding.sessionId !== sessionId) return;
  const channel = new ApiGatewayChannel(connectionId, deps.connections);
  // Minted here, where the frame is sent, so that no token travels in an invoke payload; only
  // while the session is live and this connection is still its last one. Else another tab
  // resumed it first (a signed-in owner opening it by id) and holds the newest token, which a
  // new one must not undo; this connection, never told of a session, is closed, so that the
  // page reconnects (a new session) rather than wait for a frame that never comes.
  let resumeToken: string;
  try {
    ({ resumeToken } = await deps.sessions.reissueToken(sessionId, connectionId));
  } catch (error) {
    if (!(error instanceof SessionNotFoundError)) throw error;
    await deps.bindings.markGone(connectionId).catch(() => undefined);
    await channel.close();
    return;
  }
  const frame = sessionFrame(
    {
      modelId: deps.modelId,
      ...(deps.offlineNotice && { offlineNotice: deps.offlineNotice }),
      ...(deps.title && { title: deps.title }),
    },
    sessionId,
    resumeToken,
    false,
  );
  const deadline = Date.now() + deps.retryMs;
  // The frame is numbered once; its posts are retried while `$connect` completes.
  const patient: ClientChannel = {
    connectionId,
    close: () => channel.close(),
    send: async (numbered) => {
      for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
        try {
          return await channel.send(numbered);
        } catch (error) {
          if (!(error instanceof ClientGoneError) || Date.now() >= deadline) throw error;
          if ((await deps.bindings.get(connectionId))?.gone) throw error;
          await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
        }
      }
    },
  };
  await new SessionOutbox(deps.sequence).send(sessionId, frame, () => [patient]);
}
