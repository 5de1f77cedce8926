import { CHAT_TABLES, type ChatTableAlias } from 'chatbot-mcp-server/tables';

/** A refusal the model (or the user) sees as the tool's error result; the tool never runs. */
export interface PolicyRefusal {
  refused: string;
}

const WRITE_TOOLS = new Set(['create_record', 'update_record', 'delete_record']);
const READ_TOOLS = new Set(['read_record', 'list_records']);
/** Session fields never shown through a tool: the resume token's hash and the connection. */
const HIDDEN_SESSION_FIELDS = ['resumeTokenHash', 'connectionId'];

function chatTable(args: Record<string, unknown>): ChatTableAlias | undefined {
  const table = args.table;
  return typeof table === 'string' && Object.hasOwn(CHAT_TABLES, table)
    ? (table as ChatTableAlias)
    : undefined;
}

/**
 * Scoping of record tools called from a chat. The chat's own tables are never written through
 * tool calls, and are read only for the caller's own session: the gateway pins the key to it.
 * Analytics span every session, so they are not readable from a chat at all. Returns the
 * arguments to call the tool with, or a refusal.
 */
export function scopeToolCall(
  toolName: string,
  args: Record<string, unknown>,
  sessionId: string,
): Record<string, unknown> | PolicyRefusal {
  const table = chatTable(args);
  if (!table) return args;
  if (WRITE_TOOLS.has(toolName)) {
    return { refused: `READ_ONLY: the chat's own table "${table}" cannot be changed from a chat.` };
  }
  if (!READ_TOOLS.has(toolName)) return args;
  if (table === 'analytics') {
    return {
      refused: 'READ_ONLY: analytics are not readable from a chat; use `chatbot-gateway stats`.',
    };
  }
  const pk = CHAT_TABLES[table].partitionKey.name;
  if (toolName === 'list_records') {
    const asked = args.partition_key_value;
    if (asked !== undefined && asked !== sessionId) return otherSession(table);
    return { ...args, partition_key_value: sessionId };
  }
  // read_record: by record_id (sessions) or by key.
  if (args.record_id !== undefined) {
    if (table !== 'sessions' || args.record_id !== sessionId) return otherSession(table);
    return args;
  }
  const key = (args.key ?? {}) as Record<string, unknown>;
  if (key[pk] !== undefined && key[pk] !== sessionId) return otherSession(table);
  return { ...args, key: { ...key, [pk]: sessionId } };
}

function otherSession(table: string): PolicyRefusal {
  return {
    refused: `READ_ONLY: only this chat session's own records in "${table}" are readable from a chat.`,
  };
}

/** Removes secrets of sessions from a tool's output before the model or the user sees it. */
export function redactToolOutput(
  toolName: string,
  args: Record<string, unknown>,
  text: string,
  structured?: Record<string, unknown>,
): { text: string; structured?: Record<string, unknown> } {
  if (chatTable(args) !== 'sessions' || !READ_TOOLS.has(toolName))
    return { text, ...(structured && { structured }) };
  const scrub = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !HIDDEN_SESSION_FIELDS.includes(k))
          .map(([k, v]) => [k, scrub(v)]),
      );
    }
    return value;
  };
  const cleaned = structured ? (scrub(structured) as Record<string, unknown>) : undefined;
  // The text repeats the record as JSON; render it again from the scrubbed structure.
  const cleanText = cleaned
    ? JSON.stringify(cleaned, null, 2)
    : text.replace(/"(resumeTokenHash|connectionId)"\s*:\s*"[^"]*",?/g, '');
  return { text: cleanText, ...(cleaned && { structured: cleaned }) };
}

/** MCP's default for a tool without annotations is "may be destructive". */
export function needsApproval(annotations?: {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
}): boolean {
  if (annotations?.readOnlyHint === true) return false;
  return annotations?.destructiveHint !== false;
}
