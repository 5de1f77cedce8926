import type { ClientInfo, Identity } from '../ports/session-store.js';

/** What the core needs of session management (adapted from the `SessionManager`). */
export interface SessionsPort {
  create(
    clientInfo: ClientInfo,
    connectionId: string,
  ): Promise<{ sessionId: string; resumeToken: string }>;
  /**
   * Re-attaches a session to a new connection and rotates its resume token. Throws
   * `SessionNotFoundError` for an unknown id, a wrong token, a closed or an expired session alike,
   * and for a session created by another signed-in user than `identity`. Without a token, the
   * session must be the caller's own (their identity; see `SessionManager.resumeAsOwner`).
   */
  resume(
    sessionId: string,
    resumeToken: string | undefined,
    connectionId: string,
    identity?: Identity,
  ): Promise<{ sessionId: string; resumeToken: string }>;
  /**
   * Whether `resume` would accept these credentials now, changing nothing (the token is not
   * spent): a resume refused for another reason must not tell a stranger the session exists.
   */
  mayResume(
    sessionId: string,
    resumeToken: string | undefined,
    identity?: Identity,
  ): Promise<boolean>;
  /**
   * A fresh resume token for a live session still on `connectionId` (the previous one stops
   * working), for a transport that announces the session apart from creating it. Throws
   * `SessionNotFoundError` when the session is closed or has moved to another connection.
   */
  reissueToken(sessionId: string, connectionId: string): Promise<{ resumeToken: string }>;
  touch(sessionId: string): Promise<void>;
  close(sessionId: string, reason: string): Promise<void>;
}
