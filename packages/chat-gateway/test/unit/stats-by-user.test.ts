import { describe, expect, it } from 'vitest';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { summariseDay } from '../../src/analytics/daily-stats.js';
import { renderStats } from '../../src/commands/stats.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

/** `stats` per signed-in user: events carry `userId` (issuer#subject) when sign-in is on. */
describe('stats by user', () => {
  it('counts turns, tool calls, sessions and tokens per user, most turns first', async () => {
    const store = new MemorySessionStore();
    const now = Date.parse('2026-03-01T08:00:00.000Z');
    const recorder = new AnalyticsRecorder({
      store,
      logger: { warn: () => undefined },
      now: () => now,
    });
    await recorder.sessionCreated('s-alice', { userId: 'https://idp#alice' });
    await recorder.sessionCreated('s-bob', { userId: 'https://idp#bob' });
    await recorder.sessionCreated('s-anon');
    const turn = {
      route: 'rag' as const,
      reason: 't',
      latencyMs: 5,
      modelId: 'm',
      finishReason: 'stop',
    };
    await recorder.query('s-bob', { ...turn, inputTokens: 10, outputTokens: 3 });
    await recorder.query('s-bob', turn);
    await recorder.query('s-alice', { ...turn, inputTokens: 7, outputTokens: 1 });
    await recorder.query('s-anon', turn);
    await recorder.toolUsage('s-alice', { tool: 'read_record', isError: false, durationMs: 1 });

    const summary = await summariseDay(store, '2026-03-01');
    expect(summary.turns.total).toBe(4);
    expect(summary.users).toEqual([
      {
        userId: 'https://idp#bob',
        turns: 2,
        toolCalls: 0,
        sessionsCreated: 1,
        tokens: { input: 10, output: 3 },
      },
      {
        userId: 'https://idp#alice',
        turns: 1,
        toolCalls: 1,
        sessionsCreated: 1,
        tokens: { input: 7, output: 1 },
      },
    ]);
    const report = renderStats(summary);
    expect(report).toMatch(/User\s+Turns\s+Tool calls\s+Sessions\s+Tokens in\s+Tokens out/);
    expect(report).toMatch(/https:\/\/idp#bob\s+2\s+0\s+1\s+10\s+3/);
  });

  it('leaves the per-user table out when nobody signed in', async () => {
    const store = new MemorySessionStore();
    const recorder = new AnalyticsRecorder({
      store,
      logger: { warn: () => undefined },
      now: () => Date.parse('2026-03-02T08:00:00.000Z'),
    });
    await recorder.sessionCreated('s1');
    const summary = await summariseDay(store, '2026-03-02');
    expect(summary.users).toBeUndefined();
    expect(renderStats(summary)).not.toContain('User');
  });
});
