/**
 * The 1,000-connection soak (`pnpm bench:soak`, also the end of `pnpm bench`): the built gateway
 * as a child process on a temp data dir, offline engine, every connection sending messages with
 * a think time for a bounded time, while idle sessions wait for the cleanup job. Checks that
 * every message is answered exactly once on its own session and persisted, that cleanup closed
 * exactly the idle sessions, and reports latency, throughput and the gateway's RSS. Writes
 * bench/results/soak.md; exits 1 when an invariant failed. Options: bench/soak-options.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssBytes, startBenchGateway } from './processes.js';
import { newTally } from './soak-client.js';
import { connectAll, driveAll } from './soak-load.js';
import { describeOptions, SESSION_TIMEOUT_MINUTES, soakOptions } from './soak-options.js';
import { soakReport } from './soak-report.js';
import { readChatStore } from './soak-store.js';

const here = new URL('.', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const loadavg = (): string =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const log = (line: string): boolean => process.stderr.write(`soak: ${line}\n`);

/** Tries to resume each session from a fresh connection; outcome → how many. */
async function probe(url: string, sessions: { sessionId: string; resumeToken: string }[]) {
  const outcomes = new Map<string, number>();
  for (let i = 0; i < sessions.length; i += 50) {
    const batch = sessions.slice(i, i + 50);
    const clients = await connectAll(url, batch.length, newTally());
    const results = await Promise.all(
      batch.map((s, j) => clients[j]!.resume(s.sessionId, s.resumeToken)),
    );
    for (const r of results) outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    await Promise.all(clients.map((c) => c.close()));
  }
  return outcomes;
}

async function main(): Promise<number> {
  const options = soakOptions(process.argv.slice(2));
  // As the CLI does: the AWS SDK (under the store) warns about Node versions it still supports.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const startLoad = loadavg();
  log(`${describeOptions(options)}; loadavg ${startLoad}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-soak-'));
  const gateway = await startBenchGateway(dataDir, {
    env: {
      LOG_LEVEL: options.gatewayLogLevel,
      SESSION_TIMEOUT_MINUTES: String(SESSION_TIMEOUT_MINUTES),
      SESSION_CLEANUP_INTERVAL_SECONDS: String(options.cleanupIntervalS),
    },
  });
  let warnings = 0;
  gateway.child.stderr?.on('data', (d: Buffer) => {
    // JSON lines are the gateway's log; the shutdown notice is plain text.
    for (const line of d
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('{'))) {
      warnings += 1;
      if (warnings <= 5) log(`gateway: ${line.slice(0, 300)}`);
    }
  });
  const pid = gateway.child.pid!;
  try {
    await sleep(2000);
    const before = rssBytes(pid);
    const during: { at: number; bytes: number }[] = [];
    const sampler = setInterval(
      () => during.push({ at: performance.now(), bytes: rssBytes(pid) }),
      1000,
    );

    const tally = newTally();
    const connecting = performance.now();
    const clients = await connectAll(gateway.url, options.connections, tally);
    const connectS = (performance.now() - connecting) / 1000;
    // Idle from now on: the cleanup job must close these, and only these, while the load runs.
    const idleSilent = await connectAll(gateway.url, options.idle, newTally());
    const idleGone = await connectAll(gateway.url, options.idle, newTally());
    await Promise.all(idleGone.map((c) => c.close()));
    const idle = [...idleSilent, ...idleGone];
    log(
      `${clients.length} connections open in ${connectS.toFixed(1)} s, ${idle.length} idle; turns start`,
    );

    const loadStartedAt = performance.now();
    const until = loadStartedAt + options.durationS * 1000;
    const untilWall = Date.now() + options.durationS * 1000;
    const load = await driveAll(clients, {
      url: gateway.url,
      until,
      resumeEvery:
        options.probeActive > 0 ? Math.max(1, Math.floor(clients.length / options.probeActive)) : 0,
      thinkMs: options.thinkMs,
      turnTimeoutMs: options.turnTimeoutMs,
      content: 'hello',
    });
    log('turns done');
    await sleep(5000);
    clearInterval(sampler);
    const after = rssBytes(pid);

    const idleResumes = await probe(gateway.url, idle);
    // Let the probes' detach writes land first: the server does not wait for them at shutdown.
    await sleep(1000);
    const warningsBeforeStop = warnings;
    await gateway.stop();

    const ids = [...load.clients, ...idle].map((c) => c.sessionId);
    const { all, stored } = await readChatStore(dataDir, ids);
    const { rows, failures } = soakReport({
      options,
      tally,
      load,
      connectS,
      loadStartedAt,
      until,
      untilWall,
      rss: { before, during, after },
      idleSilent,
      idleIds: idle.map((c) => c.sessionId),
      idleResumes,
      sessions: all,
      stored,
      gatewayWarnings: [warningsBeforeStop, warnings - warningsBeforeStop],
    });
    const table = [
      `# chatbot-gateway soak (${new Date().toISOString().slice(0, 10)}, loopback, one run)`,
      '',
      `${describeOptions(options)}. Offline engine, in-process MCP, embedded store; the client (one Node process) and the gateway share the machine (loadavg at start ${startLoad}, at end ${loadavg()}).`,
      '',
      '| measure | value |',
      '| --- | --- |',
      ...rows.map(([k, v]) => `| ${k} | ${v} |`),
      '',
      failures.length === 0
        ? 'All invariants held.'
        : `Invariants failed:\n${failures.map((f) => `- ${f}`).join('\n')}`,
      '',
    ].join('\n');
    process.stdout.write(`${table}\n`);
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'soak.md'), table);
    return failures.length === 0 ? 0 : 1;
  } finally {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  return 2;
});
