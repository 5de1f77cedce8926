// The startup section of `pnpm bench`: spawn to the first tools/list answer over stdio, the way
// an MCP host starts a server, for the real CLI on a fresh data dir and for the bare MCP SDK
// server (bench/echo-server.mjs), taken in turn so that load changes hit both alike. The bare
// server also runs bundled with esbuild as dist/cli.js is, so the table shows what bundling gives
// and what this server's own start-up work costs beside it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BENCH_DIR, PACKAGE_DIR, type BenchConfig } from './bench-config.js';
import { startServer, type ServerCommand } from './mcp-process.js';
import { progress, runSection, table } from './section.js';
import { median } from './stats.js';

interface Row {
  command: (run: number) => ServerCommand;
  wallMs: number[];
  cpuMs: number[];
}

async function startupSection(config: BenchConfig): Promise<string> {
  const { runs } = config.startup;
  const tempRoot = mkdtempSync(join(tmpdir(), 'chatbot-mcp-bench-startup-'));
  try {
    const bundledEcho = join(tempRoot, 'echo-bundled.mjs');
    await build({
      entryPoints: [join(BENCH_DIR, 'echo-server.mjs')],
      outfile: bundledEcho,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    const node =
      (label: string, args: string[]): Row['command'] =>
      () => ({
        label,
        args,
        cwd: PACKAGE_DIR,
      });
    const rows: Record<string, Row> = {
      'chatbot-mcp-server, fresh data dir': {
        command: (run) => ({
          label: 'chatbot-mcp-server',
          args: [join(PACKAGE_DIR, 'dist', 'cli.js'), '--data-dir', join(tempRoot, `data-${run}`)],
          cwd: PACKAGE_DIR,
        }),
        wallMs: [],
        cpuMs: [],
      },
      'echo (bare SDK)': {
        command: node('echo', [join(BENCH_DIR, 'echo-server.mjs')]),
        wallMs: [],
        cpuMs: [],
      },
      'echo (bare SDK), bundled with esbuild': {
        command: node('echo bundled', [bundledEcho]),
        wallMs: [],
        cpuMs: [],
      },
    };
    const entries = Object.values(rows);
    // One start of each first, not counted: the file system cache warms up.
    for (const row of entries) await (await startServer(row.command(-1))).close();
    progress(`start-up: ${runs} runs of each, in turn`);
    const pairRatios: number[] = [];
    for (let run = 0; run < runs; run++) {
      // The order rotates, so no server always runs right after another.
      for (let i = 0; i < entries.length; i++) {
        const row = entries[(run + i) % entries.length]!;
        const server = await startServer(row.command(run));
        await server.close();
        row.wallMs.push(server.startupMs);
        row.cpuMs.push(server.startupCpuMs);
      }
      pairRatios.push(entries[0]!.wallMs[run]! / entries[1]!.wallMs[run]!);
    }
    const bare = rows['echo (bare SDK)']!;
    const body = table(
      [
        'Server',
        'Wall median (ms)',
        'Min–max (ms)',
        'CPU median (ms)',
        'Wall / bare SDK',
        'CPU / bare SDK',
      ],
      Object.entries(rows).map(([name, row]) => [
        name,
        String(Math.round(median(row.wallMs))),
        `${Math.round(Math.min(...row.wallMs))}–${Math.round(Math.max(...row.wallMs))}`,
        String(Math.round(median(row.cpuMs))),
        (median(row.wallMs) / median(bare.wallMs)).toFixed(2),
        (median(row.cpuMs) / median(bare.cpuMs)).toFixed(2),
      ]),
      'lrrrrr',
    );
    const ratio = median(entries[0]!.wallMs) / median(bare.wallMs);
    return [
      `Spawn to the first tools/list answer (SDK \`Client\` + \`StdioClientTransport\`, initialize ` +
        `included), ${runs} runs of each server in turn after one uncounted start each; CPU is the ` +
        `server's user + system time by then.`,
      '',
      body,
      '',
      `- Start-up, fresh data dir / bare SDK: ${ratio.toFixed(2)}x wall, median of the per-run ` +
        `ratios ${median(pairRatios).toFixed(2)}x (target ≤ 1.1x: ${ratio <= 1.1 ? 'ok' : 'MISSED'}).`,
      '',
    ].join('\n');
  } finally {
    rmSync(tempRoot, { recursive: true, force: true });
  }
}

runSection('Start-up over stdio', startupSection);
