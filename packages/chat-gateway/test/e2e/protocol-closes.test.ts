import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

/** What the README's Protocol section promises for frames that are not valid chat frames. */
describe('invalid frames: error frame or close code, as the README says (real ws server)', () => {
  let dataDir: string;
  let gw: LocalGateway;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-frames-'));
    gw = await startLocalGateway({
      env: { LOG_LEVEL: 'error', CHAT_FRAMES_PER_SECOND: '100' },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      inMemory: true,
      cleanupIntervalMs: false,
      warmUp: false,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a binary frame and a text frame that is not JSON with INVALID_FRAME, and stays usable', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.socket.send(Buffer.from('{"type":"history"}'), { binary: true });
    c.send('not json');
    await expect.poll(() => c.of('error').length).toBe(2);
    expect(c.of('error').map((e) => e.code)).toEqual(['INVALID_FRAME', 'INVALID_FRAME']);
    c.send({ type: 'history', limit: 1 });
    await c.next('history');
    await c.close();
  });

  it('closes the connection with 1007 on a text frame that is not valid UTF-8 (RFC 6455)', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    const closed = c.closed();
    c.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await closed).code).toBe(1007);
    expect(c.of('error')).toEqual([]);
  });

  it('survives a frame and a close in one packet: the answer finds the socket closing, the process goes on', async () => {
    const rejections: unknown[] = [];
    const record = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', record);
    try {
      for (let i = 0; i < 3; i++) {
        const c = await ChatClient.open(gw.wsUrl);
        await c.next('session');
        const closed = c.closed();
        // Written in one go on the TCP socket, so the server parses both in one read: by the
        // time it answers the binary frame, the client's close has marked the socket closing.
        const tcp = (c.socket as unknown as { _socket: Socket })._socket;
        tcp.write(
          Buffer.concat([
            maskedFrame(0x2, Buffer.from([1, 2, 3])),
            maskedFrame(0x8, closeBody(1000)),
          ]),
        );
        await closed;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rejections).toEqual([]);
      const after = await ChatClient.open(gw.wsUrl);
      await after.next('session');
      after.send({ type: 'history', limit: 1 });
      await after.next('history');
      await after.close();
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

/** A client-to-server WebSocket frame (RFC 6455 §5.2: FIN set, masked, payload under 126 bytes). */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

function closeBody(code: number): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return body;
}
