import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../../src/errors.js';
import type { Identity } from '../../src/ports/session-store.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

/** Opening one's own conversation without a resume token (`resume` with `sessionId` only). */

const MINUTE = 60_000;
const alice: Identity = { issuer: 'http://127.0.0.1:1', subject: 'alice' };
const bob: Identity = { issuer: 'http://127.0.0.1:1', subject: 'bob' };

function setup(anonymousOwner = false) {
  const clock = { ms: Date.parse('2026-03-01T09:00:00.000Z') };
  const store = new MemorySessionStore();
  const manager = new SessionManager({
    store,
    now: () => clock.ms,
    timeoutMinutes: 30,
    anonymousOwner,
  });
  return { clock, store, manager };
}

describe('resume without a token', () => {
  it('opens a signed-in user’s own session, even one closed for inactivity, with a new token', async () => {
    const { clock, store, manager } = setup();
    const { session, resumeToken } = await manager.createSession({ identity: alice }, 'c1');
    clock.ms += 90 * MINUTE;
    await manager.cleanupInactiveSessions();
    expect((await store.getSession(session.sessionId))?.isActive).toBe(false);

    const opened = await manager.resume(session.sessionId, undefined, 'c2', alice);
    expect(opened.session).toMatchObject({ isActive: true, connectionId: 'c2' });
    expect(opened.session.closeReason).toBeUndefined();
    expect(opened.resumeToken).not.toBe(resumeToken);
    // The token handed out before no longer works; the new one does.
    await expect(manager.resume(session.sessionId, resumeToken, 'c3', alice)).rejects.toThrow(
      SessionNotFoundError,
    );
    await manager.resume(session.sessionId, opened.resumeToken, 'c3', alice);
  });

  it("answers another user's session exactly like an unknown one", async () => {
    const { manager } = setup();
    const { session } = await manager.createSession({ identity: alice }, 'c1');
    const other = await manager
      .resume(session.sessionId, undefined, 'c2', bob)
      .catch((e: Error) => e);
    const unknown = await manager
      .resume('no-such-session', undefined, 'c2', bob)
      .catch((e: Error) => e);
    expect(other).toBeInstanceOf(SessionNotFoundError);
    expect(other).toEqual(unknown);
  });

  it('refuses anonymous sessions unless the gateway has one anonymous user', async () => {
    const strict = setup(false);
    const a = await strict.manager.createSession({}, 'c1');
    await expect(strict.manager.resume(a.session.sessionId, undefined, 'c2')).rejects.toThrow(
      SessionNotFoundError,
    );
    // A signed-in user cannot take an anonymous session, nor the anonymous user a signed-in one's.
    await expect(
      strict.manager.resume(a.session.sessionId, undefined, 'c2', alice),
    ).rejects.toThrow(SessionNotFoundError);

    const local = setup(true);
    const b = await local.manager.createSession({}, 'c1');
    const opened = await local.manager.resume(b.session.sessionId, undefined, 'c2');
    expect(opened.session.connectionId).toBe('c2');
    const hers = await local.manager.createSession({ identity: alice }, 'c3');
    await expect(local.manager.resume(hers.session.sessionId, undefined, 'c4')).rejects.toThrow(
      SessionNotFoundError,
    );
  });

  it('refuses a session whose retention has ended', async () => {
    const { clock, manager } = setup();
    const { session } = await manager.createSession({ identity: alice }, 'c1');
    clock.ms += 31 * 24 * 60 * MINUTE;
    await expect(manager.resume(session.sessionId, undefined, 'c2', alice)).rejects.toThrow(
      SessionNotFoundError,
    );
  });
});

describe('mayResume: what resume would say, without resuming', () => {
  it('agrees with resume for the owner, another user, a wrong token and an unknown id, and spends nothing', async () => {
    const { clock, store, manager } = setup();
    const { session, resumeToken } = await manager.createSession({ identity: alice }, 'c1');
    const id = session.sessionId;
    const before = await store.getSession(id);
    expect(await manager.mayResume(id, resumeToken, alice)).toBe(true);
    expect(await manager.mayResume(id, undefined, alice)).toBe(true);
    // A leaked token does not make the session Bob's, nor does a guess.
    expect(await manager.mayResume(id, resumeToken, bob)).toBe(false);
    expect(await manager.mayResume(id, undefined, bob)).toBe(false);
    expect(await manager.mayResume(id, 'x'.repeat(43), alice)).toBe(false);
    expect(await manager.mayResume('no-such-session', resumeToken, alice)).toBe(false);
    expect(await manager.mayResume(id, resumeToken, undefined)).toBe(false);
    // Nothing changed: the token still opens the session.
    expect(await store.getSession(id)).toEqual(before);
    await manager.resume(id, resumeToken, 'c2', alice);
    // Closed for inactivity: still the owner's to open, as resume has it.
    clock.ms += 90 * MINUTE;
    await manager.cleanupInactiveSessions();
    expect((await store.getSession(id))?.isActive).toBe(false);
    expect(await manager.mayResume(id, undefined, alice)).toBe(true);
  });
});
