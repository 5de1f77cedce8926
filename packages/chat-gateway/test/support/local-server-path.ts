/**
 * The session protocol on the local server as run (`startLocalGateway`: its `ws` server, the MCP
 * server in-process, the chat tables in memory) with OpenID Connect sign-in through a real
 * provider (`oidc-provider`, see `oidc-test-provider.ts`): `connect(identity)` signs the user
 * named by the identity's subject in (alice or bob, once each) and opens a real socket with
 * that browser's cookies. Nobody connects anonymously: with sign-in on, the upgrade needs a user.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'chatbot-mcp-server/core';
import type { Identity } from '../../src/ports/session-store.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { startLocalGateway } from '../../src/transports/local/start-local-gateway.js';
import { RecordingChannel } from './fake-channel.js';
import { signIn, upgradeHeaders, type Jar } from './oidc-browser-jar.js';
import { AUDIENCE, startTestProvider } from './oidc-test-provider.js';
import type { PathClient, ProtocolPath } from './protocol-paths.js';
import { ChatClient } from './ws-client.js';

export async function localServerPath(): Promise<ProtocolPath & { tools: ToolClient }> {
  const idp = await startTestProvider();
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-matrix-'));
  const gw = await startLocalGateway({
    env: {
      CHAT_OIDC_ISSUER: idp.issuer,
      CHAT_OIDC_CLIENT_ID: 'gateway',
      CHAT_OIDC_AUDIENCE: AUDIENCE,
      // A matrix sends many frames in a row; the limit is not what it is about.
      CHAT_FRAMES_PER_SECOND: '200',
    },
    dataDir,
    host: '127.0.0.1',
    port: '0',
    logger: createLogger('error', () => undefined),
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  idp.setGatewayUrl(gw.url);
  const jars = new Map<string, Jar>();
  const sockets: ChatClient[] = [];
  const violations: string[] = [];
  return {
    name: 'local server',
    tools: gw.tools,
    violations,
    currentSeq: () => Promise.reject(new Error('not kept on this path')),
    connect: async (identity?: Identity): Promise<PathClient> => {
      if (!identity) throw new Error('local server with sign-in: anonymous upgrades are refused');
      let jar = jars.get(identity.subject);
      if (!jar) {
        jar = await signIn(idp, gw.url, identity.subject);
        jars.set(identity.subject, jar);
      }
      const socket = await ChatClient.open(gw.wsUrl, { headers: upgradeHeaders(jar, gw.url) });
      sockets.push(socket);
      const channel = new RecordingChannel(`ws-${randomUUID()}`);
      // The channel checks each frame against the server-frame schema (it throws at once); a
      // break is collected for the test to assert on.
      const record = (frame: ServerFrame): void => {
        try {
          void channel.send(frame).catch(() => undefined);
        } catch (error) {
          violations.push((error as Error).message);
        }
      };
      // Frames that came before this listener (the session frame) first, in order.
      for (const frame of socket.frames) record(frame);
      socket.socket.on('message', (data) => {
        record(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame);
      });
      return {
        channel,
        send: (frame) =>
          new Promise<void>((resolve, reject) =>
            socket.socket.send(JSON.stringify(frame), (error) =>
              error ? reject(error) : resolve(),
            ),
          ),
        drop: () => {
          channel.gone = true;
          socket.socket.terminate();
          return Promise.resolve();
        },
      };
    },
    close: async () => {
      for (const s of sockets) s.socket.terminate();
      await gw.close();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
