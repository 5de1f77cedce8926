/**
 * `pnpm bench` row for the one-command start: the time from `pnpm start` (the root README's run
 * command, from the repository root) until the URL it prints serves `/healthz` and the page, on
 * a fresh data directory (first start: ingests examples/docs) and again on the same directory
 * (second start: median of 5). Every start is then checked to really serve chat: a WebSocket
 * session and a cited answer about the sample documents, whose time is shown too. Prints a
 * Markdown table and writes it to bench/results/start-time.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../../..');
const SECOND_STARTS = 5;
const QUESTION = 'How do I roll back a deployment?';

interface StartTiming {
  /** Milliseconds from spawning `pnpm start` to `/healthz` 200 and the page served. */
  servedMs: number;
  /** Milliseconds from spawning to the finish of a cited answer over `/ws`. */
  answeredMs: number;
}

const status = (url: string): Promise<number> =>
  new Promise((resolve) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });

/** Opens `/ws`, waits for the session frame, asks about the sample documents, checks the citation. */
function askDocuments(wsUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no cited answer within 30 s'));
    }, 30_000);
    const done = (error?: Error): void => {
      clearTimeout(timer);
      ws.close();
      if (error) reject(error);
      else resolve();
    };
    ws.on('error', (error) => done(error));
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as {
        type: string;
        response?: { sources: string[] };
        message?: string;
      };
      if (frame.type === 'session')
        ws.send(JSON.stringify({ type: 'message', id: 'q1', content: QUESTION }));
      else if (frame.type === 'error') done(new Error(`error frame: ${frame.message ?? ''}`));
      else if (frame.type === 'finish') {
        const sources = frame.response?.sources ?? [];
        if (sources.includes('deployment-runbook.md')) done();
        else done(new Error(`answer cites ${JSON.stringify(sources)}, not deployment-runbook.md`));
      }
    });
  });
}

/** Runs `pnpm start` on `dataDir` until its URL serves and answers, then stops it. */
async function timeStart(dataDir: string): Promise<StartTiming> {
  const started = performance.now();
  // Port 0: a gateway already on 8080 must not turn this into a failed start.
  const child = spawn('pnpm', ['start'], {
    cwd: root,
    env: { ...process.env, CHATBOT_DATA_DIR: dataDir, CHAT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: pnpm, the start script and the gateway stop together
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const closed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const found = /open (http:\/\/\S+?)\/ in a browser/.exec(stdout)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) =>
        reject(new Error(`pnpm start exited with ${code} before printing its URL:\n${stderr}`)),
      );
    });
    while ((await status(`${url}/healthz`)) !== 200) await new Promise((r) => setTimeout(r, 5));
    const page = await status(`${url}/`);
    const servedMs = performance.now() - started;
    if (page !== 200) throw new Error(`the page at ${url}/ answered ${page}`);
    await askDocuments(`${url.replace(/^http/, 'ws')}/ws`);
    return { servedMs, answeredMs: performance.now() - started };
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await closed; // every process holding stdout has exited: the data directory is free again
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const spread = (xs: number[]): string =>
  xs.length === 1
    ? seconds(xs[0]!)
    : `${seconds(median(xs))} (${seconds(Math.min(...xs))}–${seconds(Math.max(...xs))})`;

async function main(): Promise<void> {
  // Untimed: builds when a source is newer than the build (as the start script would), and
  // leaves the code in the file cache as a user's earlier run would.
  const warm = spawnSync('pnpm', ['start', '--version'], { cwd: root, stdio: 'ignore' });
  if (warm.status !== 0) throw new Error(`pnpm start --version exited with ${warm.status}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-start-bench-'));
  try {
    const first = await timeStart(dataDir);
    process.stderr.write(`first start: ${seconds(first.servedMs)} s\n`);
    const second: StartTiming[] = [];
    for (let i = 0; i < SECOND_STARTS; i++) {
      second.push(await timeStart(dataDir));
      process.stderr.write(`second start ${i + 1}: ${seconds(second.at(-1)!.servedMs)} s\n`);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const table = [
      `# chatbot-gateway start time (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, load average ${load})`,
      '',
      '`CHATBOT_DATA_DIR=<dir> CHAT_PORT=0 pnpm start` from the repository root, build current. Served: from spawning the command until the URL it prints answers `/healthz` 200 and serves the page. Answered: until a WebSocket client on `/ws` has its session and a cited answer to "How do I roll back a deployment?" (offline engine). Seconds, median (min–max).',
      '',
      '| start | runs | served (s) | answered (s) |',
      '| --- | --- | --- | --- |',
      `| first (fresh data directory, ingests examples/docs) | 1 | ${spread([first.servedMs])} | ${spread([first.answeredMs])} |`,
      `| second (same data directory) | ${second.length} | ${spread(second.map((s) => s.servedMs))} | ${spread(second.map((s) => s.answeredMs))} |`,
      '',
    ].join('\n');
    process.stdout.write(`${table}\n`);
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'start-time.md'), table);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
