import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import { SessionNotFoundError } from '../errors.js';
import {
  sameIdentity,
  type Identity,
  type SessionRecord,
  type SessionStore,
} from '../ports/session-store.js';
import { constantTimeEqual, hashToken, newResumeToken, userIdOf } from './ids.js';

/** What resuming needs of the `SessionManager`: its store, its clock and its bookkeeping. */
export interface ResumeContext {
  store: SessionStore;
  events: AnalyticsRecorder | undefined;
  /** Epoch milliseconds. */
  now: () => number;
  anonymousOwner: boolean;
  isLive(session: SessionRecord, now: number): boolean;
  ttlFrom(now: number): number;
  rememberWrite(sessionId: string, at: number): void;
}

export interface Resumed {
  session: SessionRecord;
  resumeToken: string;
}

/** Hashed when the session is unknown, so that an unknown id costs what a wrong token costs. */
const NO_SESSION_HASH = hashToken('no such session');

/**
 * Resume and ownership: who may take a session up again, and the token rotation that goes with
 * it. A resume names `connectionId` in the record as the session's last connection (it holds the
 * newest token); whether anyone is attached is the transport's business (its connections).
 * An unknown id, a wrong token, a closed or an idle-expired session all throw the same
 * `SessionNotFoundError`, so a guess learns nothing. Without a token, the owner opens one of
 * their conversations (see `resumeAsOwner`).
 */
export async function resumeSession(
  ctx: ResumeContext,
  sessionId: string,
  resumeToken: string | undefined,
  connectionId: string,
  identity?: Identity,
): Promise<Resumed> {
  const now = ctx.now();
  const session = await ctx.store.getSession(sessionId);
  if (resumeToken === undefined)
    return resumeAsOwner(ctx, sessionId, session, connectionId, identity, now);
  // Hashed whether or not the session exists: an unknown id costs what a wrong token costs.
  if (!tokenOpens(ctx, session, resumeToken, identity, now)) throw new SessionNotFoundError();
  const next = newResumeToken();
  const updated = await ctx.store.updateSession(
    sessionId,
    {
      resumeTokenHash: hashToken(next),
      connectionId,
      lastActivity: new Date(now).toISOString(),
      ttl: ctx.ttlFrom(now),
    },
    // Another resume with the same token, or a close, got there first.
    { isActive: true, resumeTokenHash: session.resumeTokenHash },
  );
  if (!updated) throw new SessionNotFoundError();
  return resumed(ctx, updated, next, identity, now);
}

/**
 * A signed-in user opens one of their own sessions from any browser: the identity proves it,
 * so no token is needed, and a session closed for inactivity opens again (it is their
 * conversation, kept until its retention ends). Another user's session, or an anonymous one
 * (unless `anonymousOwner`), is answered exactly like an unknown id.
 */
async function resumeAsOwner(
  ctx: ResumeContext,
  sessionId: string,
  session: SessionRecord | undefined,
  connectionId: string,
  identity: Identity | undefined,
  now: number,
): Promise<Resumed> {
  if (!session || !ownedBy(ctx, session, identity, now)) throw new SessionNotFoundError();
  const next = newResumeToken();
  const updated = await ctx.store.updateSession(
    sessionId,
    {
      resumeTokenHash: hashToken(next),
      connectionId,
      isActive: true,
      closedAt: undefined,
      closeReason: undefined,
      lastActivity: new Date(now).toISOString(),
      ttl: ctx.ttlFrom(now),
    },
    // Another resume got there first (the token it saw has changed).
    { resumeTokenHash: session.resumeTokenHash },
  );
  if (!updated) throw new SessionNotFoundError();
  return resumed(ctx, updated, next, identity, now);
}

/**
 * Whether `resumeSession` would accept these credentials for the session now, changing nothing:
 * for a transport that must refuse a resume for another reason (a full session) without telling
 * a stranger that the session exists.
 */
export async function mayResume(
  ctx: ResumeContext,
  sessionId: string,
  resumeToken: string | undefined,
  identity?: Identity,
): Promise<boolean> {
  const now = ctx.now();
  const session = await ctx.store.getSession(sessionId);
  if (resumeToken === undefined)
    return session !== undefined && ownedBy(ctx, session, identity, now);
  return tokenOpens(ctx, session, resumeToken, identity, now);
}

/** The token is the session's current one, the caller is its user, and it is still live. */
function tokenOpens(
  ctx: ResumeContext,
  session: SessionRecord | undefined,
  resumeToken: string,
  identity: Identity | undefined,
  now: number,
): session is SessionRecord {
  const tokenMatches = constantTimeEqual(
    session?.resumeTokenHash ?? NO_SESSION_HASH,
    hashToken(resumeToken),
  );
  // A leaked resume token must not hand user A's conversation to user B.
  const sameUser = sameIdentity(session?.clientInfo?.identity, identity);
  return session !== undefined && tokenMatches && sameUser && ctx.isLive(session, now);
}

/** The caller's own conversation, opened without a token (anonymous ones: see `anonymousOwner`). */
function ownedBy(
  ctx: ResumeContext,
  session: SessionRecord,
  identity: Identity | undefined,
  now: number,
): boolean {
  return (
    sameIdentity(session.clientInfo?.identity, identity) &&
    (identity !== undefined || ctx.anonymousOwner) &&
    session.ttl > now / 1000
  );
}

function resumed(
  ctx: ResumeContext,
  session: SessionRecord,
  resumeToken: string,
  identity: Identity | undefined,
  now: number,
): Resumed {
  ctx.rememberWrite(session.sessionId, now);
  if (identity) ctx.events?.identify(session.sessionId, userIdOf(identity));
  return { session, resumeToken };
}

/**
 * Mints a new resume token for a live session whose last connection (the one that opened or
 * last resumed it) is still `connectionId`; only its hash is stored. `SessionNotFoundError`
 * otherwise: closed, or resumed since by another connection, whose token this must not undo
 * (that tab would be locked out of its next reconnect).
 */
export async function reissueToken(
  ctx: ResumeContext,
  sessionId: string,
  connectionId: string,
): Promise<{ resumeToken: string }> {
  const resumeToken = newResumeToken();
  const updated = await ctx.store.updateSession(
    sessionId,
    { resumeTokenHash: hashToken(resumeToken) },
    { isActive: true, connectionId },
  );
  if (!updated) throw new SessionNotFoundError();
  return { resumeToken };
}
