import type { SessionsPort } from '../core/sessions-port.js';
import type { SessionManager } from './session-manager.js';

/** The manager as the core's `SessionsPort` (for the composition roots). */
export function sessionsPortOf(manager: SessionManager): SessionsPort {
  return {
    create: async (clientInfo, connectionId) => {
      const { session, resumeToken } = await manager.createSession(clientInfo, connectionId);
      return { sessionId: session.sessionId, resumeToken };
    },
    resume: async (sessionId, resumeToken, connectionId, identity) => {
      const resumed = await manager.resume(sessionId, resumeToken, connectionId, identity);
      return { sessionId: resumed.session.sessionId, resumeToken: resumed.resumeToken };
    },
    mayResume: (sessionId, resumeToken, identity) =>
      manager.mayResume(sessionId, resumeToken, identity),
    reissueToken: (sessionId, connectionId) => manager.reissueToken(sessionId, connectionId),
    touch: (sessionId) => manager.updateActivity(sessionId),
    close: async (sessionId, reason) => {
      await manager.closeSession(sessionId, reason);
    },
  };
}
