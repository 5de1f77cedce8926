import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, makeTempDir, NODE_BIN, removeDir } from '../support/cli-process.js';
import { startHttpCli, type HttpCliProcess } from '../support/http-cli.js';
import { connectHttpClient } from '../support/mcp-http.js';
import { documentRoundTrip, recordRoundTrip } from '../support/tool-results.js';

/**
 * The HTTP transport smoke test: `node dist/cli.js --transport http` (on NODE_BIN when set, as
 * .ci/run does for Node 22 and 24) with the SDK's Streamable HTTP client, a record and a
 * document round trip.
 */
describe(`node dist/cli.js --transport http on ${NODE_BIN}`, () => {
  let dataDir: string;
  let cli: HttpCliProcess;
  let client: Client;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await makeTempDir('mcp-http-smoke');
    cli = await startHttpCli(['--data-dir', dataDir], { MCP_AUTH_TOKEN: 'smoke-token' });
    client = await connectHttpClient(cli.url, { token: 'smoke-token' });
  });
  afterAll(async () => {
    await client?.close();
    await cli?.kill();
    await removeDir(dataDir);
  });

  it('serves the nine tools with a record and a document round trip', async () => {
    expect((await client.listTools()).tools).toHaveLength(9);
    await recordRoundTrip(client);
    await documentRoundTrip(client, 'smoke/quokkas.md');
  });

  it('refuses a request without the token', async () => {
    const response = await fetch(cli.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(response.status).toBe(401);
  });
});
