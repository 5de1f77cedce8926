/**
 * `pnpm bench` for the chat gateway: overhead (message → first text-delta, offline engine, no
 * model time) and turns/s at 1, 50 and 500 connections next to a bare `ws` echo server in the
 * same run, and memory per idle connection with 10,000 idle connections. At 50 connections also
 * a gateway with `seq` counted in memory and no frame log (`bench/unsequenced-gateway.mjs`), for
 * the overhead of sequencing + the frame log. Prints a Markdown table and writes it to
 * bench/results/latest.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, runLoad } from './ws-driver.js';
import { rssBytes, startBenchGateway, startEcho } from './processes.js';
import { idleConnections } from './idle.js';

const here = new URL('.', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
/** Saturation at each level; then paced loads (a message after each answer and a pause). */
const loads: { connections: number; thinkMs: number }[] = [
  ...(quick ? [1, 50] : [1, 50, 500]).map((connections) => ({ connections, thinkMs: 0 })),
  { connections: 50, thinkMs: 1_000 },
  ...(quick ? [] : [{ connections: 500, thinkMs: 10_000 }]),
];
/** How long each paced row runs (seconds). */
const pacedSeconds = quick ? 10 : 20;
const idleCount = quick ? 1_000 : 10_000;

const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');

async function main(): Promise<void> {
  const rows: string[] = [];
  const overhead: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const bareDir = mkdtempSync(join(tmpdir(), 'gateway-bench-unsequenced-'));
  try {
    const gateway = await startBenchGateway(dataDir);
    const unsequenced = await startBenchGateway(bareDir, { entry: 'unsequenced' });
    const echo = await startEcho();
    try {
      // Warm up all (JIT, stores).
      for (const server of [gateway, unsequenced, echo])
        await runLoad({
          url: server.url,
          connections: 5,
          turnsPerConnection: 20,
          content: 'hello',
        });
      for (const { connections, thinkMs } of loads) {
        // Saturation rows send the next message at once; paced rows leave a pause (see the table).
        const turns = thinkMs
          ? Math.ceil(pacedSeconds / (thinkMs / 1000))
          : Math.max(4, Math.round(2000 / connections));
        const measured = new Map<string, { turnsPerSecond: number; firstDelta: number }[]>();
        const measure = (url: string, r: Awaited<ReturnType<typeof runLoad>>): void =>
          void measured.set(url, [
            ...(measured.get(url) ?? []),
            {
              turnsPerSecond: r.turnsAnswered / (r.wallMs / 1000),
              firstDelta: percentile(r.firstDelta, 50),
            },
          ]);
        for (const [name, server] of [
          ['echo (bare ws)', echo],
          ['gateway (offline engine)', gateway],
          ...(connections === 50
            ? ([['gateway, no seq in store + no frame log (bench only)', unsequenced]] as const)
            : []),
        ] as const) {
          const r = await runLoad({
            url: server.url,
            connections,
            turnsPerConnection: turns,
            content: 'hello',
            deadlineMs: 90_000,
            thinkMs,
          });
          const load = thinkMs ? `paced, ${thinkMs / 1000} s` : 'saturation';
          rows.push(
            `| ${name} | ${connections} | ${load} | ${fmt(percentile(r.firstDelta, 50))} | ${fmt(percentile(r.firstDelta, 99))} | ${fmt(percentile(r.finish, 50))} | ${(r.turnsAnswered / (r.wallMs / 1000)).toFixed(0)} | ${r.turnsSent - r.turnsAnswered} | ${r.errors.length} |`,
          );
          process.stderr.write(`${rows.at(-1)}\n`);
          measure(server.url, r);
        }
        if (connections === 50) {
          // Once more in the other order (with, without, without, with), so that a drift in the
          // machine's load weighs on both; the overhead table shows the means.
          for (const server of [unsequenced, gateway]) {
            const r = await runLoad({
              url: server.url,
              connections,
              turnsPerConnection: turns,
              content: 'hello',
              deadlineMs: 90_000,
              thinkMs,
            });
            measure(server.url, r);
          }
        }
        const mean = (url: string) => {
          const runs = measured.get(url) ?? [];
          if (runs.length === 0) return undefined;
          const avg = (f: (m: (typeof runs)[number]) => number): number =>
            runs.reduce((sum, m) => sum + f(m), 0) / runs.length;
          return {
            turnsPerSecond: avg((m) => m.turnsPerSecond),
            firstDelta: avg((m) => m.firstDelta),
          };
        };
        const on = mean(gateway.url);
        const off = mean(unsequenced.url);
        if (on && off) {
          const load = thinkMs ? `paced, ${thinkMs / 1000} s` : 'saturation';
          overhead.push(
            `| ${connections} | ${load} | ${on.turnsPerSecond.toFixed(0)} | ${off.turnsPerSecond.toFixed(0)} | ${(on.turnsPerSecond / off.turnsPerSecond).toFixed(3)} | ${fmt(on.firstDelta)} | ${fmt(off.firstDelta)} | ${(on.firstDelta / off.firstDelta).toFixed(3)} |`,
          );
          process.stderr.write(`${overhead.at(-1)}\n`);
        }
      }
      const idle: string[] = [];
      for (const [name, server] of [
        ['echo (bare ws)', echo],
        ['gateway (offline engine)', gateway],
      ] as const) {
        const pid = server.child.pid!;
        const m = await idleConnections(server.url, idleCount, () => rssBytes(pid));
        idle.push(
          `| ${name} | ${idleCount} | ${(m.before / 2 ** 20).toFixed(0)} | ${(m.during / 2 ** 20).toFixed(0)} | ${(m.after / 2 ** 20).toFixed(0)} | ${((m.during - m.before) / idleCount / 1024).toFixed(1)} |`,
        );
        process.stderr.write(`${idle.at(-1)}\n`);
      }
      const table = [
        `# chatbot-gateway benchmark (${new Date().toISOString().slice(0, 10)}, ${quick ? 'quick' : 'full'} run, loopback, one run)`,
        '',
        'Client-observed latency of a "hello" turn (offline engine: general route, no model time; the gateway claims the message id, stores the user message while the answer starts, stores the answer before `finish`). Echo: a bare `ws` server answering each frame at once. Saturation: each connection sends its next message as soon as the answer finishes (the latency is mostly queueing behind the other connections). Paced: after each answer a connection pauses 0.5-1.5x the given time before the next message, as people chatting would (still far faster than people).',
        '',
        '| server | connections | load | first delta p50 (ms) | first delta p99 (ms) | finish p50 (ms) | turns/s | unanswered | errors |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
        '',
        'Overhead of sequencing + the frame log: the gateway as shipped (`seq` counters reserved in the store in blocks of 100, every numbered frame kept in the frame log, deltas written at most every 500 ms or 20 frames) against the same gateway with `seq` counted in memory only and no frame log (a benchmark-only option; resume then replays nothing), same load, same run, each measured twice in the order with, without, without, with (the means). Target: turns/s ratio ≥ 0.90 and first-delta ratio ≤ 1.10.',
        '',
        '| connections | load | turns/s with | turns/s without | turns/s ratio | first delta p50 with (ms) | without (ms) | first-delta ratio |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...overhead,
        '',
        'Memory with idle connections (each holds a session; RSS of the server process).',
        '',
        '| server | idle connections | RSS before (MiB) | RSS with them (MiB) | RSS after closing (MiB) | KiB per connection |',
        '| --- | --- | --- | --- | --- | --- |',
        ...idle,
        '',
      ].join('\n');
      process.stdout.write(`${table}\n`);
      mkdirSync(join(here, 'results'), { recursive: true });
      writeFileSync(join(here, 'results', quick ? 'quick.md' : 'latest.md'), table);
    } finally {
      await echo.stop();
      await unsequenced.stop();
      await gateway.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(bareDir, { recursive: true, force: true });
  }
}

await main();
