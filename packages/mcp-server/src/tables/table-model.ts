/**
 * The data model of the chat's own tables, defined once: the MCP server's default tables, the
 * chat gateway's session store and the CDK app all take their key schemas from here. Pure data,
 * so that importing it loads nothing else.
 */

/** A key attribute of a table: its name and DynamoDB scalar type (string or number). */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableKeySchema {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Numeric epoch-seconds attribute after which a record counts as absent (DynamoDB TTL). */
  ttlAttribute: string;
}

/** The chat's tables by alias, as the design draws them. */
export const CHAT_TABLES = {
  /** One item per chat session. */
  sessions: {
    partitionKey: { name: 'sessionId', type: 'S' },
    ttlAttribute: 'ttl',
  },
  /** Every user and assistant message; `messageId` sorts by time. */
  conversations: {
    partitionKey: { name: 'sessionId', type: 'S' },
    sortKey: { name: 'messageId', type: 'S' },
    ttlAttribute: 'ttl',
  },
  /** Events by day (`YYYY-MM-DD`); `eventId` sorts by time. */
  analytics: {
    partitionKey: { name: 'date', type: 'S' },
    sortKey: { name: 'eventId', type: 'S' },
    ttlAttribute: 'ttl',
  },
} as const satisfies Record<string, TableKeySchema>;

export type ChatTableAlias = keyof typeof CHAT_TABLES;

/** The chat's own table aliases: never written through chat tool calls. */
export const CHAT_TABLE_ALIASES = Object.keys(CHAT_TABLES) as ChatTableAlias[];

/** The example business table of the local default configuration. */
export const EXAMPLE_TABLES = {
  notes: { partitionKey: { name: 'id', type: 'S' }, ttlAttribute: 'ttl' },
} as const satisfies Record<string, TableKeySchema>;

/** Physical table names when nothing is configured (`SESSIONS_TABLE`, ... override them). */
export const DEFAULT_TABLE_NAMES = {
  sessions: 'chatbot-sessions',
  conversations: 'chatbot-conversations',
  analytics: 'chatbot-analytics',
  notes: 'chatbot-notes',
} as const;
