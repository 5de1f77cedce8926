import type { ChatModel, ModelEvent } from '../ports/chat-model.js';
import type { TokenUsage } from '../protocol/frames.js';

/** Tokens reported by every model call of one turn (router, answer, tool steps), summed. */
export class UsageTally {
  private sum: TokenUsage | undefined;

  add(usage: TokenUsage): void {
    this.sum = {
      inputTokens: (this.sum?.inputTokens ?? 0) + usage.inputTokens,
      outputTokens: (this.sum?.outputTokens ?? 0) + usage.outputTokens,
    };
  }

  /** Undefined when no call reported usage (an answer then shows none, rather than 0). */
  get total(): TokenUsage | undefined {
    return this.sum;
  }
}

/** The model as it is, with every reported usage added to `tally` on the way through. */
export function countingUsage(model: ChatModel, tally: UsageTally): ChatModel {
  return {
    id: model.id,
    async *stream(request): AsyncGenerator<ModelEvent> {
      for await (const event of model.stream(request)) {
        if (event.type === 'finish' && event.usage) tally.add(event.usage);
        yield event;
      }
    },
  };
}
