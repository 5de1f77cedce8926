import type { ChatModel, FinishReason, ModelRequest } from '../ports/chat-model.js';
import type { TurnSink } from './turn.js';

export interface ModelTurn {
  text: string;
  toolUses: { id: string; name: string; input: Record<string, unknown> }[];
  finish: FinishReason;
}

/** Streams one model turn to the client: text deltas as they arrive, tool calls collected. */
export async function streamModelTurn(
  model: ChatModel,
  request: ModelRequest,
  sink: TurnSink,
): Promise<ModelTurn> {
  const turn: ModelTurn = { text: '', toolUses: [], finish: 'stop' };
  for await (const event of model.stream(request)) {
    if (event.type === 'text-delta') {
      if (event.text === '') continue;
      turn.text += event.text;
      await sink.textDelta(event.text);
    } else if (event.type === 'tool-use') {
      turn.toolUses.push({ id: event.id, name: event.name, input: event.input });
    } else {
      turn.finish = event.reason;
    }
  }
  if (turn.toolUses.length > 0) turn.finish = 'tool-use';
  return turn;
}
