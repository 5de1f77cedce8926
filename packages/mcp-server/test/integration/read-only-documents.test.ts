import { execFileSync } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

const WHILE_RUNNING = new URL('../support/read-only-while-running.ts', import.meta.url).pathname;
/** nobody: an unprivileged user, for whom permission bits count. */
const NOBODY = '65534';

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

  it('made read-only (chmod) while the server runs, as an unprivileged user: fails fast, loses nothing', async () => {
    chmodSync(dataDir, 0o755);
    chownSync(dataDir, Number(NOBODY), Number(NOBODY));
    const args = ['--reuid', NOBODY, '--regid', NOBODY, '--clear-groups'];
    const output = execFileSync(
      'setpriv',
      [...args, process.execPath, '--import', 'tsx', WHILE_RUNNING, dataDir],
      { timeout: 90_000, encoding: 'utf8' },
    );
    const outcomes = JSON.parse(output.trim().split('\n').at(-1)!) as string[];
    expect(outcomes[0]).toBe('stored');
    // The journal's open file may take a write before a flush finds the folder read-only.
    const refusal = new RegExp(
      `^UPSTREAM: the document index folder ${documents} is read-only .*permission denied.*chmod -R u\\+w`,
    );
    expect(outcomes.at(-1)).toMatch(refusal);
    for (const outcome of outcomes)
      expect(outcome).toMatch(new RegExp(`^stored$|${refusal.source}`));

    execFileSync('chmod', ['-R', 'u+w', documents]);
    const server = await open(dataDir);
    try {
      const listed = await callOk(server.session.client, 'list_documents', {});
      const sources = (listed.documents as { source: string }[]).map((d) => d.source);
      const stored = ['first.md', 'second.md', 'third.md', 'fourth.md'].filter(
        (_, i) => outcomes[i] === 'stored',
      );
      expect(sources.sort()).toEqual(stored.sort());
    } finally {
      await shut(server);
    }
  }, 120_000);
});
