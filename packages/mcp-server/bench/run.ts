// `pnpm bench`: runs every section (record tools over stdio, start-up, document search, HTTP load), each in
// its own Node process one after the other, and writes one report to bench/results/latest.md.
//
//   BENCH_QUICK=1 pnpm bench                 smaller sizes everywhere: a smoke run
//   BENCH_SECTIONS=documents,http pnpm bench some sections only (records, startup, documents,
//                                            scale, http)
//
// Other size overrides are in bench/bench-config.ts.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, loadBenchConfig, PACKAGE_DIR, type SectionName } from './bench-config.js';
import { cpuModel, progress } from './section.js';

interface SectionRun {
  name: SectionName;
  markdown: string;
  seconds: number;
  failed: boolean;
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const loadAtStart = loadavg()[0]!;
  const runs: SectionRun[] = [];
  for (const name of config.sections) {
    progress(`section ${name}`);
    runs.push(await runSectionProcess(name));
  }
  const totalSeconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const markdown = [
    '# chatbot-mcp-server benchmark',
    '',
    `Node ${process.version} · CPU: ${cpuModel()} (${availableParallelism()} cores) · ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end · ` +
      new Date().toISOString().slice(0, 10),
    '',
    `Sections: ${runs.map((r) => `${r.name} ${r.seconds.toFixed(0)} s${r.failed ? ' (FAILED)' : ''}`).join(', ')}; ` +
      `total ${(totalSeconds / 60).toFixed(1)} min${config.quick ? ' (BENCH_QUICK: reduced sizes)' : ''}.`,
    '',
    ...runs.map((r) =>
      r.failed ? `## ${r.name}\n\nFAILED: see the stderr of the run.\n\n${r.markdown}` : r.markdown,
    ),
  ].join('\n');
  process.stdout.write(`\n${markdown}`);
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'latest.md'), markdown);
  progress('written to bench/results/latest.md');
  if (runs.some((r) => r.failed)) process.exitCode = 1;
}

/** `node --import tsx bench/<name>.ts`: markdown on its stdout, progress passed through on stderr. */
function runSectionProcess(name: SectionName): Promise<SectionRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`)], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let markdown = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (markdown += text));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({
        name,
        markdown,
        seconds: (performance.now() - started) / 1000,
        failed: code !== 0 || signal !== null,
      });
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
