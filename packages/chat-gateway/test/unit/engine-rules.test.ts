import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/core/approvals.js';
import { TokenBucket } from '../../src/core/rate-limiter.js';
import { citedSources } from '../../src/engine/citations.js';
import { fitHistory } from '../../src/engine/history.js';
import { routeByRules } from '../../src/engine/rule-router.js';
import { needsApproval, redactToolOutput, scopeToolCall } from '../../src/engine/tool-policy.js';

describe('rule router', () => {
  it.each([
    ['/call read_record {}', 'mcp_tool'],
    ['/tools', 'mcp_tool'],
    ['hello', 'general'],
    ['Thanks!', 'general'],
    ['what can you do?', 'general'],
    ['please create a note about the standup', 'mcp_tool'],
    ['delete the record for customer 42', 'mcp_tool'],
    ['How do I roll back a deployment?', 'rag'],
    ['what is the on-call rota', 'rag'],
  ])('%s -> %s, with a reason', (message, route) => {
    const decision = routeByRules(message);
    expect(decision.route).toBe(route);
    expect(decision.reason).toMatch(/^rules: /);
  });
});

describe('tool policy', () => {
  const me = 'session-me';
  it("refuses every write to the chat's own tables", () => {
    for (const tool of ['create_record', 'update_record', 'delete_record']) {
      for (const table of ['sessions', 'conversations', 'analytics']) {
        expect(scopeToolCall(tool, { table, data: {} }, me)).toHaveProperty('refused');
      }
    }
  });
  it('pins reads of sessions and conversations to the caller and refuses analytics', () => {
    expect(scopeToolCall('list_records', { table: 'conversations' }, me)).toEqual({
      table: 'conversations',
      partition_key_value: me,
    });
    expect(
      scopeToolCall('list_records', { table: 'conversations', partition_key_value: 'other' }, me),
    ).toHaveProperty('refused');
    expect(scopeToolCall('list_records', { table: 'sessions' }, me)).toEqual({
      table: 'sessions',
      partition_key_value: me,
    });
    expect(
      scopeToolCall('read_record', { table: 'sessions', record_id: 'other' }, me),
    ).toHaveProperty('refused');
    expect(scopeToolCall('read_record', { table: 'sessions', record_id: me }, me)).toEqual({
      table: 'sessions',
      record_id: me,
    });
    expect(
      scopeToolCall('read_record', { table: 'conversations', key: { messageId: 'm' } }, me),
    ).toEqual({ table: 'conversations', key: { messageId: 'm', sessionId: me } });
    expect(
      scopeToolCall(
        'read_record',
        { table: 'conversations', key: { sessionId: 'other', messageId: 'm' } },
        me,
      ),
    ).toHaveProperty('refused');
    expect(
      scopeToolCall('list_records', { table: 'analytics', partition_key_value: '2026-01-01' }, me),
    ).toHaveProperty('refused');
  });
  it('leaves other tables and tools alone', () => {
    const args = { table: 'notes', data: { title: 'x' } };
    expect(scopeToolCall('create_record', args, me)).toBe(args);
    expect(scopeToolCall('search_documents', { query: 'sessions' }, me)).toEqual({
      query: 'sessions',
    });
  });
  it('removes session secrets from tool output', () => {
    const out = redactToolOutput('read_record', { table: 'sessions' }, '{}', {
      record: { sessionId: me, resumeTokenHash: 'abc', connectionId: 'c', isActive: true },
    });
    expect(out.structured).toEqual({ record: { sessionId: me, isActive: true } });
    expect(out.text).not.toContain('abc');
  });
  it("treats a tool as destructive unless it says otherwise (MCP's default)", () => {
    expect(needsApproval(undefined)).toBe(true);
    expect(needsApproval({ readOnlyHint: true })).toBe(false);
    expect(needsApproval({ readOnlyHint: false, destructiveHint: false })).toBe(false);
    expect(needsApproval({ readOnlyHint: false, destructiveHint: true })).toBe(true);
  });
});

describe('citations and history', () => {
  it('lists the distinct sources an answer cites, ignoring numbers that were not shown', () => {
    const shown = [
      { n: 1, source: 'a.md', snippet: '', score: 1 },
      { n: 2, source: 'b.md', snippet: '', score: 1 },
      { n: 3, source: 'a.md', snippet: '', score: 1 },
    ];
    expect(citedSources('x [2] y [1][3] z [9]', shown)).toEqual(['b.md', 'a.md']);
    expect(citedSources('no citations', shown)).toEqual([]);
  });
  it('keeps the newest history within the budget, starting with a user message', () => {
    const msg = (role: 'user' | 'assistant', text: string) => ({
      role,
      content: [{ type: 'text' as const, text }],
    });
    const history = [
      msg('user', 'a'.repeat(400)),
      msg('assistant', 'b'.repeat(400)),
      msg('user', 'c'.repeat(40)),
      msg('assistant', 'd'.repeat(40)),
    ];
    expect(fitHistory(history, 30).map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(fitHistory(history, 10_000)).toHaveLength(4);
    expect(fitHistory(history, 0)).toEqual([]);
  });
});

describe('rate limiter and approvals', () => {
  it('lets a burst through, then refills at the rate', () => {
    let t = 0;
    const bucket = new TokenBucket(2, 4, () => t);
    expect([1, 2, 3, 4, 5].map(() => bucket.take())).toEqual([true, true, true, true, false]);
    t += 500;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
  it('settles an approval only from the owning session, and refuses on timeout', async () => {
    const approvals = new PendingApprovals(50);
    const waiting = approvals.wait('s1', 'call-1', new AbortController().signal);
    expect(approvals.settle('s2', 'call-1', true)).toBe(false);
    expect(approvals.settle('s1', 'call-1', true)).toBe(true);
    expect(await waiting).toBe(true);
    expect(await approvals.wait('s1', 'call-2', new AbortController().signal)).toBe(false);
  });
});
