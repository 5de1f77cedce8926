import type { AnalyticsRecord, SessionStore } from '../ports/session-store.js';

/** Calls of one MCP tool in a day. */
export interface ToolStats {
  tool: string;
  calls: number;
  errors: number;
}

/** One signed-in user's day (events carry `userId` = issuer#subject when sign-in is on). */
export interface UserStats {
  userId: string;
  turns: number;
  toolCalls: number;
  sessionsCreated: number;
  tokens: { input: number; output: number };
}

/** One day of the analytics table, summed up. */
export interface DailySummary {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  /** Answered turns (`query` events), in all and by route. */
  turns: { total: number; byRoute: Record<string, number> };
  finishReasons: Record<string, number>;
  /** Answer latency over the day's `query` events; null when there were none. */
  latencyMs: { p50: number; p95: number; samples: number } | null;
  /** Most called first. */
  tools: ToolStats[];
  sessions: { created: number; closed: number };
  /** Thumbs on answers given that day (a changed rating counts again). */
  feedback: { up: number; down: number };
  /** Tokens the model reported for the day's answers (answers without usage add nothing). */
  tokens: { input: number; output: number };
  /** Per signed-in user, most turns first; absent when no event names a user (no sign-in). */
  users?: UserStats[];
}

/** Pages read at most for one day; a bound on a runaway scan, far above a real day. */
const MAX_PAGES = 10_000;

/** Reads one day's events page by page and sums them up. */
export async function summariseDay(
  store: Pick<SessionStore, 'listEvents'>,
  date: string,
): Promise<DailySummary> {
  const summary: DailySummary = {
    date,
    turns: { total: 0, byRoute: {} },
    finishReasons: {},
    latencyMs: null,
    tools: [],
    sessions: { created: 0, closed: 0 },
    feedback: { up: 0, down: 0 },
    tokens: { input: 0, output: 0 },
  };
  const latencies: number[] = [];
  const tools = new Map<string, ToolStats>();
  const users = new Map<string, UserStats>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listEvents(date, cursor);
    for (const event of page.items) {
      add(summary, event, latencies, tools);
      addUser(users, event);
    }
    cursor = page.cursor;
    pages += 1;
  } while (cursor !== undefined && pages < MAX_PAGES);
  latencies.sort((a, b) => a - b);
  if (latencies.length > 0) {
    summary.latencyMs = {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      samples: latencies.length,
    };
  }
  summary.tools = [...tools.values()].sort(
    (a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool),
  );
  if (users.size > 0)
    summary.users = [...users.values()].sort(
      (a, b) => b.turns - a.turns || a.userId.localeCompare(b.userId),
    );
  return summary;
}

/**
 * The nearest-rank percentile of ascending `sorted` values (a value that occurred, never an
 * interpolation): the smallest value with at least p% of the values at or below it.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function add(
  summary: DailySummary,
  event: AnalyticsRecord,
  latencies: number[],
  tools: Map<string, ToolStats>,
): void {
  // Events are written by several versions of the gateway: read fields defensively.
  const details = event.details ?? {};
  switch (event.eventType) {
    case 'query': {
      summary.turns.total += 1;
      const route = typeof details.route === 'string' ? details.route : 'unknown';
      bump(summary.turns.byRoute, route);
      if (typeof details.finishReason === 'string')
        bump(summary.finishReasons, details.finishReason);
      const latency = details.latencyMs;
      if (typeof latency === 'number' && Number.isFinite(latency)) latencies.push(latency);
      if (isCount(details.inputTokens)) summary.tokens.input += details.inputTokens;
      if (isCount(details.outputTokens)) summary.tokens.output += details.outputTokens;
      break;
    }
    case 'feedback':
      if (details.rating === 'up') summary.feedback.up += 1;
      if (details.rating === 'down') summary.feedback.down += 1;
      break;
    case 'tool_usage': {
      const tool = typeof details.tool === 'string' ? details.tool : 'unknown';
      const stats = tools.get(tool) ?? { tool, calls: 0, errors: 0 };
      stats.calls += 1;
      if (details.isError === true) stats.errors += 1;
      tools.set(tool, stats);
      break;
    }
    case 'session_created':
      summary.sessions.created += 1;
      break;
    case 'session_closed':
      summary.sessions.closed += 1;
      break;
  }
}

function addUser(users: Map<string, UserStats>, event: AnalyticsRecord): void {
  const details = event.details ?? {};
  const userId = details.userId;
  if (typeof userId !== 'string' || userId === '') return;
  const stats = users.get(userId) ?? {
    userId,
    turns: 0,
    toolCalls: 0,
    sessionsCreated: 0,
    tokens: { input: 0, output: 0 },
  };
  users.set(userId, stats);
  if (event.eventType === 'query') {
    stats.turns += 1;
    if (isCount(details.inputTokens)) stats.tokens.input += details.inputTokens;
    if (isCount(details.outputTokens)) stats.tokens.output += details.outputTokens;
  }
  if (event.eventType === 'tool_usage') stats.toolCalls += 1;
  if (event.eventType === 'session_created') stats.sessionsCreated += 1;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
