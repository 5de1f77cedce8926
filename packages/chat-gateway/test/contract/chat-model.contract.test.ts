/**
 * What every `ChatModel` adapter does the same way, whatever its provider's wire protocol: run
 * on each adapter against a local server that speaks that protocol (`chat-model-backends.ts`).
 * What only one provider has (its request mapping, its error names, its settings) stays in the
 * adapter's own integration test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelUnavailableError } from '../../src/errors.js';
import type { ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';
import { bedrockBackend, collect, openAiBackend } from '../support/chat-model-backends.js';

const ask: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };

describe.each([bedrockBackend(), openAiBackend()])('ChatModel contract: $name', (backend) => {
  beforeAll(() => backend.start());
  afterAll(() => backend.close());
  beforeEach(() => backend.reset());

  it('streams text in several deltas, then finish with the usage', async () => {
    backend.script.text(['Hel', 'lo, ', 'world']);
    const { events, error } = await collect(backend.model().stream(ask));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo, ' },
      { type: 'text-delta', text: 'world' },
      { type: 'finish', reason: 'stop', usage: backend.usage },
    ]);
  });

  it('assembles a tool call whose input arrives in fragments into one object', async () => {
    backend.script.toolCall('call_1', 'query_records', [
      '{"ta',
      'ble": "no',
      'tes", "filter": {"tag":',
      ' "x"}, "limit": 5}',
    ]);
    const { events, error } = await collect(backend.model().stream(ask));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'tool-use',
        id: 'call_1',
        name: 'query_records',
        input: { table: 'notes', filter: { tag: 'x' }, limit: 5 },
      },
      { type: 'finish', reason: 'tool-use', usage: backend.usage },
    ]);
  });

  it('does not run a tool whose input is not valid JSON, and does not retry', async () => {
    backend.script.toolCall('call_2', 'delete_record', ['{"id": "a', 'bc", ']);
    const { events, error } = await collect(backend.model().stream(ask));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('delete_record');
    expect(backend.requests()).toBe(1);
  });

  it('retries a busy provider before the stream, with growing backoff, then succeeds', async () => {
    backend.script.busy(2);
    backend.script.text(['ok']);
    const { events, error } = await collect(backend.model({ random: () => 0.5 }).stream(ask));
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ type: 'text-delta', text: 'ok' });
    expect(backend.requests()).toBe(3);
    expect(backend.delays).toEqual([250, 500]);
  });

  it('retries an error inside the stream that comes before any text', async () => {
    backend.script.errorBeforeText();
    backend.script.text(['second']);
    const { events, error } = await collect(backend.model().stream(ask));
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ type: 'text-delta', text: 'second' });
    expect(backend.requests()).toBe(2);
  });

  it('does not retry a failure after text was yielded: throws a retryable MODEL_UNAVAILABLE', async () => {
    backend.script.errorAfterText('Partial');
    backend.script.text(['never seen']);
    const { events, error } = await collect(backend.model().stream(ask));
    expect(events).toEqual([{ type: 'text-delta', text: 'Partial' }]);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: true });
    expect(backend.requests()).toBe(1);
  });

  it('gives up after maxAttempts with backoff that grows and stays within the cap', async () => {
    backend.script.busy(4);
    const { error } = await collect(
      backend
        .model({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 })
        .stream(ask),
    );
    expect(backend.requests()).toBe(4);
    expect(backend.delays).toEqual([99, 199, 299]);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toContain('the model is busy; try again in a moment');
  });

  it('ends with an AbortError when the signal aborts a stalled stream after text was shown', async () => {
    backend.script.stallAfterText('Thinking');
    const controller = new AbortController();
    const seen: ModelEvent[] = [];
    const run = async () => {
      for await (const event of backend.model().stream({ ...ask, signal: controller.signal })) {
        seen.push(event);
        controller.abort();
      }
    };
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(seen).toEqual([{ type: 'text-delta', text: 'Thinking' }]);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(ModelUnavailableError);
    await vi.waitFor(() => expect(backend.openStreams()).toBe(0));
  });

  it('ends with an AbortError when the signal aborts before the stream starts', async () => {
    backend.script.stallBeforeStart();
    const controller = new AbortController();
    const pending = collect(backend.model().stream({ ...ask, signal: controller.signal }));
    await vi.waitFor(() => expect(backend.requests()).toBe(1));
    controller.abort();
    const { events, error } = await pending;
    expect(events).toEqual([]);
    expect(error).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(backend.openStreams()).toBe(0));
  });

  it('closes the stream when the caller stops reading early', async () => {
    backend.script.stallAfterText('first');
    for await (const event of backend.model().stream(ask)) {
      expect(event).toEqual({ type: 'text-delta', text: 'first' });
      break;
    }
    await vi.waitFor(() => expect(backend.openStreams()).toBe(0));
  });

  it('sends nothing when the signal is already aborted', async () => {
    const { error } = await collect(
      backend.model().stream({ ...ask, signal: AbortSignal.abort() }),
    );
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(backend.requests()).toBe(0);
  });
});
