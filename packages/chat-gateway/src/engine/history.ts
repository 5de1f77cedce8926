import type { ModelMessage } from '../ports/chat-model.js';

/** A rough token estimate (about 4 characters a token): enough to keep within a budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The newest messages that fit in `budget` tokens, oldest first, starting with a user message
 * (models expect the conversation to open with the user).
 */
export function fitHistory(history: readonly ModelMessage[], budget: number): ModelMessage[] {
  const kept: ModelMessage[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const message = history[i]!;
    const cost = message.content.reduce(
      (n, c) => n + estimateTokens(c.type === 'text' ? c.text : JSON.stringify(c)),
      0,
    );
    if (used + cost > budget) break;
    used += cost;
    kept.unshift(message);
  }
  while (kept.length > 0 && kept[0]!.role !== 'user') kept.shift();
  return kept;
}
