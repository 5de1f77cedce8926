import { describe, expect, it } from 'vitest';
import { cookie, cookieValue, WebSessions } from '../../src/transports/local/oidc/web-sessions.js';

const alice = { issuer: 'https://idp.test', subject: 'alice' };

describe('WebSessions (sign-in state in memory)', () => {
  it('hands a pending login out once, and not after it expired', () => {
    let now = 1_000;
    const sessions = new WebSessions(60_000, 10_000, () => now);
    const login = { codeVerifier: 'v', nonce: 'n', redirectUri: 'http://127.0.0.1/auth/callback' };
    const state = sessions.startLogin(login);
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(sessions.takeLogin(state)).toMatchObject(login);
    expect(sessions.takeLogin(state)).toBeUndefined();
    const late = sessions.startLogin(login);
    now += 10_001;
    expect(sessions.takeLogin(late)).toBeUndefined();
  });

  it('expires a signed-in session and forgets a deleted one', () => {
    let now = 0;
    const sessions = new WebSessions(60_000, 10_000, () => now);
    const a = sessions.create(alice, 'id-token');
    const b = sessions.create(alice, undefined);
    expect(a.id).not.toBe(b.id);
    expect(sessions.get(a.id)?.identity).toEqual(alice);
    expect(sessions.delete(b.id)?.idToken).toBeUndefined();
    expect(sessions.get(b.id)).toBeUndefined();
    now = 60_000;
    expect(sessions.get(a.id)).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
  });
});

describe('cookies', () => {
  it('reads one cookie by exact name', () => {
    expect(cookieValue('x_chat_session=1; chat_session=abc; b=2', 'chat_session')).toBe('abc');
    expect(cookieValue('chat_session_old=1', 'chat_session')).toBeUndefined();
    expect(cookieValue(undefined, 'chat_session')).toBeUndefined();
  });

  it('is HttpOnly and SameSite=Lax always, Secure only on https', () => {
    expect(cookie('s', 'v', { secure: false, maxAgeSeconds: 60 })).toBe(
      's=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax',
    );
    expect(cookie('s', 'v', { secure: true, maxAgeSeconds: 0, path: '/auth' })).toBe(
      's=v; Path=/auth; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
  });
});
