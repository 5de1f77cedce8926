import type { TableRegistry, TableSpec } from 'chatbot-mcp-server/core';
import { GatewayConfigError } from '../errors.js';

export interface ChatTableSpecs {
  sessions: TableSpec;
  conversations: TableSpec;
  analytics: TableSpec;
}

/** The chat's tables from the configured tables; a tables file without them is refused at start. */
export function chatTableSpecs(tables: TableRegistry): ChatTableSpecs {
  const missing = ['sessions', 'conversations', 'analytics'].filter(
    (a) => !tables.aliases().includes(a),
  );
  if (missing.length > 0) {
    throw new GatewayConfigError(
      `--config / CHATBOT_CONFIG: the chat needs the tables ${missing.join(', ')}; add them to the tables file (see examples/tables.example.yaml) or leave --config out for the defaults`,
    );
  }
  return {
    sessions: tables.resolve('sessions'),
    conversations: tables.resolve('conversations'),
    analytics: tables.resolve('analytics'),
  };
}
