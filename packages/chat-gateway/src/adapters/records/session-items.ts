import type { RecordItem } from 'chatbot-mcp-server/core';
import type { SessionCondition, SessionRecord } from '../../ports/session-store.js';

/**
 * Sort keys in a conversation that are not messages start with `~`, which sorts after every
 * real message id (26 characters of [0-9A-Z]): claim markers here, approval and cancel markers
 * of the AWS path (`aws-turn-markers.ts`). History stops before it.
 */
export const MARKER_PREFIX = '~';

/** A claim of a client message id: `~claim#<client id>`. */
export function claimMarkerId(clientMessageId: string): string {
  return `${MARKER_PREFIX}claim#${clientMessageId}`;
}

export function isMarker(messageId: unknown): boolean {
  return typeof messageId === 'string' && messageId.startsWith(MARKER_PREFIX);
}

/** Fields the record store manages, never part of a chat record. */
const STORE_FIELDS = new Set(['version']);

/**
 * A stored item as a chat record: store-managed fields dropped, and attributes cleared to
 * `null` (DynamoDB cannot SET a missing value) read as absent.
 */
export function fromItem<T>(item: RecordItem): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value !== null && value !== undefined && !STORE_FIELDS.has(name)) out[name] = value;
  }
  return out as T;
}

/** A record as an item to create: undefined fields left out, `version: 1` as the port asks. */
export function toNewItem(record: object): RecordItem {
  const out: RecordItem = {};
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) out[name] = value;
  }
  out.version = 1;
  return out;
}

/** Changes for an update: a field set to `undefined` is cleared (stored as null). */
export function toChanges(changes: Partial<SessionRecord>): RecordItem {
  const out: RecordItem = {};
  for (const [name, value] of Object.entries(changes)) {
    if (name === 'sessionId' || STORE_FIELDS.has(name)) continue;
    out[name] = value === undefined ? null : value;
  }
  return out;
}

export function matchesCondition(session: SessionRecord, condition: SessionCondition): boolean {
  return Object.entries(condition).every(
    ([name, expected]) =>
      expected === undefined || session[name as keyof SessionRecord] === expected,
  );
}
