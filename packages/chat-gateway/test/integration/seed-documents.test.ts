import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, silentLogger } from 'chatbot-mcp-server/core';
import { createRuntime } from 'chatbot-mcp-server/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpToolClient } from '../../src/adapters/mcp/mcp-tool-client.js';
import { inProcessTransport } from '../../src/adapters/mcp/transports.js';
import { seedDocuments } from '../../src/app/seed-documents.js';
import { EXAMPLE_DOCS } from '../support/core-harness.js';

/**
 * The gateway's sample documents (seeded through `ingest_document` in process) and
 * `chatbot-mcp-server ingest examples/docs` (the built CLI, from the repository root) on one data
 * directory: both name each file the same way, so the second leaves one copy of each.
 */

const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
const run = promisify(execFile);

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'seed-docs-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

/** Opens the data directory in process, runs `use` with an MCP client on it, closes it. */
async function withTools<T>(use: (tools: McpToolClient) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadConfig({}, { dataDir }), silentLogger);
  const tools = new McpToolClient({
    connect: inProcessTransport(runtime, silentLogger),
    name: 'in-process',
    logger: silentLogger,
  });
  try {
    return await use(tools);
  } finally {
    await tools.close();
    await runtime.close();
  }
}

async function listedSources(): Promise<string[]> {
  return withTools(async (tools) => {
    const listed = await tools.callTool('list_documents', { limit: 100 });
    expect(listed.isError, listed.text).toBe(false);
    return ((listed.structured?.documents ?? []) as { source: string }[]).map((d) => d.source);
  });
}

const cliIngest = (): Promise<{ stdout: string }> =>
  run(process.execPath, [MCP_CLI, 'ingest', 'examples/docs', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    timeout: 120_000,
  });

describe('gateway seeding and CLI ingest name documents the same way', () => {
  it('seeding, then the CLI: the CLI finds every document unchanged, one copy each', async () => {
    const names = (await readdir(EXAMPLE_DOCS)).sort();
    const seeded = await withTools((tools) => seedDocuments(tools, EXAMPLE_DOCS, silentLogger));
    expect(seeded).toBe(names.length);
    expect((await listedSources()).sort()).toEqual(names);

    const { stdout } = await cliIngest();
    expect(stdout).toMatch(
      new RegExp(
        `Files: ${names.length} {2}indexed: 0 {2}unchanged \\(skipped\\): ${names.length} {2}failed: 0`,
      ),
    );
    expect((await listedSources()).sort()).toEqual(names);
  }, 180_000);

  it('the CLI, then seeding: the gateway adds nothing, one copy each', async () => {
    const names = (await readdir(EXAMPLE_DOCS)).sort();
    await cliIngest();
    expect((await listedSources()).sort()).toEqual(names);
    // The index is not empty, so the gateway seeds nothing; had it, the names would be the same.
    const seeded = await withTools((tools) => seedDocuments(tools, EXAMPLE_DOCS, silentLogger));
    expect(seeded).toBe(0);
    expect((await listedSources()).sort()).toEqual(names);
  }, 180_000);
});
