import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { connectClient, type ConnectedClient } from '../support/in-process.js';
import { callOk, callTool, textOf } from '../support/tool-results.js';

/**
 * A read-only `<data-dir>/documents` (a read-only bind mount: root ignores permission bits, and
 * mounting needs root, as in CI): ingest_document answers at once with UPSTREAM naming the folder
 * and what to do, later calls answer too, and the record tools keep working.
 */

const isRoot = process.getuid?.() === 0;

/** The call's answer, or 'no answer' when it takes longer than a loaded machine could explain. */
async function answered(call: Promise<CallToolResult>): Promise<CallToolResult | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'no answer'>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), 45_000);
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function open(dataDir: string): Promise<{ runtime: Runtime; session: ConnectedClient }> {
  const runtime = await createRuntime(loadConfig({}, { dataDir }), silentLogger);
  return { runtime, session: await connectClient(runtime.registry) };
}

async function shut(server: { runtime: Runtime; session: ConnectedClient }): Promise<void> {
  await server.session.close();
  await server.runtime.close();
}

async function expectRefusal(client: Client, dir: string): Promise<void> {
  for (const source of ['first.md', 'second.md']) {
    const result = await answered(
      callTool(client, 'ingest_document', { source, content: `# ${source}\n\nSome words.` }),
    );
    expect(result).not.toBe('no answer');
    const text = textOf(result as CallToolResult);
    expect((result as CallToolResult).isError, text).toBe(true);
    expect(text).toMatch(/^UPSTREAM: /);
    expect(text).toContain(dir);
    expect(text).toMatch(/read-only/i);
    expect(text).toMatch(/remount it read-write|writable/i);
  }
}

describe.runIf(isRoot)('a read-only documents folder (root only)', () => {
  let dataDir: string;
  let documents: string;
  let mounted = false;

  const readOnly = (): void => {
    execFileSync('mount', ['--bind', documents, documents]);
    mounted = true;
    execFileSync('mount', ['-o', 'remount,bind,ro', documents]);
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcp-ro-docs-'));
    documents = join(dataDir, 'documents');
  });
  afterEach(() => {
    try {
      if (mounted) execFileSync('umount', [documents]);
    } finally {
      mounted = false;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with an index in it: ingest_document fails fast and clearly, records go on', async () => {
    const before = await open(dataDir);
    await callOk(before.session.client, 'ingest_document', {
      source: 'kept.md',
      content: '# Kept\n\nAlready indexed.',
    });
    await shut(before);
    readOnly();

    const server = await open(dataDir);
    try {
      await expectRefusal(server.session.client, documents);
      await callOk(server.session.client, 'create_record', { table: 'notes', data: { id: 'r' } });
      await callOk(server.session.client, 'read_record', { table: 'notes', record_id: 'r' });
    } finally {
      await shut(server);
    }
  });

  it('empty: ingest_document fails fast and clearly, records go on', async () => {
    mkdirSync(documents);
    readOnly();
    const server = await open(dataDir);
    try {
      await expectRefusal(server.session.client, documents);
      await callOk(server.session.client, 'create_record', { table: 'notes', data: { id: 'r' } });
    } finally {
      await shut(server);
    }
  });
});
