import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_DIR } from './cli-process.js';

/** The official MCP conformance suite's CLI, run with the Node 20 loader shim. */
export const CONFORMANCE_CLI = join(
  PACKAGE_DIR,
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
);
export const NODE20_SHIM = fileURLToPath(new URL('./conformance-node20-shim.mjs', import.meta.url));

export interface Check {
  id: string;
  /** SUCCESS, FAILURE, WARNING or INFO. */
  status: string;
  errorMessage?: string;
  details?: unknown;
}

export interface ConformanceRun {
  exitCode: number | null;
  output: string;
  /** Checks per scenario, read from the suite's own checks.json files. */
  scenarios: Map<string, Check[]>;
}

export function runConformanceCli(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', NODE20_SHIM, CONFORMANCE_CLI, ...args],
      {
        cwd: tmpdir(),
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Every server scenario the suite knows (all suites), from `conformance list --server`. */
export async function listServerScenarios(): Promise<string[]> {
  const { code, output } = await runConformanceCli(['list', '--server'], 30_000);
  if (code !== 0) throw new Error(`conformance list failed (${code}):\n${output}`);
  return [...output.matchAll(/^\s+- ([\w-]+) \[/gm)].map((m) => m[1] ?? '');
}

/**
 * `conformance server --url <url> --suite all` with the suite's own expected-failures check fed
 * from `expectedFailures`; returns its exit code and every scenario's checks.
 */
export async function runServerSuite(
  url: string,
  expectedFailures: string[],
  timeoutMs: number,
): Promise<ConformanceRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const baseline = join(dir, 'expected-failures.yml');
    await writeFile(baseline, `server:\n${expectedFailures.map((s) => `  - ${s}\n`).join('')}`);
    const results = join(dir, 'results');
    const { code, output } = await runConformanceCli(
      [
        'server',
        '--url',
        url,
        '--suite',
        'all',
        '--expected-failures',
        baseline,
        '--output-dir',
        results,
      ],
      timeoutMs,
    );
    const scenarios = new Map<string, Check[]>();
    for (const entry of await readdir(results).catch(() => [] as string[])) {
      // server-<scenario>-<ISO time with : and . replaced by ->
      const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(entry)?.[1];
      if (!scenario) continue;
      scenarios.set(
        scenario,
        JSON.parse(await readFile(join(results, entry, 'checks.json'), 'utf8')) as Check[],
      );
    }
    return { exitCode: code, output, scenarios };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The suite's rule for its baseline: a scenario fails if any check is a FAILURE or a WARNING. */
export function failed(checks: Check[]): boolean {
  return checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING');
}

export function passed(checks: Check[]): boolean {
  return !failed(checks) && checks.some((c) => c.status === 'SUCCESS');
}
