import { randomBytes } from 'node:crypto';
import type { Identity } from '../../../ports/session-store.js';

export interface WebSession {
  identity: Identity;
  /** For RP-initiated logout (`id_token_hint`). */
  idToken?: string;
  expiresAt: number;
}

export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  expiresAt: number;
}

/** Bounds so that a flood of /auth/login requests cannot grow memory without end. */
const MAX_PENDING = 10_000;
const MAX_SESSIONS = 100_000;

/**
 * Signed-in browsers and logins under way, in memory: the cookie holds only a random id (256
 * bits), so there is nothing to sign; a restart signs everyone out.
 */
export class WebSessions {
  private readonly sessions = new Map<string, WebSession>();
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly sessionMs: number,
    private readonly loginMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  startLogin(login: Omit<PendingLogin, 'expiresAt'>): string {
    const state = randomId();
    bounded(this.pending, MAX_PENDING).set(state, {
      ...login,
      expiresAt: this.now() + this.loginMs,
    });
    return state;
  }

  /** The login for `state`, once: a replayed callback finds nothing. */
  takeLogin(state: string): PendingLogin | undefined {
    const login = this.pending.get(state);
    this.pending.delete(state);
    return login && login.expiresAt > this.now() ? login : undefined;
  }

  create(identity: Identity, idToken: string | undefined): { id: string; session: WebSession } {
    const id = randomId();
    const session: WebSession = {
      identity,
      ...(idToken && { idToken }),
      expiresAt: this.now() + this.sessionMs,
    };
    bounded(this.sessions, MAX_SESSIONS).set(id, session);
    return { id, session };
  }

  get(id: string | undefined): WebSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (session && session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): WebSession | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    return session;
  }
}

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Drops the oldest entries (Map keeps insertion order) to make room for one more. */
function bounded<T>(map: Map<string, T>, max: number): Map<string, T> {
  while (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
  return map;
}

/** One cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure on https. */
export function cookie(
  name: string,
  value: string,
  options: { secure: boolean; maxAgeSeconds: number; path?: string },
): string {
  return [
    `${name}=${value}`,
    `Path=${options.path ?? '/'}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
