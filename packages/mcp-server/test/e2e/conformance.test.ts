import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaEnv, loadLambdaHandler, removeLambdaDataDirs } from '../support/lambda-container.js';
import { startLambdaUrlEmulator, type LambdaUrlEmulator } from '../support/lambda-url-emulator.js';
import { startDynalite, type RecordBackend } from '../support/record-backends.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import {
  NODE20_SHIM,
  failed,
  listServerScenarios,
  passed,
  runConformanceCli,
  runServerSuite,
  type Check,
} from '../support/conformance-runner.js';
import baseline from './conformance-baseline.json' with { type: 'json' };

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, every server scenario)
 * against the HTTP transport and against the Lambda handler behind a local Function URL
 * emulator. Expected failures live in conformance-baseline.json, each with its reason.
 */

const MUST_PASS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];
const RUN_TIMEOUT_MS = 90_000;
const expected = baseline.expectedFailures.map((e) => e.scenario);

let allScenarios: string[];
beforeAll(async () => {
  allScenarios = await listServerScenarios();
});

describe('conformance baseline file', () => {
  it('names known scenarios, once each, each with a reason, and none of the must-pass ones', () => {
    expect(allScenarios.length).toBeGreaterThanOrEqual(30);
    expect(new Set(expected).size).toBe(expected.length);
    for (const entry of baseline.expectedFailures) {
      expect(allScenarios, entry.scenario).toContain(entry.scenario);
      expect(entry.reason.length, entry.scenario).toBeGreaterThan(10);
    }
    for (const scenario of MUST_PASS) expect(expected).not.toContain(scenario);
  });
});

describe('Node 20 shim for the conformance CLI', () => {
  it('gives the conformance package an fs.globSync (paths relative to cwd) and leaves others alone', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mcp-shim-'));
    try {
      const pkg = join(root, 'node_modules', '@modelcontextprotocol', 'conformance');
      await mkdir(join(root, 'results', 'a'), { recursive: true });
      await mkdir(join(root, 'results', 'b', 'c'), { recursive: true });
      await writeFile(join(root, 'results', 'a', 'checks.json'), '[]');
      await writeFile(join(root, 'results', 'b', 'c', 'checks.json'), '[]');
      await mkdir(pkg, { recursive: true });
      await writeFile(
        join(pkg, 'probe.mjs'),
        `import { globSync, readFileSync } from 'fs';\nimport fs from 'node:fs';\n` +
          `console.log(JSON.stringify({ found: globSync('**/checks.json', { cwd: ${JSON.stringify(join(root, 'results'))} }).sort(), read: typeof readFileSync, dflt: typeof fs.readFileSync }));\n`,
      );
      await writeFile(
        join(root, 'outside.mjs'),
        `import * as fs from 'node:fs';\nconsole.log(typeof fs.globSync);\n`,
      );
      const run = (file: string): string =>
        execFileSync(process.execPath, ['--import', NODE20_SHIM, file], {
          encoding: 'utf8',
        }).trim();
      expect(JSON.parse(run(join(pkg, 'probe.mjs')))).toEqual({
        found: ['a/checks.json', 'b/c/checks.json'],
        read: 'function',
        dflt: 'function',
      });
      // Outside the conformance package, fs is Node's own (no globSync on Node 20).
      expect(run(join(root, 'outside.mjs'))).toBe(
        process.versions.node.startsWith('20.') ? 'undefined' : 'function',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('lets the CLI start on this Node version', async () => {
    const { code, output } = await runConformanceCli(['--version'], 30_000);
    expect(output).not.toContain('does not provide an export named');
    expect(code).toBe(0);
    expect(output.trim()).toBe('0.1.16');
  });
});

/** The suite's verdicts for one target, checked against the baseline in both directions. */
async function expectConformant(url: string): Promise<void> {
  const run = await runServerSuite(url, expected, RUN_TIMEOUT_MS);
  const describeChecks = (scenario: string): string =>
    `${scenario}: ${(run.scenarios.get(scenario) ?? [])
      .filter((c: Check) => c.status === 'FAILURE' || c.status === 'WARNING')
      .map(
        (c) =>
          `${c.status} ${c.id} ${c.errorMessage ?? JSON.stringify(c.details ?? '').slice(0, 200)}`,
      )
      .join('; ')}`;

  expect([...run.scenarios.keys()].sort(), `scenarios run:\n${run.output.slice(-3000)}`).toEqual(
    [...allScenarios].sort(),
  );
  const failing = [...run.scenarios].filter(([, checks]) => failed(checks)).map(([name]) => name);
  const unexpected = failing.filter((s) => !expected.includes(s));
  const stale = expected.filter((s) => !failing.includes(s));
  expect(unexpected.map(describeChecks), 'failed but not in conformance-baseline.json').toEqual([]);
  expect(stale, 'in conformance-baseline.json but passed: remove them').toEqual([]);
  for (const scenario of MUST_PASS) {
    expect(passed(run.scenarios.get(scenario) ?? []), describeChecks(scenario)).toBe(true);
  }
  // The suite's own baseline check agrees (exit 0 only with no regressions and no stale entries).
  expect(run.exitCode, run.output.slice(-3000)).toBe(0);
}

describe('MCP conformance suite against startHttpServer (Streamable HTTP)', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startTestHttpServer();
  });
  afterAll(() => server.close());

  it(
    'passes every scenario outside the baseline and fails every one inside it',
    async () => {
      await expectConformant(server.url);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});

describe('MCP conformance suite against the Lambda handler behind a local Function URL emulator', () => {
  let dynamo: RecordBackend;
  let emulator: LambdaUrlEmulator;
  beforeAll(async () => {
    dynamo = await startDynalite();
    emulator = await startLambdaUrlEmulator(await loadLambdaHandler(lambdaEnv(dynamo.endpoint)));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await emulator.close();
    await dynamo.close();
    await removeLambdaDataDirs();
  });

  it(
    'passes every scenario outside the baseline and fails every one inside it',
    async () => {
      await expectConformant(`${emulator.url}/mcp`);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
