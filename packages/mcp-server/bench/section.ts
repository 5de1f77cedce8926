// What every section script shares: it runs as its own Node process (so memory and state of one
// section do not leak into the next), prints progress on stderr and its markdown on stdout.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadBenchConfig, type BenchConfig } from './bench-config.js';

/**
 * Runs one section and prints it as markdown: a heading, the load average around it (the
 * machine may be busy with other work) and the body.
 */
export function runSection(title: string, body: (config: BenchConfig) => Promise<string>): void {
  const loadAtStart = loadavg()[0]!;
  const started = performance.now();
  body(loadBenchConfig())
    .then((markdown) => {
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `## ${title}\n\n` +
          `Load average ${loadAtStart.toFixed(1)} at the start of this section, ` +
          `${loadavg()[0]!.toFixed(1)} at its end; it took ${seconds.toFixed(0)} s.\n\n` +
          `${markdown.trimEnd()}\n`,
      );
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bench: ${title} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** A markdown table; `align` has one letter per column, l or r (e.g. 'llrr'). */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: string,
): string {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** Milliseconds with two decimals below 10, one above. */
export function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
