import type { Logger } from 'chatbot-mcp-server/core';
import { ChatError } from '../errors.js';
import type { ChatModel } from '../ports/chat-model.js';
import type { ToolClient } from '../ports/tool-client.js';
import { AnswerLimitReached, MAX_ANSWER_BYTES, answerCutNote, utf8Prefix } from './answer-limit.js';
import type { EngineEvents } from './engine-events.js';
import { answerGenerally } from './general-handler.js';
import { routeWithModel } from './model-router.js';
import { runToolCommand } from './offline-commands.js';
import { answerFromDocuments } from './rag-handler.js';
import { routeByRules } from './rule-router.js';
import { answerWithTools } from './tool-handler.js';
import { ToolRunner } from './tool-runner.js';
import { toolsFor } from './caller-tools.js';
import type { ToolPermissions } from './tool-permissions.js';
import { countingUsage, UsageTally } from './usage-tally.js';
import type { HandlerOutcome, RouteDecision, TurnInput, TurnOutcome } from './turn.js';

export interface ChatEngineOptions {
  tools: ToolClient;
  /** None: the offline engine (rule router, quoted passages, /tools and /call). */
  model?: ChatModel;
  events?: EngineEvents;
  logger: Logger;
  ragMinScore: number;
  ragLimit: number;
  toolTimeoutMs: number;
  historyTokenBudget: number;
  /** Text streamed for one answer, in UTF-8 bytes, before it is cut with `length`. */
  maxAnswerBytes?: number;
  /** Group limits on destructive and document-changing tools. */
  permissions?: ToolPermissions;
}

/** A turn that failed: the partial outcome (persisted) and the error for the client. */
export interface FailedTurn extends TurnOutcome {
  error: ChatError;
}

/**
 * The seed's `ChatbotEngine.processMessage`, transport-neutral: route the message, run its
 * handler, stream through the sink. Cancelling (the signal) ends the turn with
 * `finishReason: "cancelled"` and the text so far.
 */
export class ChatEngine {
  constructor(private readonly options: ChatEngineOptions) {}

  /** The model answering, or null for the offline engine. */
  get modelId(): string | null {
    return this.options.model?.id ?? null;
  }

  async processMessage(input: TurnInput): Promise<TurnOutcome | FailedTurn> {
    const started = performance.now();
    let text = '';
    let bytes = 0;
    const maxBytes = this.options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const sink = {
      ...input.sink,
      textDelta: async (d: string) => {
        const size = Buffer.byteLength(d, 'utf8');
        if (bytes + size <= maxBytes) {
          bytes += size;
          text += d;
          return input.sink.textDelta(d);
        }
        // A model ignoring max_tokens: the rest is not streamed, and the handler is stopped.
        const last = utf8Prefix(d, maxBytes - bytes) + answerCutNote(maxBytes);
        bytes = maxBytes;
        text += last;
        await input.sink.textDelta(last);
        throw new AnswerLimitReached();
      },
    };
    const turnInput = { ...input, sink };
    // This turn's model calls, counted: the answer reports what they cost.
    const tally = new UsageTally();
    const model = this.options.model && countingUsage(this.options.model, tally);
    let decision: RouteDecision = { route: 'general', reason: 'not routed' };
    let routeMs = 0;
    let outcome: TurnOutcome | FailedTurn;
    try {
      decision = await this.route(input, model);
      routeMs = Math.round(performance.now() - started);
      await input.sink.start(decision.route, decision.reason);
      const handled = await this.handle(decision, turnInput, model);
      outcome = { ...handled, queryType: decision.route, routeReason: decision.reason };
      // A handler may finish normally after a cancel (an approval cut short): it was cancelled.
      if (input.signal.aborted) outcome = { ...outcome, finishReason: 'cancelled' };
    } catch (error) {
      const base = {
        content: text,
        queryType: decision.route,
        routeReason: decision.reason,
        sources: [],
        toolsUsed: [],
      };
      if (error instanceof AnswerLimitReached) {
        outcome = { ...base, finishReason: 'length' };
      } else if (input.signal.aborted) {
        outcome = { ...base, finishReason: 'cancelled' };
      } else {
        const chatError =
          error instanceof ChatError
            ? error
            : new ChatError('INTERNAL', 'The answer failed unexpectedly; try again.', true, {
                cause: error,
              });
        outcome = { ...base, finishReason: 'error', error: chatError };
      }
    }
    const usage = tally.total;
    if (usage) outcome = { ...outcome, usage };
    this.options.events?.query(input.sessionId, {
      route: decision.route,
      reason: decision.reason,
      routeMs,
      latencyMs: Math.round(performance.now() - started),
      model: this.modelId,
      finishReason: outcome.finishReason,
      ...(usage && { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }),
    });
    return outcome;
  }

  private async route(input: TurnInput, model: ChatModel | undefined): Promise<RouteDecision> {
    // Explicit commands are never second-guessed by a model.
    if (!model || input.content.trimStart().startsWith('/')) return routeByRules(input.content);
    return routeWithModel(model, input.content, {
      signal: input.signal,
      logger: this.options.logger,
    });
  }

  private handle(
    decision: RouteDecision,
    input: TurnInput,
    model: ChatModel | undefined,
  ): Promise<HandlerOutcome> {
    // This turn's tools act for its user: every call and read carries the caller.
    const tools = toolsFor(this.options.tools, input.caller);
    const runner = new ToolRunner({
      tools,
      timeoutMs: this.options.toolTimeoutMs,
      logger: this.options.logger,
      ...(this.options.events && { events: this.options.events }),
      ...(this.options.permissions && { permissions: this.options.permissions }),
    });
    switch (decision.route) {
      case 'rag':
        return answerFromDocuments(
          {
            tools,
            minScore: this.options.ragMinScore,
            limit: this.options.ragLimit,
            timeoutMs: this.options.toolTimeoutMs,
            ...(model && { model }),
          },
          input,
        );
      case 'general':
        return answerGenerally(
          { historyTokenBudget: this.options.historyTokenBudget, ...(model && { model }) },
          input,
        );
      case 'mcp_tool':
        if (!model || input.content.trimStart().startsWith('/')) {
          return runToolCommand({ tools, runner, modelConfigured: model !== undefined }, input);
        }
        return answerWithTools(
          {
            model,
            tools,
            runner,
            historyTokenBudget: this.options.historyTokenBudget,
          },
          input,
        );
    }
  }
}
