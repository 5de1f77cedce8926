import { randomUUID } from 'node:crypto';
import { defaultTables } from 'chatbot-mcp-server/core';
import { createDocumentClient, ensureTables } from 'chatbot-mcp-server/records';
import type { ChatTableSpecs } from '../../src/app/chat-tables.js';

/**
 * The chat's three tables (and the default example table), freshly created under a unique
 * prefix on a DynamoDB-compatible endpoint, so a test sees only its own rows.
 */
export async function freshChatTables(endpoint: string, label: string): Promise<ChatTableSpecs> {
  const prefix = `${label}-${randomUUID().slice(0, 8)}`;
  const specs = defaultTables({
    sessions: `${prefix}-sessions`,
    conversations: `${prefix}-conversations`,
    analytics: `${prefix}-analytics`,
    notes: `${prefix}-notes`,
  });
  const sdk = createDocumentClient({ region: 'local', endpoint, localCredentials: true });
  try {
    await ensureTables(sdk, specs);
  } finally {
    sdk.destroy();
  }
  const spec = (alias: string) => specs.find((t) => t.alias === alias)!;
  return {
    sessions: spec('sessions'),
    conversations: spec('conversations'),
    analytics: spec('analytics'),
  };
}
