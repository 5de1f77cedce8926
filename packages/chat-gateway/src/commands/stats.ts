import { summariseDay, type DailySummary } from '../analytics/daily-stats.js';
import { GatewayConfigError } from '../errors.js';
import type { SessionStore } from '../ports/session-store.js';

/** The day's summary as a plain-text report, aligned for a terminal. */
export function renderStats(summary: DailySummary): string {
  const lines = [`Chat statistics for ${summary.date} (UTC)`, ''];
  const overview: string[][] = [['Turns answered', String(summary.turns.total)]];
  for (const [route, count] of sortedCounts(summary.turns.byRoute)) {
    overview.push([`  ${route}`, String(count)]);
  }
  const latency = summary.latencyMs;
  overview.push(
    ['Latency p50 (ms)', latency ? String(Math.round(latency.p50)) : '-'],
    ['Latency p95 (ms)', latency ? String(Math.round(latency.p95)) : '-'],
    ['Sessions created', String(summary.sessions.created)],
    ['Sessions closed', String(summary.sessions.closed)],
    ['Feedback up', String(summary.feedback.up)],
    ['Feedback down', String(summary.feedback.down)],
    ['Tokens in', String(summary.tokens.input)],
    ['Tokens out', String(summary.tokens.output)],
  );
  lines.push(...table(overview, ['left', 'right']));
  const reasons = sortedCounts(summary.finishReasons);
  if (reasons.length > 0) {
    lines.push(
      '',
      ...table(
        [['Finish reason', 'Turns'], ...reasons.map(([r, n]) => [r, String(n)])],
        ['left', 'right'],
      ),
    );
  }
  lines.push('');
  if (summary.tools.length === 0) {
    lines.push('No tool calls.');
  } else {
    const rows = summary.tools.map((t) => [t.tool, String(t.calls), String(t.errors)]);
    lines.push(...table([['Tool', 'Calls', 'Errors'], ...rows], ['left', 'right', 'right']));
  }
  if (summary.users) {
    const rows = summary.users.map((u) => [
      u.userId,
      String(u.turns),
      String(u.toolCalls),
      String(u.sessionsCreated),
      String(u.tokens.input),
      String(u.tokens.output),
    ]);
    lines.push(
      '',
      ...table(
        [['User', 'Turns', 'Tool calls', 'Sessions', 'Tokens in', 'Tokens out'], ...rows],
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface RunStatsOptions {
  store: Pick<SessionStore, 'listEvents'>;
  /** `YYYY-MM-DD` (UTC); today when absent. */
  date?: string;
  /** Where the report goes (stdout for the CLI). */
  write: (text: string) => void;
  /** Epoch milliseconds, for "today". */
  now?: () => number;
}

/**
 * `chatbot-gateway stats [--date YYYY-MM-DD]`: one day's summary, written as a report.
 * Throws `GatewayConfigError` naming `--date` when the date is not a real `YYYY-MM-DD` day.
 */
export async function runStats(options: RunStatsOptions): Promise<DailySummary> {
  const date = options.date ?? new Date((options.now ?? Date.now)()).toISOString().slice(0, 10);
  if (!isDay(date)) {
    throw new GatewayConfigError(
      `--date: "${date}" is not a day; pass it as YYYY-MM-DD (UTC), for example --date 2025-01-31`,
    );
  }
  const summary = await summariseDay(options.store, date);
  options.write(renderStats(summary));
  return summary;
}

function isDay(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  // 2025-02-30 parses (as March 2nd): a real day round-trips.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function table(rows: string[][], align: ('left' | 'right')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, i) =>
        align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd(),
  );
}
