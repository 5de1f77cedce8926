import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI, as users run it (`pnpm build` first). */
export const CLI_PATH = join(PACKAGE_DIR, 'dist/cli.js');

/**
 * A private copy of the built package for a long measurement, so that a rebuild meanwhile
 * (which empties dist) cannot pull the CLI from under it. It stays under node_modules so that
 * the dependencies still resolve. Returns the copy's cli.js.
 */
export function snapshotCli(): string {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run pnpm build first`);
  const dir = join(PACKAGE_DIR, 'node_modules', '.cache', `chatbot-cli-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(PACKAGE_DIR, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(PACKAGE_DIR, 'package.json'), join(dir, 'package.json'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'dist', 'cli.js');
}

export interface ToolDocument {
  source: string;
  content: string;
  title?: string;
  content_type: 'text/plain' | 'text/markdown' | 'text/html';
}

export interface ToolIngest {
  documents: number;
  chunks: number;
  seconds: number;
  /** Per call, ms, in call order. */
  callMs: number[];
}

/**
 * Ingests `documents` the way an MCP host adds them: the built server over stdio, one
 * `ingest_document` call each, in order, then a clean shutdown (stdin closed).
 */
export async function ingestThroughTool(
  dataDir: string,
  documents: readonly ToolDocument[],
  onProgress?: (done: number) => void,
): Promise<ToolIngest> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [snapshotCli(), '--data-dir', dataDir],
    stderr: 'pipe',
    env: { ...inheritedEnv(), LOG_LEVEL: 'warn' },
  });
  let stderrTail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });
  const client = new Client({ name: 'chatbot-mcp-eval', version: '0.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  const callMs: number[] = [];
  let chunks = 0;
  const started = performance.now();
  try {
    for (const [i, document] of documents.entries()) {
      const t0 = performance.now();
      const result = (await client.callTool({
        name: 'ingest_document',
        arguments: { ...document },
      })) as CallToolResult;
      callMs.push(performance.now() - t0);
      if (result.isError) {
        const text = result.content.map((c) => (c.type === 'text' ? c.text : c.type)).join(' ');
        throw new Error(`ingest_document ${document.source} failed: ${text}\n${stderrTail}`);
      }
      const structured = result.structuredContent as { chunks?: number } | undefined;
      chunks += structured?.chunks ?? 0;
      if ((i + 1) % 500 === 0) onProgress?.(i + 1);
    }
  } finally {
    await client.close();
    // The SDK's close returns once it has signalled the server; the next step opens the same
    // data folder, so wait until the server has really exited and released its lock.
    if (pid !== null) await exited(pid, 120_000);
  }
  return {
    documents: documents.length,
    chunks,
    seconds: (performance.now() - started) / 1000,
    callMs,
  };
}

async function exited(pid: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `the server (pid ${pid}) did not exit within ${timeoutMs / 1000} s after stdin closed`,
  );
}

/** The environment minus what would point the server at another store or data folder. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('CHATBOT_')) continue;
    if (['VECTOR_STORE', 'RECORD_STORE', 'EMBEDDER'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}
