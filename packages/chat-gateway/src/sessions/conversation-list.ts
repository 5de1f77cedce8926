import { InvalidFrameError } from '../errors.js';
import type { ConversationQuery, ConversationSummary, Page } from '../ports/session-store.js';
import { cutText } from 'chatbot-mcp-server/core';

/** A title longer than this is cut (with "…"); the page shows one line. */
export const MAX_TITLE_CHARS = 60;
/**
 * Characters of a conversation's questions kept for search. Past this, later questions are not
 * searchable (the title and the first questions are): it keeps one list entry small.
 */
export const MAX_SEARCH_CHARS = 20_000;

/** One conversation in its owner's list, with what search needs. */
export interface ConversationEntry extends ConversationSummary {
  /** The owner's questions, lower case, as far as `MAX_SEARCH_CHARS`. */
  searchText: string;
}

/** A title from a question or a rename: whitespace collapsed, trimmed, cut to one line. */
export function toTitle(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= MAX_TITLE_CHARS) return one;
  return `${cutText(one, MAX_TITLE_CHARS - 1).trimEnd()}…`;
}

/** The search text with one more question appended (lower case, capped). */
export function withQuestion(searchText: string, question: string): string {
  if (searchText.length >= MAX_SEARCH_CHARS) return searchText;
  const next =
    searchText === '' ? question.toLowerCase() : `${searchText}\n${question.toLowerCase()}`;
  return cutText(next, MAX_SEARCH_CHARS);
}

/**
 * One page of an owner's conversations: filtered by the query, newest activity first (ties by
 * session id), after the cursor. The cursor names the last item shown, so a conversation that
 * moves to the top meanwhile is not shown twice on later pages.
 */
export function pageOf(
  entries: readonly ConversationEntry[],
  query: ConversationQuery,
): Page<ConversationSummary> {
  const needle = query.query?.trim().toLowerCase();
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const sorted = entries
    .filter(
      (e) => !needle || e.searchText.includes(needle) || e.title.toLowerCase().includes(needle),
    )
    .sort(newestFirst)
    .filter((e) => !after || newestFirst(e, { updatedAt: after[0], sessionId: after[1] }) > 0);
  const items = sorted.slice(0, query.limit).map(toSummary);
  const last = items.at(-1);
  return sorted.length > query.limit && last ? { items, cursor: encodeCursor(last) } : { items };
}

function newestFirst(
  a: Pick<ConversationSummary, 'updatedAt' | 'sessionId'>,
  b: Pick<ConversationSummary, 'updatedAt' | 'sessionId'>,
): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  if (a.sessionId === b.sessionId) return 0;
  return a.sessionId < b.sessionId ? 1 : -1;
}

function toSummary(e: ConversationEntry): ConversationSummary {
  return { sessionId: e.sessionId, title: e.title, updatedAt: e.updatedAt, messages: e.messages };
}

function encodeCursor(item: ConversationSummary): string {
  return Buffer.from(JSON.stringify([item.updatedAt, item.sessionId])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    )
      return [value[0], value[1]];
  } catch {
    // answered below
  }
  throw new InvalidFrameError(
    'conversations: cursor is not one this server gave; leave it out to start from the newest',
  );
}
