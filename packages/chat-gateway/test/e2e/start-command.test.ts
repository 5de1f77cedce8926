import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { stalePackage } from '../../scripts/stale-build.mjs';
import { ChatClient } from '../support/ws-client.js';

/** `pnpm start` from the repository root, as the root README runs it. */
const ROOT = new URL('../../../../', import.meta.url).pathname;

interface Started {
  url: string;
  stderr: () => string;
  /** A signal to the whole group (as Ctrl-C in a terminal); resolves once every process in it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function pnpmStart(dataDir: string): Promise<Started> {
  const child = spawn('pnpm', ['start'], {
    cwd: ROOT,
    // Port 0: a gateway already on 8080 must not fail the test.
    env: { ...process.env, CHATBOT_DATA_DIR: dataDir, CHAT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: pnpm, the start script and the gateway stop together
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = Promise.all(
    [child.stdout, child.stderr].map((s) => new Promise((resolve) => s.once('close', resolve))),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const found = /open (http:\/\/\S+?)\/ in a browser/.exec(stdout)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) =>
      reject(new Error(`pnpm start exited with ${code} before printing its URL:\n${stderr}`)),
    );
  });
  return {
    url,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      process.kill(-child.pid!, signal);
      await closed; // every process holding the pipes has exited: the data directory is free
    },
  };
}

/** Asserts the started gateway serves /healthz, the page, and a cited answer over /ws. */
async function expectServesChat(url: string): Promise<void> {
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok' });
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  const c = await ChatClient.open(`${url.replace(/^http/, 'ws')}/ws`);
  await c.next('session');
  c.send({ type: 'message', id: 'q1', content: 'How do I roll back a deployment?' });
  const finish = await c.next('finish', () => true, 30_000);
  expect(finish.response.sources).toContain('deployment-runbook.md');
  expect(c.violations).toEqual([]);
  await c.close();
}

describe('pnpm start (the root README run command)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-start-'));
  beforeAll(() => {
    // A rebuild here would empty dist/ under the tests running beside this one.
    expect((stalePackage as (root: string) => string | undefined)(ROOT), 'run pnpm build').toBe(
      undefined,
    );
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on a fresh data directory ingests examples/docs and prints a URL that serves the chat', async () => {
    const gateway = await pnpmStart(dataDir);
    try {
      await expectServesChat(gateway.url);
      expect(gateway.stderr()).toMatch(/"msg":"sample documents ingested".*"documents":6/);
      expect(gateway.stderr()).not.toContain('building');
      expect(existsSync(join(dataDir, '.seeded-docs'))).toBe(true);
    } finally {
      await gateway.stop();
    }
    expect(gateway.stderr()).toContain('chatbot-gateway: shutting down');
  }, 90_000);

  it('a second start reuses the data: no ingestion, and the first question is answered from it; Ctrl-C says it stopped cleanly', async () => {
    const gateway = await pnpmStart(dataDir);
    try {
      await expectServesChat(gateway.url);
      expect(gateway.stderr()).not.toContain('sample documents ingested');
    } finally {
      await gateway.stop('SIGINT');
    }
    // pnpm prints "ELIFECYCLE Command failed" after any Ctrl-C; the line before it says why.
    expect(gateway.stderr()).toContain(
      'chatbot: the gateway stopped cleanly (a following "ELIFECYCLE Command failed" is pnpm reporting the Ctrl-C, not an error)\n',
    );
  }, 90_000);
});
