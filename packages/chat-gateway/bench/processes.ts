import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** Starts a process and resolves once `parse` finds the URL in a stdout line. */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  parse: (line: string) => string | undefined,
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const url = parse(line);
      if (!url) return;
      resolve({
        child,
        url,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code} before it was ready:\n${stderr}`)),
    );
  });
}
