import { describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../../src/errors.js';
import type { ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';
import { ScriptedModel } from '../support/scripted-model.js';

const ask = (text: string, signal?: AbortSignal): ModelRequest => ({
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...(signal && { signal }),
});

async function collect(events: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const seen: ModelEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('ScriptedModel', () => {
  it('plays turns in order, in the given chunks, and records what it was asked', async () => {
    const model = new ScriptedModel([
      ScriptedModel.toolUse('count_records', { table: 'notes' }),
      (request) => ScriptedModel.text('You said: ', JSON.stringify(request.messages.length)),
    ]);
    const first = ask('How many?');
    expect(await collect(model.stream(first))).toEqual([
      {
        type: 'tool-use',
        id: 'toolu_count_records',
        name: 'count_records',
        input: { table: 'notes' },
      },
      { type: 'finish', reason: 'tool-use' },
    ]);
    first.messages.push({ role: 'assistant', content: [{ type: 'text', text: 'later edit' }] });
    expect(await collect(model.stream(ask('again')))).toEqual([
      { type: 'text-delta', text: 'You said: ' },
      { type: 'text-delta', text: '1' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]?.messages).toHaveLength(1);
    expect(model.remaining).toBe(0);
  });

  it('throws a scripted error where it stands in the turn, after the events before it', async () => {
    const model = new ScriptedModel([
      [{ type: 'text-delta', text: 'Part' }, new ModelUnavailableError('busy', true)],
    ]);
    const seen: ModelEvent[] = [];
    await expect(async () => {
      for await (const event of model.stream(ask('x'))) seen.push(event);
    }).rejects.toThrow(ModelUnavailableError);
    expect(seen).toEqual([{ type: 'text-delta', text: 'Part' }]);
  });

  it('says clearly when it runs out of turns', async () => {
    const model = new ScriptedModel([ScriptedModel.text('only one')]);
    await collect(model.stream(ask('1')));
    await expect(collect(model.stream(ask('2')))).rejects.toThrow(/ran out of turns: request 2/);
  });

  it('stops with an AbortError once the signal aborts', async () => {
    const model = new ScriptedModel([ScriptedModel.text('a', 'b', 'c')]);
    const controller = new AbortController();
    const seen: ModelEvent[] = [];
    await expect(async () => {
      for await (const event of model.stream(ask('x', controller.signal))) {
        seen.push(event);
        controller.abort();
      }
    }).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([{ type: 'text-delta', text: 'a' }]);
  });
});
