/**
 * The local gateway's `/config.json`: the page reads one on every load (the CDK app writes the
 * deployed page's); the local gateway answers with its own defaults instead of a 404 that
 * browsers log as an error. Real gateway on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { CONTENT_SECURITY_POLICY } from '../../src/transports/local/static-files.js';
import { buildWeb, webDir } from '../support/browser.js';

describe('local gateway: GET /config.json', () => {
  const gateways: LocalGateway[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-web-config-'));
  const start = async (webRoot: string | false): Promise<LocalGateway> => {
    const gw = await startLocalGateway({
      dataDir: join(dataDir, String(gateways.length)),
      port: '0',
      host: '127.0.0.1',
      env: {},
      webRoot,
      logger: silentLogger,
      inMemory: true,
      cleanupIntervalMs: false,
    });
    gateways.push(gw);
    return gw;
  };
  beforeAll(() => buildWeb());
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serving the page: {"auth":"probe"} (own origin at /ws, /auth-check explains refusals), never cached, with the page CSP', async () => {
    const gw = await start(webDir);
    const res = await fetch(`${gw.url}/config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.json()).toEqual({ auth: 'probe' });
  });

  it('without a page (webRoot false) there is no config.json either', async () => {
    const gw = await start(false);
    expect((await fetch(`${gw.url}/config.json`)).status).toBe(404);
  });
});
