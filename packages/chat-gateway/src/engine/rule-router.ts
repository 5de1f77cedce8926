import type { RouteDecision } from './turn.js';

const TOOL_COMMAND = /^\/(call|tools)\b/i;
const RECORD_ACTION =
  /\b(create|add|insert|save|store|update|change|edit|rename|delete|remove|drop|list|show|read|get|fetch)\b[^.?!]{0,40}\b(records?|notes?|tables?|rows?|items?|entr(y|ies)|sessions?|documents?)\b/i;
const SMALL_TALK =
  /^\s*(hi|hello|hey|good (morning|afternoon|evening)|thanks?( you)?|thank you|cheers|bye|goodbye|who are you|what can you do|help)\b[\s!.?]*$/i;

/**
 * The rule router: auditable, deterministic, no model needed. It is the offline engine's router
 * and the fallback when the model's decision fails or does not validate.
 */
export function routeByRules(message: string): RouteDecision {
  const text = message.trim();
  if (TOOL_COMMAND.test(text))
    return { route: 'mcp_tool', reason: 'rules: an explicit tool command' };
  if (SMALL_TALK.test(text))
    return {
      route: 'general',
      reason: 'rules: greeting, thanks or a question about the assistant',
    };
  if (RECORD_ACTION.test(text))
    return { route: 'mcp_tool', reason: 'rules: asks to create, change, delete or list records' };
  return { route: 'rag', reason: 'rules: a question for the documents' };
}
