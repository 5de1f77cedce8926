/**
 * `chatbot-gateway --host 0.0.0.0` without CHAT_AUTH_TOKEN: refuses to start with one line that
 * says what to do; `--no-auth` starts it. The built CLI (dist/cli.js) as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-noauth-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CHATBOT_DATA_DIR: dataDir, LOG_LEVEL: 'error' };
  delete env.CHAT_AUTH_TOKEN;
  delete env.CHAT_ALLOW_NO_AUTH;
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // Started: that is all this test needs to know.
    if (stdout.includes('in a browser')) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('chatbot-gateway on a non-loopback address', () => {
  it('refuses to start without a token, in one line that says what to do', async () => {
    const { code, stdout, stderr } = await run(['--host', '0.0.0.0', '--port', '0']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^chatbot-gateway: CHAT_AUTH_TOKEN: required to serve on 0\.0\.0\.0.*bind 127\.0\.0\.1.*--no-auth \(CHAT_ALLOW_NO_AUTH=true\)/,
    );
  }, 60_000);

  it('starts with --no-auth', async () => {
    const { stdout } = await run(['--host', '0.0.0.0', '--port', '0', '--no-auth']);
    expect(stdout).toMatch(/open http:\/\/0\.0\.0\.0:\d+\/ in a browser/);
  }, 60_000);
});
