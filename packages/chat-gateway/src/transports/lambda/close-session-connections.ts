import type { Logger } from 'chatbot-mcp-server/core';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import type { SessionStore } from '../../ports/session-store.js';

export interface CloseConnectionsDeps {
  bindings: ConnectionBindings;
  connections: WebSocketConnections;
  store: Pick<SessionStore, 'getSession'>;
  logger: Logger;
}

/**
 * Closes the API Gateway connections of a session the cleanup job closed (one already gone is
 * fine): each is marked gone first, so a turn posting to it stops.
 */
export async function closeSessionConnections(
  deps: CloseConnectionsDeps,
  sessionId: string,
): Promise<void> {
  // Every tab of the session, and the connection the record names (a session from before tabs).
  const attached = await deps.bindings.attached.list(sessionId).catch(() => []);
  const named = (await deps.store.getSession(sessionId))?.connectionId;
  for (const connectionId of new Set([...attached, ...(named ? [named] : [])])) {
    await deps.bindings.markGone(connectionId).catch(() => undefined);
    await deps.connections
      .delete(connectionId)
      .catch((error: unknown) =>
        deps.logger.warn('could not close a connection', { sessionId, message: String(error) }),
      );
  }
}
