import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/core/approvals.js';
import { newToolCallId } from '../../src/engine/tool-runner.js';

describe('PendingApprovals', () => {
  it('keeps two sessions waiting on the same call id apart: each decides its own, neither the other', async () => {
    const gate = new PendingApprovals(60_000);
    const a = gate.wait('session-a', 'call_0', new AbortController().signal);
    const b = gate.wait('session-b', 'call_0', new AbortController().signal);
    expect(gate.settle('session-a', 'call_0', true)).toBe(true);
    expect(gate.settle('session-a', 'call_0', true)).toBe(false);
    expect(gate.settle('session-b', 'call_0', false)).toBe(true);
    await expect(a).resolves.toBe(true);
    await expect(b).resolves.toBe(false);
  });

  it('refuses a second wait on an id already waiting in the session, and the first still decides', async () => {
    const gate = new PendingApprovals(60_000);
    const first = gate.wait('s', 'call_1', new AbortController().signal);
    await expect(gate.wait('s', 'call_1', new AbortController().signal)).resolves.toBe(false);
    expect(gate.settle('s', 'call_1', true)).toBe(true);
    await expect(first).resolves.toBe(true);
  });

  it('mints protocol tool-call ids that are unique and fit the client id pattern', () => {
    const ids = new Set(Array.from({ length: 1000 }, newToolCallId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9_-]{24}$/);
  });
});
