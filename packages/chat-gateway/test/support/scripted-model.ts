/**
 * A `ChatModel` for engine tests: plays scripted turns in order and records every request, so
 * a test can assert what the model was shown (system prompt, history, tools, tool choice).
 */
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';

/** An item of a turn: an event to yield, or an error to throw at that point (mid-stream failure). */
export type ScriptedItem = ModelEvent | Error;

/** One model turn: its items, or a function of the request that returns them. */
export type ScriptedTurn =
  ScriptedItem[] | ((request: ModelRequest) => ScriptedItem[] | Promise<ScriptedItem[]>);

export class ScriptedModel implements ChatModel {
  /** Every request received, in order (messages and tools copied; the signal kept as is). */
  readonly requests: ModelRequest[] = [];
  private readonly turns: ScriptedTurn[];

  constructor(
    turns: ScriptedTurn[],
    readonly id = 'scripted:test',
  ) {
    this.turns = [...turns];
  }

  /** A text answer streamed in `chunks`, then `finish: stop`. */
  static text(...chunks: string[]): ModelEvent[] {
    return [
      ...chunks.map((text): ModelEvent => ({ type: 'text-delta', text })),
      { type: 'finish', reason: 'stop' },
    ];
  }

  /** One tool call, then `finish: tool-use`. */
  static toolUse(
    name: string,
    input: Record<string, unknown> = {},
    id = `toolu_${name}`,
  ): ModelEvent[] {
    return [
      { type: 'tool-use', id, name, input },
      { type: 'finish', reason: 'tool-use' },
    ];
  }

  /** Turns not played yet. */
  get remaining(): number {
    return this.turns.length;
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    // Copied so that later changes by the engine do not rewrite what the model saw.
    this.requests.push({
      ...request,
      messages: structuredClone(request.messages),
      ...(request.tools && { tools: structuredClone(request.tools) }),
    });
    const turn = this.turns.shift();
    if (turn === undefined) {
      throw new Error(
        `ScriptedModel ran out of turns: request ${this.requests.length} has no scripted answer (add a turn to the test's script).`,
      );
    }
    const items = typeof turn === 'function' ? await turn(request) : turn;
    for (const item of items) {
      if (request.signal?.aborted) throw abortError();
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

function abortError(): Error {
  const error = new Error('The model request was aborted.');
  error.name = 'AbortError';
  return error;
}
