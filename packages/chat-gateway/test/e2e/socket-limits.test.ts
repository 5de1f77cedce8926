import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

/**
 * Raw TCP sockets against the real local server (offline engine). Linux routes all of
 * 127.0.0.0/8 to loopback, so the flood comes from 127.0.0.2 and is told apart from the
 * client on 127.0.0.1 by address, as it would be over a network.
 */
const FLOOD_ADDRESS = '127.0.0.2';
const CAP = 8;

let opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened) socket.destroy();
  opened = [];
});

async function start(env: Record<string, string>): Promise<{ gw: LocalGateway; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-sockets-'));
  const gw = await startLocalGateway({
    env: { LOG_LEVEL: 'error', CHAT_HEARTBEAT_MS: '120000', ...env },
    dataDir,
    port: '0',
    logger: silentLogger,
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  return { gw, dataDir };
}

/** A raw socket that is connected and then stays as the test leaves it; `closed` settles on close. */
function rawSocket(
  gw: LocalGateway,
  localAddress = FLOOD_ADDRESS,
): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: '127.0.0.1', localAddress });
    opened.push(socket);
    let received = '';
    const closed = new Promise<string>((done) => {
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      socket.on('close', () => done(received));
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

async function chats(client: ChatClient): Promise<void> {
  await client.next('session');
  client.send({ type: 'message', id: `hi-${Math.random()}`, content: 'hello' });
  expect((await client.next('finish')).finishReason).toBe('stop');
  await client.close();
}

describe('HTTP sockets per address (CHAT_MAX_HTTP_CONNECTIONS_PER_IP)', () => {
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    // The default header timeout (10 s): sockets closed here are closed by the cap alone.
    ({ gw, dataDir } = await start({ CHAT_MAX_HTTP_CONNECTIONS_PER_IP: String(CAP) }));
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds at most the cap of silent sockets from one address, and real clients still chat', async () => {
    const flood: { socket: Socket; closed: Promise<string> }[] = [];
    for (let i = 0; i < 5 * CAP; i++) flood.push(await rawSocket(gw));
    const stillOpen = (): number => flood.filter(({ socket }) => !socket.closed).length;
    await expect.poll(stillOpen, { timeout: 10_000 }).toBeLessThanOrEqual(CAP);
    expect(gw.serverStats().httpSocketsRefused).toBeGreaterThanOrEqual(4 * CAP);

    // A client on another address is not affected at all...
    await chats(await ChatClient.open(gw.wsUrl));
    // ...and one on the flooded address displaces a silent socket rather than being refused.
    await chats(await ChatClient.open(gw.wsUrl, { localAddress: FLOOD_ADDRESS }));
    const page = await fetch(`${gw.url}/healthz`);
    expect(page.status).toBe(200);
  }, 60_000);

  it('counts chat WebSockets apart: more WebSockets than the HTTP cap from one address', async () => {
    const clients: ChatClient[] = [];
    for (let i = 0; i < CAP + 4; i++) {
      clients.push(await ChatClient.open(gw.wsUrl, { localAddress: FLOOD_ADDRESS }));
    }
    for (const client of clients) await client.next('session');
    expect(gw.serverStats().webSockets).toBeGreaterThanOrEqual(CAP + 4);
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);

  it('CHAT_MAX_HTTP_CONNECTIONS_PER_IP and CHAT_HEADERS_TIMEOUT_MS are checked', async () => {
    await expect(start({ CHAT_MAX_HTTP_CONNECTIONS_PER_IP: '0' })).rejects.toThrow(
      /CHAT_MAX_HTTP_CONNECTIONS_PER_IP/,
    );
    await expect(start({ CHAT_HEADERS_TIMEOUT_MS: 'soon' })).rejects.toThrow(
      /CHAT_HEADERS_TIMEOUT_MS/,
    );
  });
});

describe('header timeout (CHAT_HEADERS_TIMEOUT_MS, shortened here)', () => {
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    ({ gw, dataDir } = await start({ CHAT_HEADERS_TIMEOUT_MS: '500' }));
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Closed well within 20 times the timeout; before, Node checked only every 30 s. */
  const within = <T>(promise: Promise<T>): Promise<T> =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the socket was not closed within 10 s')), 10_000),
      ),
    ]);

  it('closes a socket that never sends a byte, and one that sends its headers too slowly', async () => {
    const silent = await rawSocket(gw, '127.0.0.1');
    const slow = await rawSocket(gw, '127.0.0.1');
    // One header line every 100 ms: never idle, never complete.
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 100);
    try {
      // Closed without a word by the idle timer, or answered 408 by Node's header check
      // (which one comes first depends on timer order on a loaded machine); never served.
      const closedOrTimedOut = /^(HTTP\/1\.1 408 [^]*)?$/;
      expect(await within(silent.closed)).toMatch(closedOrTimedOut);
      expect(await within(slow.closed)).toMatch(closedOrTimedOut);
    } finally {
      clearInterval(drip);
    }
    await expect.poll(() => gw.serverStats().httpSockets).toBe(0);
  }, 30_000);

  it('leaves an open chat WebSocket alone: the timeout ends with the handshake', async () => {
    const client = await ChatClient.open(gw.wsUrl);
    await client.next('session');
    await new Promise((r) => setTimeout(r, 1_500));
    await chats(client);
  }, 30_000);
});
