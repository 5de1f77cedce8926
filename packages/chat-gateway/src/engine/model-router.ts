import { Ajv, type ValidateFunction } from 'ajv';
import type { Logger } from 'chatbot-mcp-server/core';
import type { ChatModel } from '../ports/chat-model.js';
import { routeByRules } from './rule-router.js';
import type { RouteDecision } from './turn.js';

const DECISION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['route', 'reason'],
  properties: {
    route: { enum: ['rag', 'general', 'mcp_tool'] },
    reason: { type: 'string', minLength: 1, maxLength: 300 },
  },
} as const;

let decisionValidator: ValidateFunction<RouteDecision> | undefined;
/** Compiled on first use: only a gateway with a model routes with it. */
const validateDecision = (input: unknown): input is RouteDecision =>
  (decisionValidator ??= new Ajv({ strict: true }).compile<RouteDecision>(DECISION_SCHEMA))(input);

const ROUTER_SYSTEM =
  "You route a chat message to one handler. rag: the answer should come from the team's documents (policies, runbooks, how-tos, facts about the team or product). " +
  'mcp_tool: the user wants to create, read, update, delete or list records, or manage documents. general: small talk, or questions answerable without the documents or tools. ' +
  'Call choose_route once with the route and a short reason.';

/**
 * Asks the model for a structured, schema-validated decision; falls back to the rules when the
 * model fails, stalls or answers outside the schema. The reason says which one decided.
 */
export async function routeWithModel(
  model: ChatModel,
  message: string,
  options: { signal: AbortSignal; logger: Logger; timeoutMs?: number },
): Promise<RouteDecision> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let decided: RouteDecision | undefined;
  try {
    for await (const event of model.stream({
      system: ROUTER_SYSTEM,
      messages: [{ role: 'user', content: [{ type: 'text', text: message }] }],
      tools: [
        {
          name: 'choose_route',
          description: 'Choose the handler for the message.',
          inputSchema: DECISION_SCHEMA,
        },
      ],
      toolChoice: { name: 'choose_route' },
      maxTokens: 200,
      temperature: 0,
      signal: AbortSignal.any([options.signal, timeout]),
    })) {
      if (event.type !== 'tool-use' || decided) continue;
      if (validateDecision(event.input)) {
        // Read on to the end: the usage of this call comes after the tool call.
        decided = { route: event.input.route, reason: `model: ${event.input.reason}` };
        continue;
      }
      options.logger.warn("router: the model's decision broke the schema; using rules", {
        input: event.input,
      });
      break;
    }
    if (decided) return decided;
  } catch (error) {
    if (options.signal.aborted) throw error;
    // The decision came; only the rest of the stream (its usage) failed.
    if (decided) return decided;
    options.logger.warn('router: the model failed; using rules', {
      message: error instanceof Error ? error.message : String(error),
    });
  }
  const fallback = routeByRules(message);
  return {
    route: fallback.route,
    reason: `${fallback.reason} (the model router gave no valid decision)`,
  };
}
