import { createLogger } from 'chatbot-mcp-server/core';
import { RecordSessionStore } from '../src/adapters/records/record-session-store.js';
import { chatTableSpecs } from '../src/app/chat-tables.js';
import { openChatStore } from '../src/app/open-chat-store.js';
import type { SessionRecord } from '../src/ports/session-store.js';

export interface StoredSession {
  session?: SessionRecord;
  /** Client ids of the stored user messages. */
  userIds: Set<string>;
  assistant: number;
}

/**
 * Opens a stopped gateway's chat store (in-process MCP: the data directory's own store, as
 * `chatbot-gateway stats` does) and reads every session and the messages of `sessionIds`.
 */
export async function readChatStore(
  dataDir: string,
  sessionIds: readonly string[],
): Promise<{ all: SessionRecord[]; stored: Map<string, StoredSession> }> {
  const chat = await openChatStore({
    env: process.env,
    dataDir,
    logger: createLogger('warn'),
    shared: true,
  });
  try {
    const store = new RecordSessionStore({
      store: chat.store,
      tables: chatTableSpecs(chat.tables),
    });
    const all: SessionRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.scanSessions(cursor);
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    const byId = new Map(all.map((s) => [s.sessionId, s]));
    const stored = new Map<string, StoredSession>();
    for (const sessionId of sessionIds) {
      const entry: StoredSession = { userIds: new Set(), assistant: 0 };
      const session = byId.get(sessionId);
      if (session) entry.session = session;
      let before: string | undefined;
      for (;;) {
        const page = await store.listMessages(sessionId, { limit: 100, ...(before && { before }) });
        for (const m of page) {
          if (m.messageType === 'user') entry.userIds.add(m.clientMessageId ?? m.messageId);
          else entry.assistant += 1;
        }
        if (page.length < 100) break;
        before = page.at(-1)!.messageId;
      }
      stored.set(sessionId, entry);
    }
    return { all, stored };
  } finally {
    await chat.close();
  }
}
