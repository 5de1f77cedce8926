// The record-tools section of `pnpm bench`: tool-call latency, start-up time and memory of the
// real server over stdio, next to a bare MCP SDK server (bench/echo-server.mjs) measured the same
// way in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, PACKAGE_DIR, type BenchConfig } from './bench-config.js';
import { rssMb, startServer, type ServerCommand } from './mcp-process.js';
import { renderReport, type LatencyRow, type MemoryRow, type StartupRow } from './report.js';
import { progress, runSection } from './section.js';
import { median, Series } from './stats.js';

const WARMUP = 50;
/** Timed calls run in this many rounds; each round runs a chunk of every tool in turn. */
const ROUNDS = 10;
/** Calls in flight while filling the table before the timed calls; not part of the latency rows. */
const FILL_CONCURRENCY = 4;
const TABLE = 'sessions';

const REAL = 'chatbot-mcp-server';
const ECHO = 'echo (bare SDK)';
const realServer = (dataDir: string): ServerCommand => ({
  label: REAL,
  args: [join(PACKAGE_DIR, 'dist', 'cli.js'), '--data-dir', dataDir],
  cwd: PACKAGE_DIR,
});
const echoServer: ServerCommand = {
  label: ECHO,
  args: [join(BENCH_DIR, 'echo-server.mjs')],
  cwd: PACKAGE_DIR,
};

async function recordsSection(config: BenchConfig): Promise<string> {
  const { calls, records, startupRuns } = config.records;
  const tempRoot = mkdtempSync(join(tmpdir(), 'chatbot-mcp-bench-'));
  try {
    const latency: LatencyRow[] = [];
    const memory: MemoryRow[] = [];
    const notes: string[] = [];

    const dataDir = join(tempRoot, 'data');
    const echo = await startServer(echoServer);
    const real = await startServer(realServer(dataDir));
    let afterRss: number;
    const realStartRss = rssMb(real.pid);
    const echoStartRss = rssMb(echo.pid);
    const series = {
      echo: new Series(),
      echoRecord: new Series(),
      create: new Series(),
      read: new Series(),
      list: new Series(),
    };
    try {
      const ids: string[] = [];
      let created = 0;
      const create = async (): Promise<void> => {
        const i = created++;
        const result = await real.call('create_record', {
          table: TABLE,
          data: {
            userId: `user-${i % 100}`,
            title: `bench record ${i}`,
            turns: i % 7,
            tags: ['bench'],
          },
        });
        ids.push((result.structuredContent as { record: { sessionId: string } }).record.sessionId);
      };
      let reads = 0;
      // A stride through all records, so reads do not keep hitting the same few keys.
      const read = () =>
        real.call('read_record', { table: TABLE, record_id: ids[(reads++ * 7919) % ids.length] });
      const list = async (): Promise<void> => {
        const result = await real.call('list_records', { table: TABLE, limit: 25 });
        const count = (result.structuredContent as { records: unknown[] }).records.length;
        if (count !== 25) throw new Error(`list_records returned ${count} records, expected 25`);
      };
      let echoes = 0;
      const callEcho = () => echo.call('echo', { text: `hello ${echoes++}` });
      const callEchoRecord = () =>
        echo.call('read_record', { table: TABLE, record_id: `id-${echoes++}` });

      // With the warm-up and timed creates, the table ends at exactly `records` records.
      const fillTarget = Math.max(0, records - WARMUP - calls);
      progress(`${REAL}: filling the table to ${fillTarget.toLocaleString('en-US')} records`);
      const fillStarted = performance.now();
      await Promise.all(
        Array.from({ length: FILL_CONCURRENCY }, async () => {
          while (created < fillTarget) await create();
        }),
      );
      notes.push(
        `Filling the table with ${FILL_CONCURRENCY} create_record calls in flight: ` +
          `${Math.round(fillTarget / ((performance.now() - fillStarted) / 1000))} calls/s.`,
      );

      progress(`warm-up: ${WARMUP} calls per tool`);
      for (let i = 0; i < WARMUP; i++) {
        await callEcho();
        await callEchoRecord();
        await create();
        await read();
        await list();
      }

      progress(`timed: ${calls} calls per tool in ${ROUNDS} interleaved rounds`);
      for (let round = 0; round < ROUNDS; round++) {
        const chunk =
          Math.floor(((round + 1) * calls) / ROUNDS) - Math.floor((round * calls) / ROUNDS);
        await series.echo.run(chunk, callEcho);
        await series.echoRecord.run(chunk, callEchoRecord);
        await series.create.run(chunk, create);
        await series.read.run(chunk, read);
        await series.list.run(chunk, list);
      }
      afterRss = rssMb(real.pid);
      notes.push(`${REAL} held ${created.toLocaleString('en-US')} records when its RSS was read.`);
    } finally {
      await real.close();
      await echo.close();
    }
    const echoSummary = series.echo.summary();
    latency.push(
      { server: ECHO, tool: 'echo', summary: echoSummary },
      { server: ECHO, tool: 'read_record (a fixed record)', summary: series.echoRecord.summary() },
      { server: REAL, tool: 'create_record', summary: series.create.summary() },
      { server: REAL, tool: 'read_record', summary: series.read.summary() },
      { server: REAL, tool: 'list_records (limit 25)', summary: series.list.summary() },
    );
    const readRatio = series.read.summary().p50Ms / series.echoRecord.summary().p50Ms;
    notes.push(
      `read_record p50 / the bare SDK read_record p50 (same record shape): ${readRatio.toFixed(2)}x ` +
        `(target ≤ 1.5x: ${readRatio <= 1.5 ? 'ok' : 'MISSED'}).`,
    );
    memory.push(
      { server: ECHO, atStartMb: echoStartRss },
      { server: REAL, atStartMb: realStartRss, afterRecordsMb: afterRss },
    );

    // Interleaved so that drift in machine load hits every variant alike.
    progress(`start-up: ${startupRuns} runs each`);
    const startup: StartupRow[] = [
      // The targets are ratios to the bare SDK in the same run (notes below), not fixed times.
      { server: `${REAL}, fresh data dir`, wallMs: [], cpuMs: [] },
      {
        server: `${REAL}, existing data dir (${records.toLocaleString('en-US')} records)`,
        wallMs: [],
        cpuMs: [],
      },
      { server: ECHO, wallMs: [], cpuMs: [] },
    ];
    for (let run = 0; run < startupRuns; run++) {
      const commands = [
        realServer(join(tempRoot, `fresh-${run}`)),
        realServer(dataDir),
        echoServer,
      ];
      for (const [i, command] of commands.entries()) {
        const server = await startServer(command);
        await server.close();
        startup[i]!.wallMs.push(server.startupMs);
        startup[i]!.cpuMs.push(server.startupCpuMs);
      }
    }

    const fresh = median(startup[0]!.wallMs) / median(startup[2]!.wallMs);
    const freshCpu = median(startup[0]!.cpuMs) / median(startup[2]!.cpuMs);
    notes.push(
      `Start-up, fresh data dir / echo: ${fresh.toFixed(2)}x wall (target ≤ 1.1x: ${fresh <= 1.1 ? 'ok' : 'MISSED'}), ${freshCpu.toFixed(2)}x CPU.`,
    );
    return renderReport({
      warmupCalls: WARMUP,
      rounds: ROUNDS,
      records,
      baselineP50Ms: echoSummary.p50Ms,
      latency,
      startup,
      memory,
      notes,
    });
  } finally {
    rmSync(tempRoot, { recursive: true, force: true });
  }
}

runSection('Record tools over stdio', recordsSection);
