import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/adapters/aws/list-cursor.js';
import { ValidationError } from '../../src/errors.js';
import type { TableSpec } from '../../src/ports/record-store.js';

const messages: TableSpec = {
  alias: 'conversations',
  name: 'physical-conversations',
  partitionKey: { name: 'sessionId', type: 'S' },
  sortKey: { name: 'seq', type: 'N' },
  access: 'read-write',
  ttlAttribute: 'ttl',
};
const sessions: TableSpec = {
  alias: 'sessions',
  name: 'physical-sessions',
  partitionKey: { name: 'sessionId', type: 'S' },
  access: 'read-write',
  ttlAttribute: 'ttl',
};

const forge = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('list cursors', () => {
  it('round-trip the last key', () => {
    const key = { sessionId: 'sé😀/+=', seq: 42.5 };
    const cursor = encodeCursor(messages, key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(messages, cursor)).toEqual(key);
    expect(decodeCursor(messages, cursor, 'sé😀/+=')).toEqual(key);
    expect(decodeCursor(sessions, encodeCursor(sessions, { sessionId: 'a' }))).toEqual({
      sessionId: 'a',
    });
  });

  it('do not show the physical table name', () => {
    const decoded = Buffer.from(
      encodeCursor(messages, { sessionId: 'a', seq: 1 }),
      'base64url',
    ).toString('utf8');
    expect(decoded).not.toContain('physical');
  });

  const refused: [string, string][] = [
    ['from another table', encodeCursor(sessions, { sessionId: 'a' })],
    ['naming another table', forge({ v: 1, t: 'sessions', k: { sessionId: 'a', seq: 1 } })],
    ['of another version', forge({ v: 2, t: 'conversations', k: { sessionId: 'a', seq: 1 } })],
    [
      'with an extra key attribute',
      forge({ v: 1, t: 'conversations', k: { sessionId: 'a', seq: 1, x: 'y' } }),
    ],
    ['with a missing key attribute', forge({ v: 1, t: 'conversations', k: { sessionId: 'a' } })],
    [
      'with a renamed key attribute',
      forge({ v: 1, t: 'conversations', k: { sessionId: 'a', seqq: 1 } }),
    ],
    [
      'with a string for a number key',
      forge({ v: 1, t: 'conversations', k: { sessionId: 'a', seq: '1' } }),
    ],
    [
      'with a number for a string key',
      forge({ v: 1, t: 'conversations', k: { sessionId: 1, seq: 1 } }),
    ],
    [
      'with an attribute value map',
      forge({ v: 1, t: 'conversations', k: { sessionId: { S: 'a' }, seq: 1 } }),
    ],
    ['without a key', forge({ v: 1, t: 'conversations' })],
    ['holding an array', forge([1, 'conversations', {}])],
    ['holding null', forge(null)],
    ['of garbage', 'not a cursor'],
    ['of base64 that is not JSON', Buffer.from('{"v":1,', 'utf8').toString('base64url')],
    ['that is empty', ''],
  ];

  it.each(refused)('refuse a cursor %s', (_, cursor) => {
    expect(() => decodeCursor(messages, cursor)).toThrow(ValidationError);
    expect(() => decodeCursor(messages, cursor)).toThrow(
      /cursor: not a cursor from list_records on table "conversations"/,
    );
  });

  it('refuse a cursor from another partition when listing one partition', () => {
    const cursor = encodeCursor(messages, { sessionId: 'a', seq: 1 });
    expect(() => decodeCursor(messages, cursor, 'b')).toThrow(ValidationError);
  });
});
