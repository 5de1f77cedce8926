import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiChatModel } from '../../src/adapters/openai/openai-chat-model.js';
import {
  openAiText,
  openAiToolCalls,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../support/fake-openai-server.js';
import { coreHarness, send, type CoreHarness } from '../support/core-harness.js';
import type { RecordingChannel } from '../support/fake-channel.js';

/** A tool call without an id, as older Ollama streams it (the adapter names it `call_0`). */
const idless = (name: string, input: Record<string, unknown>) =>
  openAiToolCalls([{ id: '', name, fragments: [JSON.stringify(input)] }]);

describe('approvals when the model server omits tool-call ids (a local server speaking streamed OpenAI chat completions)', () => {
  let fake: FakeOpenAiServer;
  let h: CoreHarness;
  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
    h = await coreHarness({
      model: new OpenAiChatModel({ baseURL: fake.url, model: 'old-ollama', sleep: async () => {} }),
      ingestExamples: false,
      approvalTimeoutMs: 60_000,
    });
    for (const id of ['a-victim', 'b-victim'])
      await h.tools.callTool('create_record', { table: 'notes', data: { id, title: id } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  /** Sends a delete request and waits until its destructive call asks for approval. */
  async function askToDelete(c: RecordingChannel, id: string, recordId: string) {
    fake.enqueue(
      { items: idless('choose_route', { route: 'mcp_tool', reason: 'delete a note' }) },
      { items: idless('delete_record', { table: 'notes', record_id: recordId }) },
    );
    await send(h, c, { type: 'message', id, content: `delete the note ${recordId}` });
    return c.next('confirm-request', undefined, 20_000);
  }

  it('gives each session its own call id; each confirms its own call and both run; B cannot confirm A', async () => {
    const a = await h.connect();
    const b = await h.connect();
    const askA = await askToDelete(a, 'ma', 'a-victim');
    const askB = await askToDelete(b, 'mb', 'b-victim');
    // The model said `call_0` both times; the protocol's ids are the gateway's own.
    expect(askA.toolCallId).not.toBe('call_0');
    expect(askA.toolCallId).not.toBe(askB.toolCallId);
    expect(a.of('tool-call')[0]!.toolCallId).toBe(askA.toolCallId);

    // B tries A's call: refused, and A's call still waits.
    await send(h, b, { type: 'confirm', toolCallId: askA.toolCallId, approve: true });
    expect(b.of('error').at(-1)).toMatchObject({ code: 'NOT_FOUND' });

    fake.enqueue({ items: openAiText(['Deleted A.']) });
    await send(h, a, { type: 'confirm', toolCallId: askA.toolCallId, approve: true });
    const finishA = await a.next('finish', undefined, 20_000);
    expect(a.of('error')).toEqual([]);
    expect(finishA.response.content).toBe('Deleted A.');
    expect(a.of('tool-result')[0]).toMatchObject({ toolCallId: askA.toolCallId, isError: false });

    fake.enqueue({ items: openAiText(['Deleted B.']) });
    await send(h, b, { type: 'confirm', toolCallId: askB.toolCallId, approve: true });
    const finishB = await b.next('finish', undefined, 20_000);
    expect(finishB.response.content).toBe('Deleted B.');
    expect(b.of('tool-result')[0]).toMatchObject({ toolCallId: askB.toolCallId, isError: false });

    for (const id of ['a-victim', 'b-victim'])
      expect(
        (await h.tools.callTool('read_record', { table: 'notes', record_id: id })).isError,
      ).toBe(true);
    // The model conversation keeps the model's own id, so the result pairs with its call.
    const lastBody = fake.requests.at(-1)!.body as {
      messages: { role: string; tool_call_id?: string }[];
    };
    expect(lastBody.messages.find((m) => m.role === 'tool')?.tool_call_id).toBe('call_0');
  }, 60_000);
});
