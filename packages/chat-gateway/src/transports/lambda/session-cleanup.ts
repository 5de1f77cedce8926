import { closeSessionConnections } from './close-session-connections.js';
import { containerOnce } from './lambda-container.js';

const container = containerOnce();

/**
 * The scheduled cleanup (EventBridge): closes sessions inactive past SESSION_TIMEOUT_MINUTES
 * and deletes their API Gateway connections (every tab's; one already gone is fine). Returns
 * the count for the function's log.
 */
export async function handler(): Promise<{ closed: number }> {
  const c = await container.get();
  const closed = await c.services.cleanup();
  for (const sessionId of closed) await closeSessionConnections(c, sessionId);
  c.logger.info('session cleanup done', { closed: closed.length });
  return { closed: closed.length };
}

/** Tests: closes what this module's container opened. */
export function closeForTests(): Promise<void> {
  return container.close();
}
