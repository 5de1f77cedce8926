import { ms, table } from './section.js';

/** read_record must reach at least this share of the echo server's throughput at 16 connections. */
const READ_MIN_RATIO = 0.5;
const READ_TARGET_CONNECTIONS = 16;

export interface LoadRow {
  server: string;
  tool: string;
  connections: number;
  /** Correct answers per second. */
  requestsPerSecond: number;
  /** Of 2xx answers, in ms. */
  p50Ms: number;
  p99Ms: number;
  responses: number;
  /** Non-2xx answers plus 2xx answers that were not a successful tool result. */
  badAnswers: number;
  wrong2xx: number;
  connectionErrors: number;
  timeouts: number;
  /** Non-2xx status codes and their counts, e.g. "3× 500". */
  statuses?: string;
  firstBadBody?: string;
}

export function renderHttp(r: {
  rows: LoadRow[];
  memory: { server: string; rssMb: number }[];
  seconds: number;
  searchQuery: string;
}): string {
  const echoRate = new Map(
    r.rows
      .filter((row) => row.tool === 'echo')
      .map((row) => [row.connections, row.requestsPerSecond]),
  );
  const problems = r.rows.filter((row) => row.badAnswers > 0 || row.connectionErrors > 0);
  return [
    `autocannon (programmatic, in the benchmark process) on 127.0.0.1, ${r.seconds} s per row after a ` +
      `1 s warm-up per tool; concurrency = connections, each with one request in flight. Every request ` +
      `is a stateless JSON-RPC tools/call POST to /mcp (content-type: application/json; ` +
      `accept: application/json, text/event-stream; no initialize). An answer counts when it is 2xx ` +
      `and a successful tool result with the expected content; req/s counts those only. Latency ` +
      `percentiles are over every 2xx answer, from per-request times. The real server is ` +
      `\`node dist/cli.js --transport http --port 0\` on a fresh data dir holding one record (read_record ` +
      `reads it) and examples/docs (search_documents: "${r.searchQuery}", limit 5, hybrid); the ` +
      `baseline is bench/echo-http-server.mjs. Client and servers share the machine's cores.`,
    '',
    table(
      ['Server', 'Tool', 'Concurrency', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Errors', 'req/s vs echo'],
      r.rows.map((row) => {
        const ratio = row.requestsPerSecond / (echoRate.get(row.connections) ?? NaN);
        const target =
          row.tool === 'read_record' && row.connections === READ_TARGET_CONNECTIONS
            ? ` ${ratio >= READ_MIN_RATIO ? 'ok' : 'MISSED'} (target ≥ ${READ_MIN_RATIO})`
            : '';
        return [
          row.server,
          row.tool,
          String(row.connections),
          String(Math.round(row.requestsPerSecond)),
          ms(row.p50Ms),
          ms(row.p99Ms),
          String(row.badAnswers + row.connectionErrors),
          `${ratio.toFixed(2)}${target}`,
        ];
      }),
      'llrrrrrr',
    ),
    '',
    `Errors = non-2xx answers + 2xx answers that were not the expected tool result + connection ` +
      `errors (timeouts included). ${problems.length === 0 ? 'There were none.' : 'Details:'}`,
    ...problems.map(
      (row) =>
        `- ${row.server} ${row.tool} at ${row.connections}: ${row.responses} answers; ` +
        `non-2xx ${row.statuses ?? 'none'}; wrong 2xx ${row.wrong2xx}; connection errors ` +
        `${row.connectionErrors} (timeouts ${row.timeouts})` +
        (row.firstBadBody ? `; first bad body: \`${row.firstBadBody.replace(/`/g, "'")}\`` : ''),
    ),
    '',
    `RSS after the runs: ${r.memory.map((m) => `${m.server} ${m.rssMb.toFixed(0)} MB`).join(', ')}.`,
  ].join('\n');
}
