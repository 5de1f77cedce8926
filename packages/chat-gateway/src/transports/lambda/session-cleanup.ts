import { containerOnce } from './lambda-container.js';

const container = containerOnce();

/**
 * The scheduled cleanup (EventBridge): closes sessions inactive past SESSION_TIMEOUT_MINUTES
 * and deletes their API Gateway connections (every tab's) (one already gone is fine). Returns the count for
 * the function's log.
 */
export async function handler(): Promise<{ closed: number }> {
  const c = await container.get();
  const closed = await c.services.cleanup();
  for (const sessionId of closed) {
    // Every tab of the session, and the connection the record names (a session from before tabs).
    const attached = await c.bindings.attached.list(sessionId).catch(() => []);
    const named = (await c.services.store.getSession(sessionId))?.connectionId;
    for (const connectionId of new Set([...attached, ...(named ? [named] : [])])) {
      await c.bindings.markGone(connectionId).catch(() => undefined);
      await c.connections
        .delete(connectionId)
        .catch((error: unknown) =>
          c.logger.warn('could not close a connection', { sessionId, message: String(error) }),
        );
    }
  }
  c.logger.info('session cleanup done', { closed: closed.length });
  return { closed: closed.length };
}

/** Tests: closes what this module's container opened. */
export function closeForTests(): Promise<void> {
  return container.close();
}
