import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreHarness, send, type CoreHarness } from '../support/core-harness.js';

describe('chat core with the offline engine and the real MCP server in-process', () => {
  let h: CoreHarness;
  beforeAll(async () => {
    h = await coreHarness();
  }, 120_000);
  afterAll(() => h?.close());

  it('announces the session first, with no model and a notice saying how to configure one', async () => {
    const c = await h.connect();
    const session = c.frames[0];
    expect(session).toMatchObject({ type: 'session', resumed: false, model: null });
    expect(session?.type === 'session' && session.notice).toMatch(/MODEL_PROVIDER/);
  });

  it('answers a question about the documents with [n] citations matching the source frames', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 'q1', content: 'How do I roll back a deployment?' });
    const finish = await c.next('finish');
    const start = c.of('start')[0]!;
    expect(start).toMatchObject({ queryType: 'rag', replyTo: 'q1' });
    const sources = c.of('source');
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.map((s) => s.n)).toEqual(sources.map((_, i) => i + 1));
    expect(sources[0]!.source).toBe('deployment-runbook.md');
    expect(finish.finishReason).toBe('stop');
    expect(finish.response.content).toMatch(/\[1\]/);
    expect(finish.response.sources).toContain('deployment-runbook.md');
    const streamed = c
      .of('text-delta')
      .filter((d) => d.messageId === finish.messageId)
      .map((d) => d.delta)
      .join('');
    expect(streamed).toBe(finish.response.content);
    // Every [n] in the answer names a source frame of this answer.
    for (const m of finish.response.content.matchAll(/\[(\d+)\]/g)) {
      expect(sources.some((s) => s.n === Number(m[1]))).toBe(true);
    }
  });

  it('says it does not know and cites nothing when no passage passes the threshold', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 'q2', content: 'zebra quasar xylophone marmalade' });
    const finish = await c.next('finish');
    expect(finish.response.content).toMatch(/don't know/);
    expect(finish.response.sources).toEqual([]);
    expect(c.of('source')).toEqual([]);
  });

  it('lists tools with /tools and creates a record with /call', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 't1', content: '/tools' });
    const listed = await c.next('finish', (f) => f.response.content.includes('create_record'));
    expect(listed.response.queryType).toBe('mcp_tool');
    await send(h, c, {
      type: 'message',
      id: 't2',
      content: '/call create_record {"table":"notes","data":{"id":"n-1","title":"Standup at 10"}}',
    });
    const done = await c.next('finish', (f) => f.response.toolsUsed.includes('create_record'));
    expect(c.of('tool-call').some((t) => t.toolName === 'create_record')).toBe(true);
    const result = c.of('tool-result').at(-1)!;
    // output: the tool's structured result for programs; text: what the page shows.
    expect(result).toMatchObject({
      isError: false,
      output: { record: { id: 'n-1', title: 'Standup at 10' } },
    });
    expect(result.text).toMatch(/^Created a record in notes/);
    // The result is shown once (the tool card), not again in the answer text.
    expect(done.response.content).toMatch(/create_record` done; the tool card above shows/);
    expect(done.response.content).not.toContain('Standup at 10');
    const read = await h.tools.callTool('read_record', { table: 'notes', record_id: 'n-1' });
    expect(read.structured).toMatchObject({ record: { title: 'Standup at 10' } });
  });

  it('runs a destructive call only after approval: refused leaves the record, approved deletes it', async () => {
    const c = await h.connect();
    await h.tools.callTool('create_record', {
      table: 'notes',
      data: { id: 'n-del', title: 'to delete' },
    });
    await send(h, c, {
      type: 'message',
      id: 'd1',
      content: '/call delete_record {"table":"notes","record_id":"n-del"}',
    });
    const ask1 = await c.next('confirm-request');
    expect(ask1.toolName).toBe('delete_record');
    await send(h, c, { type: 'confirm', toolCallId: ask1.toolCallId, approve: false });
    await c.next('finish', (f) => f.response.content.includes('did not run'));
    expect(
      (await h.tools.callTool('read_record', { table: 'notes', record_id: 'n-del' })).isError,
    ).toBe(false);

    await send(h, c, {
      type: 'message',
      id: 'd2',
      content: '/call delete_record {"table":"notes","record_id":"n-del"}',
    });
    const ask2 = await c.next('confirm-request', (f) => f.toolCallId !== ask1.toolCallId);
    await send(h, c, { type: 'confirm', toolCallId: ask2.toolCallId, approve: true });
    await c.next('finish', (f) => f.response.content.includes('delete_record` done'));
    const gone = await h.tools.callTool('read_record', { table: 'notes', record_id: 'n-del' });
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(/^NOT_FOUND/);
  });

  it('refuses a confirm for a tool call of another session, which keeps waiting', async () => {
    const owner = await h.connect();
    const other = await h.connect();
    await h.tools.callTool('create_record', { table: 'notes', data: { id: 'n-x', title: 'x' } });
    await send(h, owner, {
      type: 'message',
      id: 'x1',
      content: '/call delete_record {"table":"notes","record_id":"n-x"}',
    });
    const ask = await owner.next('confirm-request');
    await send(h, other, { type: 'confirm', toolCallId: ask.toolCallId, approve: true });
    expect(other.of('error').at(-1)).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      (await h.tools.callTool('read_record', { table: 'notes', record_id: 'n-x' })).isError,
    ).toBe(false);
    await send(h, owner, { type: 'confirm', toolCallId: ask.toolCallId, approve: false });
    await owner.next('finish');
  });

  it('answers a repeated message id once and never runs it twice', async () => {
    const c = await h.connect();
    await send(h, c, {
      type: 'message',
      id: 'dup',
      content: '/call create_record {"table":"notes","data":{"title":"once"}}',
    });
    await send(h, c, {
      type: 'message',
      id: 'dup',
      content: '/call create_record {"table":"notes","data":{"title":"once"}}',
    });
    await c.next('finish');
    expect(c.of('error')).toMatchObject([{ code: 'DUPLICATE_MESSAGE', replyTo: 'dup' }]);
    expect(c.of('tool-call')).toHaveLength(1);
  });

  it('answers invalid frames with error frames and stays usable', async () => {
    const c = await h.connect();
    for (const bad of [
      'not json',
      '[]',
      '{"type":"nope"}',
      '{"type":"message","id":"a"}',
      '{"type":"message","id":"a b","content":"x"}',
      '{"type":"history","limit":1000}',
    ]) {
      await send(h, c, bad);
    }
    const errors = c.of('error');
    expect(errors).toHaveLength(6);
    expect(errors.every((e) => e.code === 'INVALID_FRAME' && !e.retryable)).toBe(true);
    expect(errors[0]!.message).toMatch(/not valid JSON/);
    expect(errors[3]!.message).toMatch(/missing field "content"/);
    await send(h, c, { type: 'message', id: 'ok', content: 'hello' });
    const finish = await c.next('finish');
    expect(finish.response.queryType).toBe('general');
  });

  it("never writes the chat's own tables and reads only the caller's own session", async () => {
    const c = await h.connect();
    const other = await h.connect();
    const mine = c.frames[0]!.type === 'session' ? c.frames[0].sessionId : '';
    const theirs = other.frames[0]!.type === 'session' ? other.frames[0].sessionId : '';
    const cases: [string, RegExp][] = [
      [`/call create_record {"table":"sessions","data":{"sessionId":"evil"}}`, /READ_ONLY/],
      [
        `/call update_record {"table":"conversations","key":{"sessionId":"${mine}","messageId":"x"},"data":{"content":"x"}}`,
        /READ_ONLY/,
      ],
      [
        `/call list_records {"table":"conversations","partition_key_value":"${theirs}"}`,
        /READ_ONLY: only this chat session/,
      ],
      [
        `/call read_record {"table":"sessions","record_id":"${theirs}"}`,
        /READ_ONLY: only this chat session/,
      ],
      [`/call list_records {"table":"analytics"}`, /analytics are not readable/],
    ];
    let i = 0;
    for (const [command, expected] of cases) {
      const id = `s${i++}`;
      await send(h, c, { type: 'message', id, content: command });
      const start = await c.next('start', (f) => f.replyTo === id);
      const finish = await c.next('finish', (f) => f.messageId === start.messageId);
      expect(finish.response.content).toMatch(/did not run successfully/);
      // Why is in the tool result (the page's tool card), for people and programs alike.
      const result = await c.next('tool-result', (f) => f.messageId === start.messageId);
      expect(result).toMatchObject({ isError: true, text: expect.stringMatching(expected) });
      expect(result.output).toEqual(result.text);
    }
    expect(c.of('confirm-request')).toHaveLength(0);
  });

  it('cancels a running answer: finish says cancelled', async () => {
    const c = await h.connect();
    await h.tools.callTool('create_record', { table: 'notes', data: { id: 'n-c', title: 'c' } });
    await send(h, c, {
      type: 'message',
      id: 'c1',
      content: '/call delete_record {"table":"notes","record_id":"n-c"}',
    });
    await c.next('confirm-request');
    await send(h, c, { type: 'cancel', messageId: 'c1' });
    const finish = await c.next('finish');
    expect(finish.finishReason).toBe('cancelled');
    expect(
      (await h.tools.callTool('read_record', { table: 'notes', record_id: 'n-c' })).isError,
    ).toBe(false);
  });

  it('stores every turn and pages through the history newest first', async () => {
    const c = await h.connect();
    for (let i = 0; i < 3; i++) {
      await send(h, c, { type: 'message', id: `h${i}`, content: 'hello' });
      await c.next(
        'finish',
        (f) => f.response.content.length > 0 && c.of('finish').length === i + 1,
      );
    }
    await send(h, c, { type: 'history', limit: 4 });
    const page1 = await c.next('history');
    expect(page1.messages.map((m) => m.role)).toEqual(['assistant', 'user', 'assistant', 'user']);
    expect(page1.messages[1]!.clientMessageId).toBe('h2');
    expect(page1.before).toBeDefined();
    await send(h, c, { type: 'history', before: page1.before, limit: 4 });
    const page2 = await c.next('history', (f) => f !== page1);
    expect(page2.messages.map((m) => m.clientMessageId)).toEqual(['h0', 'h0']);
    expect(page2.before).toBeUndefined();
  });

  it('resumes only with the token, rotates it, and refuses a replay of the old one', async () => {
    const first = await h.connect();
    const s = first.frames[0]!;
    if (s.type !== 'session') throw new Error('no session');
    await h.gateway.closed(first);
    const second = await h.connect();
    await send(h, second, { type: 'resume', sessionId: s.sessionId, resumeToken: 'A'.repeat(43) });
    expect(second.of('error').at(-1)).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await send(h, second, { type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    const resumed = await second.next('session', (f) => f.resumed);
    expect(resumed.sessionId).toBe(s.sessionId);
    expect(resumed.resumeToken).not.toBe(s.resumeToken);
    const third = await h.connect();
    await send(h, third, { type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    expect(third.of('error').at(-1)).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });
});
