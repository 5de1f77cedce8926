import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../../src/errors.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { sessionsPortOf } from '../../src/sessions/sessions-port-of.js';
import { memorySessions } from '../support/memory-sessions.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

// The engine function greets a connection with a token minted by `reissueToken`.
describe.each([
  [
    'SessionManager (sessionsPortOf)',
    (s: MemorySessionStore) => sessionsPortOf(new SessionManager({ store: s })),
  ],
  ['memorySessions (test double)', memorySessions],
])('SessionsPort.reissueToken: %s over the memory store', (_, portOf) => {
  it('replaces the resume token of a live session on that connection', async () => {
    const store = new MemorySessionStore();
    const port = portOf(store);
    const created = await port.create({}, 'conn-1');
    const { resumeToken } = await port.reissueToken(created.sessionId, 'conn-1');
    expect(resumeToken).not.toBe(created.resumeToken);
    await expect(port.resume(created.sessionId, created.resumeToken, 'conn-2')).rejects.toThrow(
      SessionNotFoundError,
    );
    await expect(port.resume(created.sessionId, resumeToken, 'conn-2')).resolves.toMatchObject({
      sessionId: created.sessionId,
    });
  });

  it('refuses a session that moved to another connection, a closed and an unknown one', async () => {
    const store = new MemorySessionStore();
    const port = portOf(store);
    const moved = await port.create({}, 'conn-1');
    await port.resume(moved.sessionId, moved.resumeToken, 'conn-2');
    const before = store.sessions.get(moved.sessionId)?.resumeTokenHash;
    await expect(port.reissueToken(moved.sessionId, 'conn-1')).rejects.toThrow(
      SessionNotFoundError,
    );
    expect(store.sessions.get(moved.sessionId)?.resumeTokenHash).toBe(before);

    const closed = await port.create({}, 'conn-3');
    await port.close(closed.sessionId, 'test');
    await expect(port.reissueToken(closed.sessionId, 'conn-3')).rejects.toThrow(
      SessionNotFoundError,
    );
    await expect(port.reissueToken('no-such-session', 'conn-3')).rejects.toThrow(
      SessionNotFoundError,
    );
  });
});
