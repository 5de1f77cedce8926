// Lambda handler timings, in-process: cold (module import, then the first invocation, which
// builds the runtime) and warm invocations, for the esbuild bundle (dist-lambda/index.mjs) and
// the unbundled build (dist/transports/lambda.js). Each cold sample is a fresh Node process; the
// record store is dynalite on 127.0.0.1, so store latency is local, not DynamoDB's.
//
//   pnpm build && pnpm build:lambda && node --import tsx bench/lambda-invoke.ts
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createDocumentClient } from '../src/adapters/aws/dynamodb-client.js';
import { ensureTables } from '../src/adapters/aws/ensure-tables.js';
import { startEmbeddedDynamoDb } from '../src/adapters/local/embedded-dynamodb.js';
import { loadConfig } from '../src/config.js';
import { median, percentile } from './stats.js';

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const BUNDLE = join(PACKAGE_DIR, 'dist-lambda', 'index.mjs');
const UNBUNDLED = join(PACKAGE_DIR, 'dist', 'transports', 'lambda.js');
const COLD_RUNS = 5;
const WARM_CALLS = 200;

/** One fresh process: import, first invocation, then warm invocations of each kind. */
const CHILD = `
const started = performance.now();
const { handler } = await import(process.argv[1]);
const importMs = performance.now() - started;
let id = 0;
const rpc = (method, params) => ({ jsonrpc: '2.0', id: ++id, method, params });
const httpEvent = (body) => ({
  version: '2.0', routeKey: '$default', rawPath: '/mcp', rawQueryString: '',
  headers: { host: 'x.lambda-url.us-east-1.on.aws', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  requestContext: { accountId: 'anonymous', apiId: 'x', domainName: 'x.lambda-url.us-east-1.on.aws', domainPrefix: 'x',
    http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0 },
  body: JSON.stringify(body), isBase64Encoded: false,
});
const time = async (fn) => { const t = performance.now(); const out = await fn(); return [performance.now() - t, out]; };
const [coldMs, init] = await time(() => handler(rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } })));
if (!init?.result) throw new Error('initialize failed: ' + JSON.stringify(init));
const created = await handler(rpc('tools/call', { name: 'create_record', arguments: { table: 'sessions', data: { topic: 'bench' } } }));
const sessionId = created.result.structuredContent.record.sessionId;
const kinds = {
  'direct: tools/list': () => handler(rpc('tools/list', {})),
  'direct: read_record': () => handler(rpc('tools/call', { name: 'read_record', arguments: { table: 'sessions', record_id: sessionId } })),
  'direct: create_record': () => handler(rpc('tools/call', { name: 'create_record', arguments: { table: 'sessions', data: { topic: 'bench' } } })),
  'payload v2: read_record': () => handler(httpEvent(rpc('tools/call', { name: 'read_record', arguments: { table: 'sessions', record_id: sessionId } }))),
};
const warm = {};
for (const [kind, fn] of Object.entries(kinds)) {
  for (let i = 0; i < 20; i++) await fn();
  warm[kind] = [];
  for (let i = 0; i < ${WARM_CALLS}; i++) {
    const [ms, out] = await time(fn);
    if (out?.result?.isError || out?.error || (out?.statusCode && out.statusCode !== 200)) throw new Error(kind + ' failed: ' + JSON.stringify(out).slice(0, 300));
    warm[kind].push(ms);
  }
}
process.stdout.write(JSON.stringify({ importMs, coldMs, warm, rssMb: process.memoryUsage().rss / 1048576 }));
`;

interface ChildResult {
  importMs: number;
  coldMs: number;
  warm: Record<string, number[]>;
  rssMb: number;
}

function runChild(modulePath: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD, pathToFileURL(modulePath).href],
      {
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${modulePath}: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as ChildResult);
      },
    );
  });
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

async function main(): Promise<void> {
  for (const file of [BUNDLE, UNBUNDLED]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run "pnpm build && pnpm build:lambda" first`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'lambda-bench-'));
  const dynamo = await startEmbeddedDynamoDb({ dataDir, inMemory: true });
  try {
    // Tables exist before the first invocation, as on AWS (CHATBOT_CREATE_TABLES stays off).
    const client = createDocumentClient({
      region: 'local',
      endpoint: dynamo.endpoint,
      localCredentials: true,
    });
    await ensureTables(client, loadConfig({}, { dataDir }).tables);
    client.destroy();
    const env = {
      RECORD_STORE: 'dynamodb',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LOG_LEVEL: 'error',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    const lines: string[] = [];
    const bundleBytes = statSync(BUNDLE).size;
    const gzipBytes = gzipSync(readFileSync(BUNDLE), { level: 9 }).length;
    lines.push(
      '# Lambda handler: bundle size and invocation time',
      '',
      `Node ${process.version} · ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores) · ${new Date().toISOString().slice(0, 10)}`,
      '',
      `Bundle dist-lambda/index.mjs: ${(bundleBytes / 1024).toFixed(0)} KiB (${(gzipBytes / 1024).toFixed(0)} KiB gzipped), plus mcp-tools.yaml.`,
      '',
      `In-process handler calls; store: dynalite on 127.0.0.1 (RECORD_STORE=dynamodb). Cold: ${COLD_RUNS} fresh processes, median (min–max). ` +
        'Import = loading the module; first invocation = initialize, which builds the runtime (contract parse and validation, DynamoDB client).',
      '',
      '| Build | Import (ms) | First invocation (ms) | Import + first (ms) | RSS after (MB) |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    const warmRows: string[] = [];
    for (const [label, path] of [
      ['esbuild bundle', BUNDLE],
      ['unbundled dist/', UNBUNDLED],
    ] as const) {
      const runs: ChildResult[] = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        process.stderr.write(`${label}: run ${i + 1}/${COLD_RUNS}\n`);
        runs.push(await runChild(path, env));
      }
      const cell = (values: number[]): string =>
        `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
      lines.push(
        `| ${label} | ${cell(runs.map((r) => r.importMs))} | ${cell(runs.map((r) => r.coldMs))} | ${cell(runs.map((r) => r.importMs + r.coldMs))} | ${fmt(median(runs.map((r) => r.rssMb)))} |`,
      );
      for (const kind of Object.keys(runs[0]?.warm ?? {})) {
        const samples = runs.flatMap((r) => r.warm[kind] ?? []);
        warmRows.push(
          `| ${label} | ${kind} | ${samples.length} | ${fmt(percentile(samples, 50))} | ${fmt(percentile(samples, 99))} |`,
        );
      }
    }
    lines.push(
      '',
      `Warm: ${WARM_CALLS} sequential invocations per kind in each process after 20 warm-up calls; percentiles by nearest rank over all processes.`,
      '',
      '| Build | Invocation | Calls | p50 (ms) | p99 (ms) |',
      '| --- | --- | ---: | ---: | ---: |',
      ...warmRows,
      '',
    );
    const report = lines.join('\n');
    process.stdout.write(report);
    mkdirSync(join(PACKAGE_DIR, 'bench', 'results'), { recursive: true });
    writeFileSync(join(PACKAGE_DIR, 'bench', 'results', 'lambda-invoke.md'), report);
  } finally {
    await dynamo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
