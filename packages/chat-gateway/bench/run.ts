/**
 * `pnpm bench` for the chat gateway: overhead (message → first text-delta, offline engine, no
 * model time) and turns/s at 1, 50 and 500 connections next to a bare `ws` echo server in the
 * same run, and memory per idle connection with 10,000 idle connections. Prints a Markdown table
 * and writes it to bench/results/latest.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, runLoad } from './ws-driver.js';
import { rssBytes, startProcess, type Started } from './processes.js';
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

async function startGateway(dataDir: string): Promise<Started> {
  return startProcess(
    process.execPath,
    [join(here, '../dist/cli.js'), '--port', '0', '--data-dir', dataDir],
    {
      ...process.env,
      LOG_LEVEL: 'warn',
      CHAT_MAX_CONNECTIONS: '20000',
      CHAT_MAX_CONNECTIONS_PER_IP: '20000',
      CHAT_MAX_HTTP_CONNECTIONS_PER_IP: '20000',
      CHAT_FRAMES_PER_SECOND: '1000',
      SESSION_TIMEOUT_MINUTES: '60',
    },
    (line) => /(ws:\/\/\S+\/ws)/.exec(line)?.[1],
  );
}

async function startEcho(): Promise<Started> {
  return startProcess(process.execPath, [join(here, 'echo-server.mjs')], process.env, (line) => {
    const port = (JSON.parse(line) as { port?: number }).port;
    return port ? `ws://127.0.0.1:${port}` : undefined;
  });
}

const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');

async function main(): Promise<void> {
  const rows: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  try {
    const gateway = await startGateway(dataDir);
    const echo = await startEcho();
    try {
      // Warm up both (JIT, stores).
      await runLoad({ url: gateway.url, connections: 5, turnsPerConnection: 20, content: 'hello' });
      await runLoad({ url: echo.url, connections: 5, turnsPerConnection: 20, content: 'hello' });
      for (const { connections, thinkMs } of loads) {
        // Saturation rows send the next message at once; paced rows leave a pause (see the table).
        const turns = thinkMs
          ? Math.ceil(pacedSeconds / (thinkMs / 1000))
          : Math.max(4, Math.round(2000 / connections));
        for (const [name, server] of [
          ['echo (bare ws)', echo],
          ['gateway (offline engine)', gateway],
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
      await gateway.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
