import { median, type LatencySummary } from './stats.js';

export interface LatencyRow {
  server: string;
  tool: string;
  summary: LatencySummary;
  /** Highest acceptable p50 / echo p50, when the tool has a target. */
  maxRatio?: number;
}

export interface StartupRow {
  server: string;
  /** Per run: spawn to the first tools/list answer. */
  wallMs: number[];
  /** Per run: the server's CPU time (user + system) at that moment. */
  cpuMs: number[];
  /** Highest acceptable median, when there is a target. */
  maxMs?: number;
}

export interface MemoryRow {
  server: string;
  atStartMb: number;
  afterRecordsMb?: number;
}

export interface Report {
  warmupCalls: number;
  rounds: number;
  records: number;
  baselineP50Ms: number;
  latency: LatencyRow[];
  startup: StartupRow[];
  memory: MemoryRow[];
  notes: string[];
}

/** The record-tools section as markdown; bench/run.ts puts it into bench/results/latest.md. */
export function renderReport(r: Report): string {
  const lines = [
    `Sequential tools/call over stdio (SDK \`Client\` + \`StdioClientTransport\`, real child processes), ` +
      `${r.warmupCalls} warm-up calls per tool, then the timed calls in ${r.rounds} rounds that each run a chunk ` +
      `of every tool in turn, so that load changes during the run hit every row alike. ` +
      `Percentiles by nearest rank; calls/s = calls / seconds spent in that tool's chunks.`,
    '',
    '| Server | Tool | Calls | p50 (ms) | p99 (ms) | Calls/s | p50 / echo p50 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.latency.map((row) => {
      const s = row.summary;
      const ratio = s.p50Ms / r.baselineP50Ms;
      const target =
        row.maxRatio === undefined
          ? ''
          : ` ${ratio <= row.maxRatio ? 'ok' : 'MISSED'} (target ≤ ${row.maxRatio}x)`;
      return `| ${row.server} | ${row.tool} | ${s.calls} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${Math.round(s.callsPerSecond)} | ${ratio.toFixed(1)}x${target} |`;
    }),
    '',
    'Start-up: spawn to the first tools/list answer (initialize included), median of ' +
      `${r.startup[0]?.wallMs.length ?? 0} runs; CPU is the server's user + system time by then.`,
    '',
    '| Server | Median (ms) | Min (ms) | Max (ms) | Median CPU (ms) | Target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...r.startup.map((row) => {
      const wall = median(row.wallMs);
      const target =
        row.maxMs === undefined ? '' : `${wall < row.maxMs ? 'ok' : 'MISSED'} (< ${row.maxMs} ms)`;
      return `| ${row.server} | ${Math.round(wall)} | ${Math.round(Math.min(...row.wallMs))} | ${Math.round(Math.max(...row.wallMs))} | ${Math.round(median(row.cpuMs))} | ${target} |`;
    }),
    '',
    'Memory: resident set size (VmRSS) of the server process.',
    '',
    `| Server | RSS at start (MB) | RSS after ${r.records.toLocaleString('en-US')} records created (MB) |`,
    '| --- | ---: | ---: |',
    ...r.memory.map(
      (row) =>
        `| ${row.server} | ${row.atStartMb.toFixed(1)} | ${row.afterRecordsMb === undefined ? '–' : row.afterRecordsMb.toFixed(1)} |`,
    ),
    ...(r.notes.length > 0 ? ['', ...r.notes.map((n) => `- ${n}`)] : []),
    '',
  ];
  return lines.join('\n');
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}
