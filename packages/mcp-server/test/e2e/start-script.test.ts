import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  childEnv,
  makeTempDir,
  PACKAGE_DIR,
  removeDir,
} from '../support/cli-process.js';
// @ts-expect-error: a plain .mjs build script without types
import { staleReason } from '../../scripts/build-if-stale.mjs';

/**
 * `pnpm --silent start:mcp` from the repository root, as an MCP host would run it: with dist
 * current it does not rebuild, and the first byte on stdout is the server's JSON-RPC answer
 * (no pnpm banner, no build output).
 */
const ROOT = join(PACKAGE_DIR, '..', '..');

describe('pnpm --silent start:mcp', () => {
  let dataDir: string;
  beforeAll(async () => {
    assertBuilt();
    // A rebuild here would empty dist/ under the tests running beside this one.
    expect(
      (staleReason as (dir: string) => string | undefined)(PACKAGE_DIR),
      'run pnpm build',
    ).toBeUndefined();
    dataDir = await makeTempDir('mcp-start');
  });
  afterAll(() => removeDir(dataDir));

  it('answers initialize with stdout holding only JSON-RPC', async () => {
    const child = spawn('pnpm', ['--silent', 'start:mcp', '--data-dir', dataDir], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    child.stdin.write(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'start-test', version: '0' },
        },
      }) + '\n',
    );
    try {
      const text = await firstLine;
      expect(text.startsWith('{'), `stdout began with: ${text.slice(0, 200)}`).toBe(true);
      expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ id: 1, result: { serverInfo: {} } });
      expect(stderr).not.toContain('building');
    } finally {
      child.kill();
    }
  }, 60_000);
});
