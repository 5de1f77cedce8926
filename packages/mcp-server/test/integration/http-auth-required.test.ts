import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, loadHttpConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { startTestHttpServer } from '../support/http-server.js';
import { childEnv, runCli } from '../support/cli-process.js';

/**
 * HTTP on an address other machines can reach needs MCP_AUTH_TOKEN, unless the user says
 * explicitly that they want no authentication (--no-auth / MCP_ALLOW_NO_AUTH=true); then the
 * server warns at start-up.
 */
describe('HTTP without MCP_AUTH_TOKEN', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'chat.example.com', '10.0.0.1'])(
    'refuses to serve on %s',
    (host) => {
      expect(() => loadHttpConfig({}, { host })).toThrow(ConfigError);
      expect(() => loadHttpConfig({}, { host })).toThrow(
        new RegExp(
          `^MCP_AUTH_TOKEN: required to serve HTTP on ${host.replace(/\./g, '\\.')},.*--no-auth \\(MCP_ALLOW_NO_AUTH=true\\)`,
        ),
      );
      expect(() => loadHttpConfig({ MCP_HTTP_HOST: host })).toThrow(/^MCP_AUTH_TOKEN: required/);
    },
  );

  it('serves on a loopback address, with a token, or with the explicit flag', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      expect(isLoopbackAddress(host)).toBe(true);
      expect(loadHttpConfig({}, { host }).allowNoAuth).toBe(false);
    }
    expect(loadHttpConfig({ MCP_AUTH_TOKEN: 't' }, { host: '0.0.0.0' }).authToken).toBe('t');
    expect(loadHttpConfig({ MCP_ALLOW_NO_AUTH: 'true' }, { host: '0.0.0.0' }).allowNoAuth).toBe(
      true,
    );
    expect(loadHttpConfig({}, { host: '0.0.0.0', noAuth: true }).allowNoAuth).toBe(true);
    expect(() => loadHttpConfig({ MCP_ALLOW_NO_AUTH: 'maybe' }, { host: '0.0.0.0' })).toThrow(
      /MCP_ALLOW_NO_AUTH/,
    );
  });

  it('warns loudly when serving without authentication on a non-loopback address', async () => {
    const lines: string[] = [];
    const server = await startTestHttpServer({
      env: { MCP_ALLOW_NO_AUTH: 'true', MCP_HTTP_HOST: '0.0.0.0' },
      logger: createLogger('info', (line) => lines.push(line)),
    });
    try {
      const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(warnings).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: expect.stringMatching(/^NO AUTHENTICATION: /),
        }),
      );
    } finally {
      await server.close();
    }
  });

  it('the CLI exits 2 (a configuration error) with one line naming MCP_AUTH_TOKEN and --no-auth', async () => {
    const run = await runCli(['--transport', 'http', '--host', '0.0.0.0', '--port', '0'], {
      env: childEnv(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^chatbot-mcp-server: MCP_AUTH_TOKEN: required to serve HTTP on 0\.0\.0\.0[^\n]*--no-auth[^\n]*\n$/,
    );
  });
});
