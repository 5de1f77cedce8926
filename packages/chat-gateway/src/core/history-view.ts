import type { ModelMessage } from '../ports/chat-model.js';
import type { ConversationRecord } from '../ports/session-store.js';
import type { HistoryMessage } from '../protocol/frames.js';

export function toHistoryMessage(record: ConversationRecord): HistoryMessage {
  return {
    messageId: record.messageId,
    role: record.messageType,
    content: record.content,
    timestamp: record.timestamp,
    ...(record.replyTo !== undefined && { replyTo: record.replyTo }),
    ...(record.clientMessageId !== undefined && { clientMessageId: record.clientMessageId }),
    ...(record.queryType !== undefined && { queryType: record.queryType }),
    ...(record.sources !== undefined && { sources: record.sources }),
    ...(record.toolsUsed !== undefined && { toolsUsed: record.toolsUsed }),
    ...(record.finishReason !== undefined && { finishReason: record.finishReason }),
    ...(record.citations !== undefined && { citations: record.citations }),
    ...(record.usage !== undefined && { usage: record.usage }),
    ...(record.feedback !== undefined && {
      feedback: {
        rating: record.feedback.rating,
        ...(record.feedback.reason !== undefined && { reason: record.feedback.reason }),
      },
    }),
  };
}

/** Stored messages (newest first) as the model's conversation (oldest first, text only). */
export function toModelHistory(newestFirst: readonly ConversationRecord[]): ModelMessage[] {
  return [...newestFirst]
    .reverse()
    .filter((m) => m.content.trim() !== '')
    .map((m) => ({ role: m.messageType, content: [{ type: 'text' as const, text: m.content }] }));
}
