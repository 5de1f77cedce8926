import { SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../ports/session-store.js';
import { hashToken, newResumeToken } from '../../sessions/ids.js';

/**
 * A fresh resume token for a live session, minted where the `session` frame is sent (the
 * engine function), so that no token travels in an invoke payload. Made and hashed by the
 * session manager's own helpers; only the hash is stored.
 * TODO(core): a `SessionsPort.reissueToken(sessionId)` would keep this inside the manager.
 */
export async function reissueResumeToken(
  store: SessionStore,
  sessionId: string,
  connectionId: string,
): Promise<string> {
  const token = newResumeToken();
  // Only while the session is live and still on this connection (not resumed elsewhere).
  const updated = await store.updateSession(
    sessionId,
    { resumeTokenHash: hashToken(token) },
    { isActive: true, connectionId },
  );
  if (!updated) throw new SessionNotFoundError();
  return token;
}
