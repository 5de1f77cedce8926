/**
 * The REAL gateway for browser tests: the local composition root (offline engine, MCP server
 * in-process, embedded stores) on a temporary data dir with examples/docs ingested, serving the
 * built page from dist/web.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { packageDir, webDir } from './browser.js';

export const EXAMPLE_DOCS = join(packageDir, '..', '..', 'examples', 'docs');

export interface BrowserGateway {
  gateway: LocalGateway;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startBrowserGateway(): Promise<BrowserGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-web-'));
  // An empty env: no model provider, so the offline engine answers whatever the machine has set.
  const gateway = await startLocalGateway({
    dataDir,
    port: '0',
    host: '127.0.0.1',
    env: {},
    webRoot: webDir,
    seedDocsDir: EXAMPLE_DOCS,
    cleanupIntervalMs: false,
    logger: silentLogger,
  });
  return {
    gateway,
    url: `${gateway.url}/`,
    dataDir,
    async close() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
