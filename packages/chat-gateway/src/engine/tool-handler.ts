import type { ChatModel, ModelContent, ModelMessage } from '../ports/chat-model.js';
import type { ToolClient } from '../ports/tool-client.js';
import { fitHistory } from './history.js';
import { streamModelTurn } from './model-turn.js';
import { TOOL_SYSTEM } from './prompts.js';
import type { ToolRunner } from './tool-runner.js';
import type { HandlerOutcome, TurnInput } from './turn.js';

/** The tool-use loop stops after this many model steps that asked for tools. */
export const MAX_TOOL_STEPS = 5;

/**
 * The model's tool-use loop: MCP `tools/list` becomes the model's tool specs; each requested
 * call runs through the runner (scoping, approval, timeout), its result goes back to the model.
 */
export async function answerWithTools(
  options: { model: ChatModel; tools: ToolClient; runner: ToolRunner; historyTokenBudget: number },
  input: TurnInput,
): Promise<HandlerOutcome> {
  const tools = await options.tools.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  const specs = tools.map((t) => ({
    name: t.name,
    description: t.description,
    inputSchema: t.inputSchema,
  }));
  const messages: ModelMessage[] = [
    ...fitHistory(await input.history(), options.historyTokenBudget),
    { role: 'user', content: [{ type: 'text', text: input.content }] },
  ];
  const toolsUsed: string[] = [];
  let content = '';
  for (let step = 0; step < MAX_TOOL_STEPS; step++) {
    const turn = await streamModelTurn(
      options.model,
      { system: TOOL_SYSTEM, messages, tools: specs, maxTokens: 2048, signal: input.signal },
      input.sink,
    );
    content += turn.text;
    if (turn.toolUses.length === 0) {
      return {
        content,
        sources: [],
        toolsUsed,
        finishReason: turn.finish === 'length' ? 'length' : 'stop',
      };
    }
    const assistant: ModelContent[] = [
      ...(turn.text ? [{ type: 'text' as const, text: turn.text }] : []),
      ...turn.toolUses.map((u) => ({ type: 'tool-use' as const, ...u })),
    ];
    const results: ModelContent[] = [];
    for (const use of turn.toolUses) {
      const run = await options.runner.run(byName.get(use.name), use.name, use.input, {
        sessionId: input.sessionId,
        sink: input.sink,
        signal: input.signal,
      });
      if (!toolsUsed.includes(use.name)) toolsUsed.push(use.name);
      // The model's id pairs the result with its call in the model conversation only.
      results.push({
        type: 'tool-result',
        toolUseId: use.id,
        isError: run.isError,
        text: run.text,
      });
    }
    messages.push({ role: 'assistant', content: assistant }, { role: 'user', content: results });
  }
  const note = `\n\n_Stopped after ${MAX_TOOL_STEPS} tool steps; ask again to continue._`;
  await input.sink.textDelta(note);
  return { content: content + note, sources: [], toolsUsed, finishReason: 'tool-limit' };
}
