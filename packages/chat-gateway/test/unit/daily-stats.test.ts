import { describe, expect, it } from 'vitest';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { percentile, summariseDay, type DailySummary } from '../../src/analytics/daily-stats.js';
import { renderStats, runStats } from '../../src/commands/stats.js';
import { GatewayConfigError, StorageError } from '../../src/errors.js';
import type { AnalyticsRecord, Page, SessionStore } from '../../src/ports/session-store.js';

/** Events in memory, served two per page like a store that pages. */
class PagedEvents implements Pick<SessionStore, 'recordEvent' | 'listEvents'> {
  readonly events: AnalyticsRecord[] = [];
  pagesServed = 0;

  recordEvent(event: AnalyticsRecord): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }

  listEvents(date: string, cursor?: string): Promise<Page<AnalyticsRecord>> {
    this.pagesServed += 1;
    const day = this.events
      .filter((e) => e.date === date)
      .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    const start = cursor === undefined ? 0 : Number(cursor);
    const items = day.slice(start, start + 2);
    const next = start + 2 < day.length ? String(start + 2) : undefined;
    return Promise.resolve(next === undefined ? { items } : { items, cursor: next });
  }
}

const DAY_MS = Date.parse('2026-03-01T08:00:00.000Z');

/** A day of traffic written through the recorder, plus one event on the next day. */
async function seededDay(): Promise<PagedEvents> {
  const store = new PagedEvents();
  let now = DAY_MS;
  const recorder = new AnalyticsRecorder({
    store,
    logger: { warn: () => undefined },
    now: () => now,
  });
  await recorder.sessionCreated('s1');
  await recorder.sessionCreated('s2');
  const latencies = [100, 200, 300, 400, 500, 600, 700, 800, 900, 5000];
  const routes = [
    'rag',
    'rag',
    'rag',
    'rag',
    'general',
    'general',
    'general',
    'mcp_tool',
    'mcp_tool',
    'rag',
  ] as const;
  for (const [i, latencyMs] of latencies.entries()) {
    now += 1_000;
    await recorder.query('s1', {
      route: routes[i]!,
      reason: 'test',
      latencyMs,
      modelId: i === 0 ? null : 'model-x',
      finishReason: i === 9 ? 'error' : 'stop',
    });
  }
  await recorder.toolUsage('s1', { tool: 'search_documents', isError: false, durationMs: 40 });
  await recorder.toolUsage('s1', { tool: 'search_documents', isError: true, durationMs: 41 });
  await recorder.toolUsage('s2', {
    tool: 'delete_record',
    isError: false,
    durationMs: 12,
    approved: true,
  });
  await recorder.toolUsage('s2', { tool: 'search_documents', isError: false, durationMs: 9 });
  await recorder.sessionClosed('s1', 'inactive');
  now += 24 * 3600_000;
  await recorder.query('s3', {
    route: 'rag',
    reason: 'next day',
    latencyMs: 1,
    modelId: null,
    finishReason: 'stop',
  });
  return store;
}

describe('AnalyticsRecorder', () => {
  it('writes events with the day, a time-sortable id, the details and a TTL', async () => {
    const store = await seededDay();
    const first = store.events[0]!;
    expect(first).toEqual({
      date: '2026-03-01',
      eventId: expect.stringMatching(/^[0-9A-Z]{26}$/) as unknown,
      eventType: 'session_created',
      sessionId: 's1',
      details: {},
      timestamp: '2026-03-01T08:00:00.000Z',
      ttl: DAY_MS / 1000 + 30 * 86_400,
    });
    const ids = store.events.map((e) => e.eventId);
    expect([...ids].sort()).toEqual(ids);
    const tool = store.events.find((e) => e.details.tool === 'delete_record');
    expect(tool?.details).toEqual({
      tool: 'delete_record',
      isError: false,
      durationMs: 12,
      approved: true,
    });
    expect(store.events.at(-1)?.date).toBe('2026-03-02');
  });

  it('never rejects: a failed write is logged as a warning and dropped', async () => {
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const recorder = new AnalyticsRecorder({
      store: { recordEvent: () => Promise.reject(new StorageError('store down')) },
      logger: { warn: (msg, fields) => warnings.push([msg, fields]) },
    });
    await expect(
      recorder.query('s1', {
        route: 'rag',
        reason: 'r',
        latencyMs: 1,
        modelId: null,
        finishReason: 'stop',
      }),
    ).resolves.toBeUndefined();
    expect(warnings).toEqual([
      [
        'analytics event dropped',
        { eventType: 'query', sessionId: 's1', code: 'STORAGE_UNAVAILABLE', reason: 'store down' },
      ],
    ]);
    // Nor when the store throws synchronously and the logger throws too.
    const worse = new AnalyticsRecorder({
      store: {
        recordEvent: () => {
          throw new Error('sync');
        },
      },
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
      },
    });
    await expect(worse.sessionClosed('s1', 'x')).resolves.toBeUndefined();
  });
});

describe('summariseDay', () => {
  it('sums up one day across pages: turns by route, latency percentiles, tools, sessions', async () => {
    const store = await seededDay();
    const summary = await summariseDay(store, '2026-03-01');
    expect(summary).toEqual({
      date: '2026-03-01',
      turns: { total: 10, byRoute: { rag: 5, general: 3, mcp_tool: 2 } },
      finishReasons: { stop: 9, error: 1 },
      latencyMs: { p50: 500, p95: 5000, samples: 10 },
      tools: [
        { tool: 'search_documents', calls: 3, errors: 1 },
        { tool: 'delete_record', calls: 1, errors: 0 },
      ],
      sessions: { created: 2, closed: 1 },
      feedback: { up: 0, down: 0 },
      tokens: { input: 0, output: 0 },
    } satisfies DailySummary);
    expect(store.pagesServed).toBe(9); // 17 events, two per page
  });

  it('a day without events has no latency and zero counts', async () => {
    const summary = await summariseDay(new PagedEvents(), '2026-01-01');
    expect(summary.latencyMs).toBeNull();
    expect(summary.turns.total).toBe(0);
    expect(summary.tools).toEqual([]);
    expect(summary.sessions).toEqual({ created: 0, closed: 0 });
    expect(summary.feedback).toEqual({ up: 0, down: 0 });
  });

  it('reads events of other versions defensively', async () => {
    const store = new PagedEvents();
    const base = {
      date: '2026-03-05',
      sessionId: 's',
      timestamp: '2026-03-05T00:00:00.000Z',
      ttl: 1,
    };
    await store.recordEvent({
      ...base,
      eventId: 'A',
      eventType: 'query',
      details: { latencyMs: 'slow' },
    });
    await store.recordEvent({ ...base, eventId: 'B', eventType: 'tool_usage', details: {} });
    const summary = await summariseDay(store, '2026-03-05');
    expect(summary.turns).toEqual({ total: 1, byRoute: { unknown: 1 } });
    expect(summary.latencyMs).toBeNull();
    expect(summary.tools).toEqual([{ tool: 'unknown', calls: 1, errors: 0 }]);
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(() => percentile([], 50)).toThrow(RangeError);
  });
});

describe('feedback and token usage in the day', () => {
  it('counts thumbs by rating and sums reported tokens (answers without usage add nothing)', async () => {
    const store = new PagedEvents();
    const recorder = new AnalyticsRecorder({
      store,
      logger: { warn: () => undefined },
      now: () => DAY_MS,
    });
    const answered = {
      route: 'rag',
      reason: 't',
      latencyMs: 5,
      modelId: 'm',
      finishReason: 'stop',
    } as const;
    await recorder.query('s1', { ...answered, inputTokens: 120, outputTokens: 30 });
    await recorder.query('s1', { ...answered, inputTokens: 80, outputTokens: 12 });
    await recorder.query('s1', answered);
    await recorder.feedback('s1', { messageId: 'A', rating: 'up', hasReason: false });
    await recorder.feedback('s1', { messageId: 'B', rating: 'down', hasReason: true });
    await recorder.feedback('s1', { messageId: 'C', rating: 'down', hasReason: false });
    const summary = await summariseDay(store, '2026-03-01');
    expect(summary.feedback).toEqual({ up: 1, down: 2 });
    expect(summary.tokens).toEqual({ input: 200, output: 42 });
    const report = renderStats(summary);
    expect(report).toMatch(/Feedback up\s+1\n/);
    expect(report).toMatch(/Feedback down\s+2\n/);
    expect(report).toMatch(/Tokens in\s+200\n/);
    expect(report).toMatch(/Tokens out\s+42\n/);
  });
});

describe('stats report', () => {
  it('renders a readable table', async () => {
    const text = renderStats(await summariseDay(await seededDay(), '2026-03-01'));
    expect(text).toBe(
      [
        'Chat statistics for 2026-03-01 (UTC)',
        '',
        'Turns answered      10',
        '  rag                5',
        '  general            3',
        '  mcp_tool           2',
        'Latency p50 (ms)   500',
        'Latency p95 (ms)  5000',
        'Sessions created     2',
        'Sessions closed      1',
        'Feedback up          0',
        'Feedback down        0',
        'Tokens in            0',
        'Tokens out           0',
        '',
        'Finish reason  Turns',
        'stop               9',
        'error              1',
        '',
        'Tool              Calls  Errors',
        'search_documents      3       1',
        'delete_record         1       0',
        '',
      ].join('\n'),
    );
  });

  it('runStats writes the report of the given day, or today by default', async () => {
    const store = await seededDay();
    const out: string[] = [];
    const summary = await runStats({ store, date: '2026-03-02', write: (t) => out.push(t) });
    expect(summary.turns.total).toBe(1);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('Chat statistics for 2026-03-02 (UTC)');
    expect(out[0]).toContain('No tool calls.');
    const today = await runStats({ store, write: () => undefined, now: () => DAY_MS });
    expect(today.date).toBe('2026-03-01');
  });

  it('runStats refuses a date that is not a real day, naming --date', async () => {
    for (const date of ['2026-3-1', '2026-02-30', 'yesterday', '2026-03-01T00:00']) {
      const error = await runStats({
        store: new PagedEvents(),
        date,
        write: () => undefined,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayConfigError);
      expect((error as Error).message).toMatch(/^--date: .*YYYY-MM-DD/);
    }
  });
});
