import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SessionsPort } from '../../src/core/sessions-port.js';
import { SessionNotFoundError } from '../../src/errors.js';
import type { MemorySessionStore } from './memory-session-store.js';

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A minimal SessionsPort over the memory store, for core tests that are not about sessions. */
export function memorySessions(store: MemorySessionStore): SessionsPort {
  return {
    async create(clientInfo, connectionId) {
      const sessionId = randomUUID();
      const resumeToken = randomBytes(32).toString('base64url');
      const now = new Date().toISOString();
      await store.createSession({
        sessionId,
        createdAt: now,
        lastActivity: now,
        isActive: true,
        clientInfo,
        connectionId,
        ttl: 0,
        resumeTokenHash: hash(resumeToken),
      });
      return { sessionId, resumeToken };
    },
    async resume(sessionId, resumeToken, connectionId) {
      const s = await store.getSession(sessionId);
      if (!s || !s.isActive || !resumeToken || s.resumeTokenHash !== hash(resumeToken))
        throw new SessionNotFoundError();
      const next = randomBytes(32).toString('base64url');
      await store.updateSession(sessionId, { resumeTokenHash: hash(next), connectionId });
      return { sessionId, resumeToken: next };
    },
    async mayResume(sessionId, resumeToken) {
      const s = await store.getSession(sessionId);
      return !!s && s.isActive && !!resumeToken && s.resumeTokenHash === hash(resumeToken);
    },
    async reissueToken(sessionId, connectionId) {
      const resumeToken = randomBytes(32).toString('base64url');
      const updated = await store.updateSession(
        sessionId,
        { resumeTokenHash: hash(resumeToken) },
        { isActive: true, connectionId },
      );
      if (!updated) throw new SessionNotFoundError();
      return { resumeToken };
    },
    async touch(sessionId) {
      await store.updateSession(sessionId, { lastActivity: new Date().toISOString() });
    },
    async close(sessionId, reason) {
      await store.updateSession(sessionId, { isActive: false, closeReason: reason });
    },
  };
}
