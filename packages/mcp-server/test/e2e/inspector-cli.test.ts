import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  childEnv,
  CLI_PATH,
  makeTempDir,
  PACKAGE_DIR,
  removeDir,
} from '../support/cli-process.js';
import { startHttpCli, type HttpCliProcess } from '../support/http-cli.js';
import { ALL_TOOLS } from '../support/tool-results.js';

/**
 * Interoperability with the MCP Inspector CLI (@modelcontextprotocol/inspector 0.15.0), an
 * independent client, over stdio (it spawns node dist/cli.js per command) and over HTTP.
 * Its exit codes, as verified here: 0 for any answer, including a tool result with
 * isError: true (it prints the result); 1 when the call itself fails (e.g. an unknown tool).
 */

const INSPECTOR = join(PACKAGE_DIR, 'node_modules', '.bin', 'mcp-inspector');

interface InspectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

function inspector(args: string[], env: Record<string, string> = {}): Promise<InspectorRun> {
  return new Promise((resolve) => {
    execFile(
      INSPECTOR,
      ['--cli', ...args],
      { env: childEnv(env), timeout: 30_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          // not JSON: an error run; callers check code and stderr
        }
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
          json,
        });
      },
    );
  });
}

const toolArgs = (args: Record<string, unknown>): string[] =>
  Object.entries(args).flatMap(([key, value]) => [
    '--tool-arg',
    `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  ]);

/** The same checks over any target: list, call every tool, and two kinds of failure. */
function describeTarget(
  name: string,
  target: () => { args: string[]; before?: () => Promise<void> },
): void {
  describe(name, { timeout: 120_000 }, () => {
    const run = async (method: string[], extra: string[] = []): Promise<InspectorRun> => {
      const { args, before } = target();
      await before?.();
      return inspector([...args, '--method', ...method, ...extra]);
    };
    const called = new Set<string>();
    const call = (tool: string, args: Record<string, unknown>): Promise<InspectorRun> => {
      called.add(tool);
      return run(['tools/call', '--tool-name', tool], toolArgs(args));
    };
    const ok = (result: InspectorRun): Record<string, unknown> => {
      expect(result.code, result.stderr).toBe(0);
      expect(result.json.isError ?? false, result.stdout).toBe(false);
      return result.json.structuredContent as Record<string, unknown>;
    };

    it('lists the tools', async () => {
      const result = await run(['tools/list']);
      expect(result.code, result.stderr).toBe(0);
      const tools = result.json.tools as { name: string; inputSchema: unknown }[];
      expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    });

    it('calls every tool, with string, number and JSON object arguments', async () => {
      const created = ok(
        await call('create_record', {
          table: 'sessions',
          data: { topic: 'from the inspector', turns: 2 },
        }),
      ) as {
        record: { sessionId: string; version: number };
      };
      expect(created.record).toMatchObject({ topic: 'from the inspector', turns: 2, version: 1 });
      const id = created.record.sessionId;

      expect(ok(await call('read_record', { table: 'sessions', record_id: id }))).toEqual(created);
      const updated = ok(
        await call('update_record', {
          table: 'sessions',
          record_id: id,
          data: { topic: 'renamed' },
          expected_version: 1,
        }),
      );
      expect(updated).toMatchObject({ record: { sessionId: id, topic: 'renamed', version: 2 } });

      ok(
        await call('create_record', {
          table: 'conversations',
          data: { sessionId: id, messageId: 'm1', text: 'hi' },
        }),
      );
      expect(
        ok(
          await call('read_record', {
            table: 'conversations',
            key: { sessionId: id, messageId: 'm1' },
          }),
        ),
      ).toMatchObject({
        record: { text: 'hi' },
      });
      const listed = ok(
        await call('list_records', { table: 'conversations', partition_key_value: id, limit: 10 }),
      ) as { records: unknown[] };
      expect(listed.records).toHaveLength(1);

      expect(
        ok(await call('delete_record', { table: 'sessions', record_id: id, expected_version: 2 })),
      ).toMatchObject({
        deleted: { sessionId: id, version: 2 },
      });

      const source = 'inspector/sourdough.md';
      expect(
        ok(
          await call('ingest_document', {
            source,
            content: '# Sourdough\n\nFeed the starter with rye flour twice a day.',
            metadata: { team: 'bakery', shift: 2 },
          }),
        ),
      ).toEqual({ source, chunks: 1, skipped: false });
      const searched = await call('search_documents', {
        query: 'starter rye flour',
        limit: 3,
        threshold: 0,
        filter: { metadata: { team: 'bakery' } },
      });
      const { results } = ok(searched) as {
        results: { source: string; score: number; metadata: unknown }[];
      };
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ source, metadata: { team: 'bakery', shift: 2 } });
      expect(results[0]?.score).toBeGreaterThan(0);
      expect(results[0]?.score).toBeLessThanOrEqual(1);
      expect(searched.json.content).toEqual([
        { type: 'text', text: expect.stringContaining(`\n<passage>\n│ source: "${source}"\n`) },
      ]);
      const documents = ok(await call('list_documents', { limit: 10 })) as {
        documents: { source: string; chunks: number }[];
      };
      expect(documents.documents).toEqual([expect.objectContaining({ source, chunks: 1 })]);
      expect(ok(await call('delete_document', { source }))).toEqual({
        source,
        deleted_chunks: 1,
      });
      expect(ok(await call('list_documents', {}))).toEqual({ documents: [] });
      expect([...called].sort()).toEqual([...ALL_TOOLS].sort());
    });

    it('reports a refused call as an error result (exit 0) and an unknown tool as a failure (exit 1)', async () => {
      const refused = await call('read_record', { table: 'sessions', record_id: 'does-not-exist' });
      expect(refused.code).toBe(0);
      expect(refused.json).toMatchObject({
        isError: true,
        content: [{ type: 'text', text: expect.stringMatching(/^NOT_FOUND: /) }],
      });

      const invalid = await call('update_record', {
        table: 'chatbot-sessions',
        record_id: 'x',
        data: { a: 1 },
      });
      expect(invalid.code).toBe(0);
      expect(invalid.json).toMatchObject({
        isError: true,
        content: [{ text: expect.stringMatching(/^VALIDATION: table: /) }],
      });

      const unknown = await run(['tools/call', '--tool-name', 'no_such_tool']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Failed to call tool no_such_tool');
      expect(unknown.stderr).toContain('-32602');
    });
  });
}

let dataDir: string;
let http: HttpCliProcess;
beforeAll(async () => {
  assertBuilt();
  dataDir = await makeTempDir('mcp-inspector');
  http = await startHttpCli(['--data-dir', join(dataDir, 'http')]);
});
afterAll(async () => {
  await http?.kill();
  await removeDir(dataDir);
});

/** The previous command's server may still be exiting; the next one must not find the stores locked. */
async function storeUnlocked(): Promise<void> {
  for (const name of ['records.lock', 'documents.lock']) {
    const lock = join(dataDir, 'stdio', name);
    for (let i = 0; i < 100 && existsSync(lock); i++) await sleep(50);
  }
}

describeTarget('MCP Inspector CLI over stdio (node dist/cli.js)', () => ({
  args: ['-e', `CHATBOT_DATA_DIR=${join(dataDir, 'stdio')}`, process.execPath, CLI_PATH],
  before: storeUnlocked,
}));

describeTarget(
  'MCP Inspector CLI over Streamable HTTP (node dist/cli.js --transport http)',
  () => ({
    args: [http.url, '--transport', 'http'],
  }),
);
