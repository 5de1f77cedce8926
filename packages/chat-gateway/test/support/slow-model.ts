/**
 * A `ChatModel` that answers every message with a known text, token by token with a pause
 * between tokens (a slow model), and routes every message to `general`. The answer to
 * `content` is `answerTo(content)`, so a test knows exactly what the client must end up with.
 */
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';

/** `"<content> words: w1 w2 … w<n>"`, n from a trailing `#<n>` in the content (default 8). */
export function answerTokens(content: string): string[] {
  const n = Number(/#(\d+)\s*$/.exec(content)?.[1] ?? 8);
  return [
    `${content.replace(/#\d+\s*$/, '').trim()} words:`,
    ...Array.from({ length: n }, (_, i) => ` w${i + 1}`),
  ];
}

export function answerTo(content: string): string {
  return answerTokens(content).join('');
}

export class SlowModel implements ChatModel {
  readonly id = 'slow:test';

  constructor(private readonly tokenMs = 5) {}

  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    if (request.toolChoice) {
      yield {
        type: 'tool-use',
        id: 'route',
        name: 'choose_route',
        input: { route: 'general', reason: 'test' },
      };
      yield { type: 'finish', reason: 'tool-use' };
      return;
    }
    const last = request.messages.at(-1);
    const text = last?.content.map((c) => (c.type === 'text' ? c.text : '')).join('') ?? '';
    for (const token of answerTokens(text)) {
      await new Promise((r) => setTimeout(r, this.tokenMs));
      if (request.signal?.aborted) {
        const error = new Error('The model request was aborted.');
        error.name = 'AbortError';
        throw error;
      }
      yield { type: 'text-delta', text: token };
    }
    yield { type: 'finish', reason: 'stop' };
  }
}
