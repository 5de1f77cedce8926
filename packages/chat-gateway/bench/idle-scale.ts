/**
 * `pnpm bench:idle`: only the idle-connection part of the benchmark, at several counts, each in
 * a fresh server process warmed up as the full bench's is by its load rows (a few turns, 200
 * connections opened and closed). Shows how the per-connection figure depends on the count. Counts: the arguments, or
 * 1,000 2,000 5,000 10,000. Writes bench/results/idle-scale.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idleConnections } from './idle.js';
import { rssBytes, startBenchGateway, startEcho } from './processes.js';
import { runLoad } from './ws-driver.js';

const here = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2).map(Number).filter(Number.isFinite);
const counts = args.length > 0 ? args : [1_000, 2_000, 5_000, 10_000];

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const count of counts) {
    for (const name of ['echo (bare ws)', 'gateway (offline engine)'] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'gateway-idle-'));
      const server = name.startsWith('echo') ? await startEcho() : await startBenchGateway(dataDir);
      try {
        // As in the full bench, where the load rows come first: the in-process MCP server and
        // the document index are loaded, and the connection path is compiled, before measuring.
        await runLoad({
          url: server.url,
          connections: 5,
          turnsPerConnection: 20,
          content: 'hello',
        });
        await idleConnections(server.url, 200, () => 0);
        const m = await idleConnections(server.url, count, () => rssBytes(server.child.pid!));
        rows.push(
          `| ${name} | ${count} | ${mib(m.before)} | ${mib(m.during)} | ${mib(m.after)} | ${((m.during - m.before) / count / 1024).toFixed(1)} |`,
        );
        process.stderr.write(`${rows.at(-1)}\n`);
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  const table = [
    `# Idle connections by count (${new Date().toISOString().slice(0, 10)}, loopback, fresh process per row, one run)`,
    '',
    'Each connection waits for its session frame and then stays open; RSS of the server process, warmed up first (5 connections x 20 turns, 200 connections opened and closed).',
    '',
    '| server | idle connections | RSS before (MiB) | RSS with them (MiB) | RSS after closing (MiB) | KiB per connection |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'idle-scale.md'), table);
}

await main();
