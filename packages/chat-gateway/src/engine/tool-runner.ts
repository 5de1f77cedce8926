import { randomBytes } from 'node:crypto';
import type { Logger } from 'chatbot-mcp-server/core';
import type { EngineEvents } from './engine-events.js';
import type { ToolPermissions } from './tool-permissions.js';
import { ChatError } from '../errors.js';
import type { ToolClient, ToolInfo } from '../ports/tool-client.js';
import { needsApproval, redactToolOutput, scopeToolCall } from './tool-policy.js';
import type { TurnSink } from './turn.js';
import { cutText } from 'chatbot-mcp-server/core';

export interface ToolRun {
  toolCallId: string;
  isError: boolean;
  /** The structured result (see `structuredOutput`); null when too large for a frame. */
  output: unknown;
  /** The display text, also what the model reads. */
  text: string;
  approved?: boolean;
}

/**
 * The protocol's id of a tool call (`tool-call`, `confirm-request`, `confirm`, `tool-result`):
 * minted here, 144 random bits, never the model's id. Models repeat ids (servers that omit them
 * get `call_0` for every first call), and an approval matched by such an id could be decided by
 * the wrong session or turn; the model's own id stays in the model conversation only.
 */
export function newToolCallId(): string {
  return `call_${randomBytes(18).toString('base64url')}`;
}

/** Output shown to the user and the model is capped: tool results can be large. */
const MAX_OUTPUT_CHARS = 16_000;
/** A structured result larger than this (as JSON) is left out of the frame (128 KB limit). */
const MAX_STRUCTURED_CHARS = 64_000;

/**
 * What a program driving the chat reads in `tool-result.output`: MCP `structuredContent` when
 * the tool has it, else the text content parsed as JSON, else the text as it is.
 */
export function structuredOutput(text: string, structured?: Record<string, unknown>): unknown {
  let value: unknown = structured;
  if (value === undefined) {
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  return JSON.stringify(value).length > MAX_STRUCTURED_CHARS ? null : value;
}

/**
 * Runs one tool call for a chat: scoping, approval for destructive tools, a per-call timeout,
 * frames for the call and its result, and an analytics event. Tool errors and refusals become
 * error results, never exceptions; only a cancelled turn or a gone client throws.
 */
export class ToolRunner {
  constructor(
    private readonly deps: {
      tools: ToolClient;
      timeoutMs: number;
      events?: EngineEvents;
      logger: Logger;
      /** Group limits on destructive and document-changing tools; none: no limits. */
      permissions?: ToolPermissions;
    },
  ) {}

  async run(
    tool: ToolInfo | undefined,
    toolName: string,
    input: Record<string, unknown>,
    ctx: { sessionId: string; sink: TurnSink; signal: AbortSignal },
  ): Promise<ToolRun> {
    const toolCallId = newToolCallId();
    const view = { toolCallId, toolName, input };
    await ctx.sink.toolCall(view);
    const started = performance.now();
    const finish = async (
      isError: boolean,
      text: string,
      approved?: boolean,
      structured?: Record<string, unknown>,
    ): Promise<ToolRun> => {
      const shown =
        text.length > MAX_OUTPUT_CHARS
          ? `${cutText(text, MAX_OUTPUT_CHARS)}\n… (output cut at ${MAX_OUTPUT_CHARS} characters)`
          : text;
      const output = structuredOutput(text, structured);
      await ctx.sink.toolResult({ toolCallId, isError, output, text: shown });
      this.deps.events?.toolUsage(ctx.sessionId, {
        tool: toolName,
        isError,
        ms: Math.round(performance.now() - started),
        ...(approved !== undefined && { approved }),
      });
      return {
        toolCallId,
        isError,
        output,
        text: shown,
        ...(approved !== undefined && { approved }),
      };
    };

    if (!tool)
      return finish(
        true,
        `VALIDATION: there is no tool named ${JSON.stringify(toolName)}; use /tools to list them.`,
      );
    const scoped = scopeToolCall(toolName, input, ctx.sessionId);
    if ('refused' in scoped) return finish(true, String(scoped.refused));

    const forbidden = await this.deps.permissions?.refusal(
      toolName,
      needsApproval(tool.annotations),
      ctx.sessionId,
    );
    // Refused before anyone is asked: approval is not theirs to give.
    if (forbidden) return finish(true, `FORBIDDEN: ${forbidden}`);

    let approved: boolean | undefined;
    if (needsApproval(tool.annotations)) {
      approved = await ctx.sink.approve(view);
      if (!approved)
        return finish(
          true,
          'REFUSED: the user did not approve this call; nothing was changed.',
          false,
        );
    }
    try {
      const result = await this.deps.tools.callTool(toolName, scoped, {
        signal: ctx.signal,
        timeoutMs: this.deps.timeoutMs,
      });
      const redacted = redactToolOutput(toolName, scoped, result.text, result.structured);
      return finish(result.isError, redacted.text, approved, redacted.structured);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const message = error instanceof ChatError ? error.message : 'the tool failed unexpectedly';
      this.deps.logger.warn('tool call failed', { tool: toolName, message });
      return finish(true, `MCP_TOOL_ERROR: ${message}`, approved);
    }
  }
}
