/**
 * Sign-in with OpenID Connect (CHAT_OIDC_ISSUER) against a real provider (`oidc-provider`) on
 * loopback: the browser flow driven by HTTP requests (authorization code + PKCE, cookies), the
 * WebSocket upgrade and /auth-check refusing anyone without an identity, bearer JWTs checked for
 * every way they can be wrong, a key rotation while connected, and resume bound to the user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'chatbot-mcp-server/core';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import {
  request,
  signIn as signInAt,
  upgradeHeaders,
  type Jar,
} from '../support/oidc-browser-jar.js';
import { AUDIENCE, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';
import { ChatClient } from '../support/ws-client.js';

let idp: TestProvider;
let gw: LocalGateway;
let dataDir: string;
const lines: string[] = [];

beforeAll(async () => {
  idp = await startTestProvider();
  dataDir = mkdtempSync(join(tmpdir(), 'gw-oidc-'));
  gw = await startLocalGateway({
    env: {
      CHAT_OIDC_ISSUER: idp.issuer,
      CHAT_OIDC_CLIENT_ID: 'gateway',
      CHAT_OIDC_AUDIENCE: AUDIENCE,
    },
    dataDir,
    host: '127.0.0.1',
    port: '0',
    logger: createLogger('info', (line) => lines.push(line)),
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
    jwksCooldownMs: 0,
  });
  idp.setGatewayUrl(gw.url);
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Follows the redirects of a sign-in as `user`, from /auth/login back to the page. */
async function signIn(user: string): Promise<{ jar: Jar; hops: string[] }> {
  const hops: string[] = [];
  const jar = await signInAt(idp, gw.url, user, hops);
  return { jar, hops };
}

const cookieHeaders = (jar: Jar): Record<string, string> => upgradeHeaders(jar, gw.url);

function refusal(headers: Record<string, string>): Promise<string> {
  return ChatClient.open(gw.wsUrl, { headers }).then(
    (c) => (c.socket.close(), 'open'),
    (e: Error) => e.message,
  );
}

const authCheck = (headers: Record<string, string>): Promise<Response> =>
  fetch(`${gw.url}/auth-check`, { headers });

describe('browser sign-in (authorization code + PKCE)', () => {
  it('refuses the chat before sign-in and says where to sign in', async () => {
    expect(await refusal({ origin: gw.url })).toBe('HTTP 401');
    const check = await authCheck({});
    expect(check.status).toBe(401);
    expect(await check.json()).toMatchObject({ login: '/auth/login' });
    const me = await fetch(`${gw.url}/auth/me`);
    expect(me.status).toBe(401);
  });

  it('signs in at the provider, chats, shows who, signs out, and is refused after', async () => {
    const { jar, hops } = await signIn('alice');
    expect(hops[0]).toBe('302 /auth/login');
    expect(hops).toContain('302 /auth/callback');
    const sessionCookie = jar.get(gw.url, 'chat_session');
    expect(sessionCookie).toMatch(/^[\w-]{43}$/);

    const me = await request(jar, `${gw.url}/auth/me`);
    expect(await me.json()).toEqual({
      issuer: idp.issuer,
      sub: 'alice',
      name: 'Alice Example',
      email: 'alice@example.test',
      groups: ['staff', 'admins'],
    });
    expect((await authCheck(cookieHeaders(jar))).status).toBe(204);

    const client = await ChatClient.open(gw.wsUrl, { headers: cookieHeaders(jar) });
    const session = await client.next('session');
    const stored = await gw.store.getSession(session.sessionId);
    expect(stored?.clientInfo?.identity).toMatchObject({ issuer: idp.issuer, subject: 'alice' });
    client.send({ type: 'message', id: 'm1', content: 'Hello, who can use this chat?' });
    const finish = await client.next('finish', () => true, 45_000);
    expect(finish.response.sessionId).toBe(session.sessionId);

    // A cross-site page cannot sign the user out; the page itself can.
    const forged = await request(jar, `${gw.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    const noOrigin = await request(jar, `${gw.url}/auth/logout`, { method: 'POST' });
    expect(noOrigin.status).toBe(403);
    // Another program's page on this machine (another loopback port) cannot either.
    const otherPort = await request(jar, `${gw.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:1' },
    });
    expect(otherPort.status).toBe(403);
    expect((await request(jar, `${gw.url}/auth/me`)).status).toBe(200);
    // A stale bearer token next to a good cookie: the cookie decides.
    expect((await authCheck({ ...cookieHeaders(jar), authorization: 'Bearer stale' })).status).toBe(
      204,
    );

    const closed = client.closed();
    const out = await request(jar, `${gw.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: gw.url },
    });
    expect(out.status).toBe(200);
    const { redirect } = (await out.json()) as { redirect: string };
    // RP-initiated logout at the provider, which advertises end_session_endpoint.
    expect(redirect.startsWith(`${idp.issuer}/session/end`)).toBe(true);
    expect(new URL(redirect).searchParams.get('id_token_hint')).toBeTruthy();
    expect((await closed).code).toBe(1008);
    expect(jar.get(gw.url, 'chat_session')).toBeUndefined();

    // The old cookie value is dead on the server too.
    const old = { cookie: `chat_session=${sessionCookie}`, origin: gw.url };
    expect(await refusal(old)).toBe('HTTP 401');
    expect((await authCheck(old)).status).toBe(401);
  }, 60_000);

  it('refuses a callback that this browser did not start', async () => {
    const res = await fetch(`${gw.url}/auth/callback?code=x&state=y`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('/auth/login');
  });

  it("refuses resuming alice's session as bob; alice resumes it", async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const a = await ChatClient.open(gw.wsUrl, { headers: cookieHeaders(alice.jar) });
    const aSession = await a.next('session');
    await a.close();

    const b = await ChatClient.open(gw.wsUrl, { headers: cookieHeaders(bob.jar) });
    await b.next('session');
    b.send({ type: 'resume', sessionId: aSession.sessionId, resumeToken: aSession.resumeToken });
    const error = await b.next('error');
    expect(error.code).toBe('SESSION_NOT_FOUND');
    await b.close();

    const again = await ChatClient.open(gw.wsUrl, { headers: cookieHeaders(alice.jar) });
    await again.next('session');
    again.send({
      type: 'resume',
      sessionId: aSession.sessionId,
      resumeToken: aSession.resumeToken,
    });
    const resumed = await again.next('session', (f) => f.resumed);
    expect(resumed.sessionId).toBe(aSession.sessionId);
    await again.close();
  }, 60_000);
});

describe('programs: Authorization: Bearer <JWT access token>', () => {
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const now = (): number => Math.floor(Date.now() / 1000);
  async function forge(
    claims: Record<string, unknown>,
    key: JWK = idp.signingKey(),
    alg = 'RS256',
  ): Promise<string> {
    return new SignJWT({ sub: 'program', ...claims })
      .setProtectedHeader({ alg, kid: key.kid!, typ: 'at+jwt' })
      .setIssuer((claims.iss as string | undefined) ?? idp.issuer)
      .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime((claims.exp as number | undefined) ?? now() + 300)
      .sign(await importJWK(key, alg));
  }

  it("accepts the provider's access token on the upgrade and attaches the identity", async () => {
    const token = await idp.programToken();
    expect((await authCheck(bearer(token))).status).toBe(204);
    const client = await ChatClient.open(gw.wsUrl, { headers: bearer(token) });
    const session = await client.next('session');
    expect((await gw.store.getSession(session.sessionId))?.clientInfo?.identity).toMatchObject({
      issuer: idp.issuer,
      subject: 'program',
    });
    await client.close();
    // A forged token with the right key and claims passes too: the forging helper is sound.
    expect((await authCheck(bearer(await forge({})))).status).toBe(204);
  }, 30_000);

  it('refuses expired, not yet valid, other audience, other issuer, unknown key, alg none, HS256, tampered', async () => {
    const stranger = await generateKeyPair('RS256', { extractable: true });
    const { exportJWK } = await import('jose');
    const unknownKey = { ...(await exportJWK(stranger.privateKey)), kid: 'not-the-issuers' };
    const good = await idp.programToken();
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [
      h,
      Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url'),
      s,
    ].join('.');
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...payload, exp: now() + 300 })).toString('base64url'),
      '',
    ].join('.');
    const hs = await new SignJWT({ sub: 'program' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 300)
      .sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess-0123456789'));
    const cases: Record<string, string> = {
      expired: await forge({ exp: now() - 3_600 }),
      'not yet valid': await forge({ nbf: now() + 3_600 }),
      'other audience': await forge({ aud: 'another-api' }),
      'other issuer': await forge({ iss: 'http://127.0.0.1:9/other' }),
      'unknown key': await forge({}, unknownKey),
      'alg none': none,
      HS256: hs,
      tampered,
      'not a JWT': 'opaque-token',
    };
    const statuses: Record<string, number> = {};
    for (const [name, token] of Object.entries(cases))
      statuses[name] = (await authCheck(bearer(token))).status;
    expect(statuses).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, 401])));
    // The upgrade uses the same check.
    expect(await refusal(bearer(cases.expired!))).toBe('HTTP 401');
    expect(await refusal(bearer(tampered))).toBe('HTTP 401');
    expect(
      lines.some((l) => l.includes('websocket upgrade refused') && l.includes('expired')),
    ).toBe(true);
    expect(lines.join('\n')).not.toContain(tampered);
  }, 30_000);

  it('accepts a new kid after the provider rotates its key, with the old connection open', async () => {
    const before = await idp.programToken();
    const first = await ChatClient.open(gw.wsUrl, { headers: bearer(before) });
    await first.next('session');
    const oldKid = idp.signingKey().kid;
    await idp.rotateKeys();
    const after = await idp.programToken();
    const kid = (
      JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()) as { kid: string }
    ).kid;
    expect(kid).not.toBe(oldKid);
    const second = await ChatClient.open(gw.wsUrl, { headers: bearer(after) });
    const session = await second.next('session');
    expect((await gw.store.getSession(session.sessionId))?.clientInfo?.identity?.subject).toBe(
      'program',
    );
    expect(first.socket.readyState).toBe(first.socket.OPEN);
    await first.close();
    await second.close();
  }, 30_000);
});
