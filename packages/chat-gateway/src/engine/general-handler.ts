import { OFFLINE_NOTICE } from '../config.js';
import type { ChatModel } from '../ports/chat-model.js';
import { fitHistory } from './history.js';
import { streamModelTurn } from './model-turn.js';
import { GENERAL_SYSTEM } from './prompts.js';
import type { HandlerOutcome, TurnInput } from './turn.js';

export const OFFLINE_HELP = [
  "Hello! I'm the team chatbot, running without a language model.",
  '',
  "- **Ask a question** about the team's documents: I answer by quoting the best passages, with citations.",
  '- **`/tools`** lists the tools; **`/call <tool> <json>`** runs one, e.g. `/call list_records {"table":"notes"}` or `/call create_record {"table":"notes","data":{"title":"Standup","body":"at 10"}}`. Calls that change or delete data ask for your approval first.',
  '',
  OFFLINE_NOTICE,
].join('\n');

/** Small talk and questions that need neither documents nor tools: the conversation so far, within budget. */
export async function answerGenerally(
  options: { model?: ChatModel; historyTokenBudget: number },
  input: TurnInput,
): Promise<HandlerOutcome> {
  if (!options.model) {
    await input.sink.textDelta(OFFLINE_HELP);
    return { content: OFFLINE_HELP, sources: [], toolsUsed: [], finishReason: 'stop' };
  }
  const turn = await streamModelTurn(
    options.model,
    {
      system: GENERAL_SYSTEM,
      messages: [
        ...fitHistory(await input.history(), options.historyTokenBudget),
        { role: 'user', content: [{ type: 'text', text: input.content }] },
      ],
      maxTokens: 1024,
      signal: input.signal,
    },
    input.sink,
  );
  return {
    content: turn.text,
    sources: [],
    toolsUsed: [],
    finishReason: turn.finish === 'length' ? 'length' : 'stop',
  };
}
