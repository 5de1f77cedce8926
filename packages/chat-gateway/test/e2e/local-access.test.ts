/**
 * Who may open the local chat: the non-loopback bind without a token refuses to start, the
 * page learns why a handshake was refused from GET /auth-check, the gateway's own served
 * address passes the Origin check (a rebinding host does not), and every refused upgrade is
 * logged without the token. Real gateway, real `ws` client; every request goes to 127.0.0.1 (the
 * LAN-address case sends that address as Host).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalServerConfig } from '../../src/config.js';
import { GatewayConfigError } from '../../src/errors.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

const TOKEN = 'access-test-token-5f1c9';
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('info', (line) => lines.push(line)), lines };
}

async function start(
  env: Record<string, string>,
  host = '127.0.0.1',
): Promise<{ gw: LocalGateway; lines: string[]; close: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-access-'));
  const { logger, lines } = capturingLogger();
  const gw = await startLocalGateway({
    env,
    dataDir,
    host,
    port: '0',
    logger,
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  return {
    gw,
    lines,
    close: async () => {
      await gw.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch() cannot set Host; node:http can. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const statusWithHost = (url: string, host: string): Promise<number | undefined> =>
  new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });

const refusal = (url: string, headers: Record<string, string>): Promise<string> =>
  ChatClient.open(url, { headers }).then(
    (c) => (c.socket.close(), 'open'),
    (error: Error) => error.message,
  );

describe('binding a non-loopback address', () => {
  it('refuses to start without CHAT_AUTH_TOKEN, saying what to do', () => {
    expect(() => loadLocalServerConfig({}, { host: '0.0.0.0' })).toThrow(GatewayConfigError);
    expect(() => loadLocalServerConfig({ CHAT_HOST: '192.168.1.5' })).toThrow(
      /CHAT_AUTH_TOKEN: required to serve on 192\.168\.1\.5.*--no-auth \(CHAT_ALLOW_NO_AUTH=true\)/,
    );
  });

  it('starts with a token, with --no-auth or CHAT_ALLOW_NO_AUTH=true, and on loopback', () => {
    expect(loadLocalServerConfig({ CHAT_AUTH_TOKEN: 't' }, { host: '0.0.0.0' }).host).toBe(
      '0.0.0.0',
    );
    expect(loadLocalServerConfig({}, { host: '0.0.0.0', noAuth: true }).allowNoAuth).toBe(true);
    expect(loadLocalServerConfig({ CHAT_ALLOW_NO_AUTH: 'true', CHAT_HOST: '::' }).allowNoAuth).toBe(
      true,
    );
    expect(loadLocalServerConfig({}, { host: '127.0.0.2' }).allowNoAuth).toBe(false);
    expect(() => loadLocalServerConfig({ CHAT_ALLOW_NO_AUTH: 'maybe', CHAT_HOST: '::' })).toThrow(
      /CHAT_ALLOW_NO_AUTH: must be true or false/,
    );
  });
});

describe('local gateway with CHAT_AUTH_TOKEN', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({ CHAT_AUTH_TOKEN: TOKEN });
  }, 60_000);
  afterAll(() => s?.close());

  it('GET /auth-check answers 401 with what to do, and 204 with the right bearer token', async () => {
    const none = await fetch(`${s.gw.url}/auth-check`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toMatch(/access token/);
    const wrong = await fetch(`${s.gw.url}/auth-check`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${s.gw.url}/auth-check`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(204);
  });

  it('logs each refused upgrade at warn with the reason and the address, never the token', async () => {
    const origin = s.gw.url;
    expect(await refusal(`${s.gw.wsUrl}?token=wrong-${TOKEN}`, { origin })).toBe('HTTP 401');
    expect(await refusal(s.gw.wsUrl, { origin: 'https://evil.example' })).toBe('HTTP 403');
    const refused = s.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'websocket upgrade refused');
    expect(refused).toEqual([
      expect.objectContaining({
        level: 'warn',
        status: 401,
        reason: 'wrong access token',
        address: '127.0.0.1',
      }),
      expect.objectContaining({ status: 403, origin: 'https://evil.example' }),
    ]);
    expect(s.lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('Origin check against the address the gateway serves', () => {
  it('a rebinding host (Origin equal to Host, but not an address the gateway is on) is refused', async () => {
    const s = await start({ CHAT_ALLOWED_ORIGINS: 'https://chat.example.com' });
    try {
      const port = new URL(s.gw.url).port;
      const evil = `http://attacker.example:${port}`;
      expect(await refusal(s.gw.wsUrl, { origin: evil, host: `attacker.example:${port}` })).toBe(
        'HTTP 403',
      );
      // Its own address passes even though CHAT_ALLOWED_ORIGINS does not list it.
      expect(await refusal(s.gw.wsUrl, { origin: s.gw.url })).toBe('open');
      expect(
        await refusal(s.gw.wsUrl, {
          origin: 'https://chat.example.com',
          host: 'chat.example.com',
        }),
      ).toBe('open');
      // The page on the rebinding host learns why from /auth-check.
      const check = await getWithHost(`${s.gw.url}/auth-check`, `attacker.example:${port}`);
      expect(check.status).toBe(403);
      expect(check.body).toMatch(/does not listen on attacker\.example.*CHAT_ALLOWED_ORIGINS/);
    } finally {
      await s.close();
    }
  });

  it.skipIf(lanAddress === undefined)(
    "bound to 0.0.0.0, a page served at this machine's LAN address may open the chat (the request goes to 127.0.0.1 with that Host: tests stay on loopback)",
    async () => {
      const s = await start({ CHAT_AUTH_TOKEN: TOKEN }, '0.0.0.0');
      try {
        const port = new URL(s.gw.url).port;
        const host = `${lanAddress}:${port}`;
        const ws = `ws://127.0.0.1:${port}/ws?token=${TOKEN}`;
        expect(await refusal(ws, { origin: `http://${host}`, host })).toBe('open');
        expect(
          await refusal(ws, { origin: `http://${host}`, host: `rebound.example:${port}` }),
        ).toBe('HTTP 403');
        expect(await statusWithHost(`http://127.0.0.1:${port}/auth-check`, host)).toBe(401);
      } finally {
        await s.close();
      }
    },
  );
});
