import type { SessionRecord } from '../src/ports/session-store.js';
import type { SoakClient, SoakTally, TurnOutcome } from './soak-client.js';
import type { LoadRun } from './soak-load.js';
import { SESSION_TIMEOUT_MINUTES, type SoakOptions } from './soak-options.js';
import type { StoredSession } from './soak-store.js';
import { percentile } from './ws-driver.js';

export interface SoakFigures {
  options: SoakOptions;
  tally: SoakTally;
  load: LoadRun;
  /** Seconds to open every active connection (before the turns start). */
  connectS: number;
  loadStartedAt: number;
  until: number;
  /** `until` as Date.now(), to compare with the store's timestamps. */
  untilWall: number;
  rss: { before: number; during: { at: number; bytes: number }[]; after: number };
  idleSilent: SoakClient[];
  idleIds: string[];
  /** Resumes of the idle sessions after the run: 'resumed' or the error code → how many. */
  idleResumes: Map<string, number>;
  sessions: SessionRecord[];
  stored: Map<string, StoredSession>;
  /** Warning lines the gateway logged while running, and while shutting down. */
  gatewayWarnings: [number, number];
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const ms = (values: number[], p: number): string => percentile(values, p).toFixed(0);
const counts = (m: Map<string, number>): string =>
  m.size === 0 ? 'none' : [...m].map(([k, v]) => `${k} ${v}`).join(', ');

/** Seconds into the turns when the server closed the silent idle sockets: first–last. */
function closedWhen(f: SoakFigures): string {
  const at = f.idleSilent.flatMap((c) =>
    c.closedByServer ? [(c.closedByServer.at - f.loadStartedAt) / 1000] : [],
  );
  return at.length === 0
    ? 'none closed'
    : `at ${Math.min(...at).toFixed(0)}–${Math.max(...at).toFixed(0)} s of ${f.options.durationS} s`;
}

/** The soak's Markdown table rows and every invariant that failed. */
export function soakReport(f: SoakFigures): { rows: [string, string][]; failures: string[] } {
  const failures: string[] = [];
  const check = (ok: boolean, what: string): void => void (ok || failures.push(what));
  const { load, tally, options } = f;
  const sent = load.clients.reduce((n, c) => n + c.sent.size, 0);
  const answered = load.clients.reduce((n, c) => n + c.answered.size, 0);
  const errors = [...tally.errors.values()].reduce((a, b) => a + b, 0);
  check(sent > 0 && sent === answered, `${sent - answered} of ${sent} turns not answered`);
  check(tally.duplicated === 0, `${tally.duplicated} answers duplicated`);
  check(tally.misrouted === 0, `${tally.misrouted} answers misrouted`);
  check(errors === 0, `error frames: ${counts(tally.errors)}`);

  const activeClosed = load.clients.filter((c) => c.closedByServer).length;
  check(activeClosed === 0, `${activeClosed} active connections closed by the server`);

  // Cleanup: while the turns ran it must close exactly the idle sessions; afterwards it may
  // close an active one only once its connection had closed and it had been idle past the timeout.
  const timeoutMs = SESSION_TIMEOUT_MINUTES * 60_000;
  const idle = new Set(f.idleIds);
  const lastClose = new Map(load.clients.map((c) => [c.sessionId, c.closedWall ?? Infinity]));
  const cleaned = f.sessions.filter((s) => s.closeReason === 'inactive');
  const at = (s: SessionRecord): number => Date.parse(s.closedAt ?? '');
  const cleanedIdle = cleaned.filter((s) => idle.has(s.sessionId) && at(s) < f.untilWall).length;
  const cleanedActiveLater = cleaned.filter(
    (s) => at(s) >= (lastClose.get(s.sessionId) ?? Infinity),
  ).length;
  const wrongly = cleaned.filter(
    (s) =>
      (!idle.has(s.sessionId) && !(at(s) >= (lastClose.get(s.sessionId) ?? Infinity))) ||
      !(at(s) - Date.parse(s.lastActivity) > timeoutMs),
  ).length;
  check(
    cleanedIdle === f.idleIds.length,
    `cleanup closed ${cleanedIdle} of ${f.idleIds.length} idle sessions while the turns ran`,
  );
  check(wrongly === 0, `cleanup closed ${wrongly} sessions that were in use`);
  const underLoad = f.idleSilent.filter(
    (c) => c.closedByServer?.code === 4000 && c.closedByServer.at < f.until,
  ).length;
  check(
    underLoad === f.idleSilent.length,
    `${f.idleSilent.length - underLoad} silent idle sockets not closed (4000) while the turns ran`,
  );
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const idleRefused = f.idleResumes.get('SESSION_NOT_FOUND') ?? 0;
  const activeResumed = load.resumes.get('resumed') ?? 0;
  check(idleRefused === sum(f.idleResumes), `idle resumes: ${counts(f.idleResumes)}`);
  check(activeResumed === sum(load.resumes), `active resumes: ${counts(load.resumes)}`);

  let users = 0;
  let assistants = 0;
  let mismatched = 0;
  for (const c of load.clients) {
    const s = f.stored.get(c.sessionId);
    users += s?.userIds.size ?? 0;
    assistants += s?.assistant ?? 0;
    const same =
      s && s.userIds.size === c.sent.size && [...c.sent].every((id) => s.userIds.has(id));
    if (!same || s.assistant !== c.answered.size || !s.session) mismatched += 1;
  }
  check(mismatched === 0, `${mismatched} sessions whose stored turns differ from the client's`);

  const peak = Math.max(...f.rss.during.map((s) => s.bytes));
  check(peak <= options.maxRssMiB * 2 ** 20, `peak RSS ${mib(peak)} MiB > ${options.maxRssMiB}`);
  const span = f.until - f.loadStartedAt;
  const points = [0.25, 0.5, 0.75, 1].map((q) => {
    const at = f.loadStartedAt + q * span;
    const near = f.rss.during.reduce((a, b) => (Math.abs(b.at - at) < Math.abs(a.at - at) ? b : a));
    return mib(near.bytes);
  });
  const wall = (load.endedAt - f.loadStartedAt) / 1000;
  const outcome = (o: TurnOutcome): number => load.outcomes.get(o) ?? 0;
  const rows: [string, string][] = [
    ['connections (active + idle)', `${load.clients.length} + ${f.idleIds.length}`],
    ['time to open all connections', `${f.connectS.toFixed(1)} s`],
    ['duration (sending / until the last answer)', `${options.durationS} s / ${wall.toFixed(1)} s`],
    ['think time', `${options.thinkMs} ms ±50%`],
    ['turns sent / answered', `${sent} / ${answered}`],
    [
      'lost / duplicated / misrouted',
      `${sent - answered} / ${tally.duplicated} / ${tally.misrouted}`,
    ],
    ['turn timeouts / sockets closed mid-turn', `${outcome('timeout')} / ${outcome('closed')}`],
    ['error frames by code', counts(tally.errors)],
    ['first delta p50 / p99 (ms)', `${ms(tally.firstDelta, 50)} / ${ms(tally.firstDelta, 99)}`],
    ['finish p50 / p99 (ms)', `${ms(tally.finish, 50)} / ${ms(tally.finish, 99)}`],
    ['turns/s', (answered / wall).toFixed(1)],
    [
      'RSS before / peak during / after (MiB)',
      `${mib(f.rss.before)} / ${mib(peak)} / ${mib(f.rss.after)}`,
    ],
    ['RSS at 25/50/75/100% of the load (MiB)', points.join(' / ')],
    [
      'cleanup: idle sessions closed while sending / sessions in use closed',
      `${cleanedIdle} of ${f.idleIds.length} / ${wrongly}`,
    ],
    [
      'silent idle sockets closed (4000) while sending',
      `${underLoad} of ${f.idleSilent.length} (${closedWhen(f)})`,
    ],
    [
      'cleanup after sending: sessions idle > timeout since their socket closed',
      String(cleanedActiveLater),
    ],
    [
      'resume: idle sessions refused / finished sessions resumed',
      `${idleRefused} of ${sum(f.idleResumes)} / ${activeResumed} of ${sum(load.resumes)}`,
    ],
    [
      'persisted: user / assistant messages vs sent / answered',
      `${users} / ${assistants} vs ${sent} / ${answered} (${mismatched} sessions differ)`,
    ],
    ['gateway warnings: running / shutting down', f.gatewayWarnings.join(' / ')],
  ];
  return { rows, failures };
}
