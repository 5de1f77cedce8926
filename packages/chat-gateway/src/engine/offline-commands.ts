import type { ToolClient } from '../ports/tool-client.js';
import { needsApproval } from './tool-policy.js';
import type { ToolRunner } from './tool-runner.js';
import type { HandlerOutcome, TurnInput } from './turn.js';
import { cutText } from 'chatbot-mcp-server/core';

const USAGE =
  'Use `/tools` to list the tools and `/call <tool> <json arguments>` to run one, e.g. `/call list_records {"table":"notes"}`.';

/**
 * Tool use without a model: explicit commands. `/call` goes through the same runner as a
 * model's call, so scoping and approval of destructive calls apply alike.
 */
export async function runToolCommand(
  options: { tools: ToolClient; runner: ToolRunner; modelConfigured: boolean },
  input: TurnInput,
): Promise<HandlerOutcome> {
  const text = input.content.trim();
  const say = async (
    answer: string,
    finishReason: HandlerOutcome['finishReason'] = 'stop',
    toolsUsed: string[] = [],
  ): Promise<HandlerOutcome> => {
    await input.sink.textDelta(answer);
    return { content: answer, sources: [], toolsUsed, finishReason };
  };

  if (/^\/tools\s*$/i.test(text)) {
    const tools = await options.tools.listTools();
    const lines = tools.map(
      (t) =>
        `- \`${t.name}\`${needsApproval(t.annotations) ? ' (asks for approval)' : ''}: ${firstSentence(t.description)}`,
    );
    return say(`${tools.length} tools:\n\n${lines.join('\n')}\n\n${USAGE}`);
  }
  const call = /^\/call\s+([A-Za-z0-9_.-]+)\s*([\s\S]*)$/i.exec(text);
  if (!call) {
    return say(
      options.modelConfigured
        ? `I did not understand that command. ${USAGE}`
        : `Without a language model I cannot turn a request into tool calls. ${USAGE}`,
    );
  }
  const [, toolName = '', rawArgs = ''] = call;
  let args: unknown = {};
  if (rawArgs.trim() !== '') {
    try {
      args = JSON.parse(rawArgs);
    } catch (error) {
      return say(
        `The arguments are not valid JSON (${(error as Error).message}). ${USAGE}`,
        'error',
      );
    }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return say(`The arguments must be a JSON object, like {"table":"notes"}. ${USAGE}`, 'error');
  }
  const tools = await options.tools.listTools();
  const run = await options.runner.run(
    tools.find((t) => t.name === toolName),
    toolName,
    args as Record<string, unknown>,
    {
      sessionId: input.sessionId,
      sink: input.sink,
      signal: input.signal,
    },
  );
  // The result itself is in the tool-result frame (the page's tool card); repeating it here
  // showed it twice.
  const summary = run.isError
    ? `\`${toolName}\` did not run successfully; the tool card above shows why.`
    : `\`${toolName}\` done; the tool card above shows the result.`;
  return say(summary, 'stop', [toolName]);
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.;](\s|$)/);
  return end > 0 ? flat.slice(0, end + 1) : cutText(flat, 160);
}
