// The HTTP section of `pnpm bench`: tools/call load with autocannon on loopback, against the real
// server (`cli.js --transport http`) and a bare SDK server (bench/echo-http-server.mjs) in the
// same run. Each request is one stateless JSON-RPC tools/call POST, as a Streamable HTTP client
// sends it; every response is checked (status 200 and a successful tool result).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_DIR, PACKAGE_DIR, type BenchConfig } from './bench-config.js';
import {
  callTool,
  MCP_POST_HEADERS,
  startHttpServerProcess,
  toolCallBody,
  toolResult,
  type HttpServerProcess,
} from './http-servers.js';
import { renderHttp, type LoadRow } from './http-report.js';
import { rssMb } from './mcp-process.js';
import { progress, runSection } from './section.js';
import { percentile } from './stats.js';

const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');
const EXAMPLE_DOCS = resolve(PACKAGE_DIR, '../../examples/docs');
const WARMUP_SECONDS = 1;
const SEARCH_QUERY = 'how do we deploy a new release';

/** One kind of request: which server, which tool call, and what a correct answer looks like. */
interface Workload {
  server: HttpServerProcess;
  tool: string;
  body: string;
  check: (result: Record<string, unknown>) => boolean;
}

async function httpSection(config: BenchConfig): Promise<string> {
  const { seconds, concurrencies } = config.http;
  const tempRoot = mkdtempSync(join(tmpdir(), 'chatbot-mcp-bench-http-'));
  const dataDir = join(tempRoot, 'data');
  const servers: HttpServerProcess[] = [];
  try {
    progress(`http: ingesting ${EXAMPLE_DOCS}`);
    await promisify(execFile)(
      process.execPath,
      [CLI, 'ingest', EXAMPLE_DOCS, '--data-dir', dataDir],
      {
        cwd: PACKAGE_DIR,
      },
    );
    const real = await startHttpServerProcess(
      'chatbot-mcp-server',
      [CLI, '--transport', 'http', '--port', '0', '--data-dir', dataDir],
      PACKAGE_DIR,
    );
    servers.push(real);
    const echo = await startHttpServerProcess(
      'echo (bare SDK)',
      [join(BENCH_DIR, 'echo-http-server.mjs')],
      PACKAGE_DIR,
    );
    servers.push(echo);

    const created = await callTool(real.url, 'create_record', {
      table: 'sessions',
      data: { userId: 'user-1', title: 'bench record', turns: 3, tags: ['bench'] },
    });
    const recordId = (created as { record: { sessionId: string } }).record.sessionId;
    const workloads: Workload[] = [
      {
        server: echo,
        tool: 'echo',
        body: toolCallBody('echo', { text: 'hello' }),
        check: (r) => Array.isArray(r.content) && r.content.length === 1,
      },
      {
        server: real,
        tool: 'read_record',
        body: toolCallBody('read_record', { table: 'sessions', record_id: recordId }),
        check: (r) => (r as { record?: { sessionId?: string } }).record?.sessionId === recordId,
      },
      {
        server: real,
        tool: 'search_documents',
        body: toolCallBody('search_documents', { query: SEARCH_QUERY, limit: 5 }),
        check: (r) => Array.isArray(r.results) && r.results.length > 0,
      },
    ];
    // Once by hand, so that a broken setup fails here with the server's answer, not as errors.
    for (const w of workloads) {
      const response = await fetch(w.server.url, {
        method: 'POST',
        headers: MCP_POST_HEADERS,
        body: w.body,
      });
      const result = toolResult(await response.text());
      if (response.status !== 200 || !result || !w.check(result)) {
        throw new Error(
          `${w.server.label}: ${w.tool} did not answer correctly (${response.status})`,
        );
      }
    }

    progress(`http: warm-up, ${WARMUP_SECONDS} s per tool`);
    for (const w of workloads) await load(w, 16, WARMUP_SECONDS);
    const rows: LoadRow[] = [];
    // Concurrency in the outer loop: the echo baseline and the tools it is compared with run
    // next to each other in time, so that load changes on the machine hit them alike.
    for (const connections of concurrencies) {
      for (const w of workloads) {
        progress(`http: ${w.server.label} ${w.tool}, ${connections} connections, ${seconds} s`);
        rows.push(await load(w, connections, seconds));
      }
    }
    const memory = servers.map((s) => ({ server: s.label, rssMb: rssMb(s.pid) }));
    return renderHttp({ rows, memory, seconds, searchQuery: SEARCH_QUERY });
  } finally {
    for (const server of servers) await server.close();
    rmSync(tempRoot, { recursive: true, force: true });
  }
}

/** Keeps `connections` requests in flight for `seconds`; latency from our own samples (sub-ms). */
async function load(w: Workload, connections: number, seconds: number): Promise<LoadRow> {
  const latencies: number[] = [];
  let firstBadBody: string | undefined;
  const instance = autocannon({
    url: w.server.url,
    method: 'POST',
    headers: MCP_POST_HEADERS,
    body: w.body,
    connections,
    duration: seconds,
    timeout: 10,
    verifyBody: (body) => {
      const result = toolResult(body);
      const ok = result !== undefined && w.check(result);
      if (!ok) firstBadBody ??= body.slice(0, 300);
      return ok;
    },
  });
  let responses = 0;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    responses++;
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  const result = await instance;
  // Every non-2xx answer also fails verifyBody, so mismatches counts all bad answers.
  const ok = responses - result.mismatches;
  const statuses = Object.entries(result.statusCodeStats)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${count}× ${code}`);
  return {
    server: w.server.label,
    tool: w.tool,
    connections,
    requestsPerSecond: ok / result.duration,
    p50Ms: latencies.length > 0 ? percentile(latencies, 50) : NaN,
    p99Ms: latencies.length > 0 ? percentile(latencies, 99) : NaN,
    responses,
    badAnswers: result.mismatches,
    wrong2xx: result.mismatches - result.non2xx,
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    ...(statuses.length > 0 && { statuses: statuses.join(', ') }),
    ...(firstBadBody !== undefined && { firstBadBody }),
  };
}

runSection('Tool calls over HTTP under load', httpSection);
