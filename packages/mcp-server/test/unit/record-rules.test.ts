import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import type { TableSpec } from '../../src/ports/record-store.js';
import { MAX_ITEM_BYTES } from '../../src/records/item-size.js';
import {
  checkData,
  checkItemSize,
  checkKeyValue,
  keyNames,
  notFound,
  resolveKey,
} from '../../src/records/record-rules.js';

const sessions: TableSpec = {
  alias: 'sessions',
  name: 'physical-sessions',
  partitionKey: { name: 'sessionId', type: 'S' },
  access: 'read-write',
  ttlAttribute: 'ttl',
};
const events: TableSpec = {
  alias: 'events',
  name: 'physical-events',
  partitionKey: { name: 'day', type: 'S' },
  sortKey: { name: 'seq', type: 'N' },
  access: 'read-write',
  ttlAttribute: 'ttl',
};
const counters: TableSpec = {
  ...sessions,
  alias: 'counters',
  partitionKey: { name: 'n', type: 'N' },
};

/** `levels` maps nested inside one another. */
const nest = (levels: number): Record<string, unknown> =>
  levels === 1 ? {} : { d: nest(levels - 1) };

describe('resolveKey', () => {
  it('takes record_id on a table keyed by one string attribute', () => {
    expect(resolveKey(sessions, { record_id: 'abc' })).toEqual({ sessionId: 'abc' });
  });

  it('takes a full key', () => {
    expect(resolveKey(events, { key: { day: 'mon', seq: 3 } })).toEqual({ day: 'mon', seq: 3 });
    expect(resolveKey(sessions, { key: { sessionId: 'abc' } })).toEqual({ sessionId: 'abc' });
  });

  it('refuses record_id where the key is composite or numeric, naming the key', () => {
    expect(() => resolveKey(events, { record_id: 'mon' })).toThrow(
      /record_id: table "events" is keyed by day, seq; pass key: \{"day": …, "seq": …\}/,
    );
    expect(() => resolveKey(counters, { record_id: '1' })).toThrow(/keyed by n/);
  });

  it('refuses both or neither of key and record_id', () => {
    expect(() => resolveKey(sessions, { key: { sessionId: 'a' }, record_id: 'a' })).toThrow(
      /give one of them, not both/,
    );
    expect(() => resolveKey(events, {})).toThrow(
      /key: required; table "events" is keyed by day, seq/,
    );
  });

  it('refuses extra, missing and mistyped key attributes', () => {
    expect(() => resolveKey(events, { key: { day: 'mon', seq: 1, extra: 1 } })).toThrow(
      /key\.extra: not a key attribute of table "events"; its key is day, seq/,
    );
    expect(() => resolveKey(events, { key: { day: 'mon' } })).toThrow(/key\.seq: required/);
    expect(() => resolveKey(events, { key: { day: 'mon', seq: '1' } })).toThrow(
      /key\.seq: must be a number/,
    );
    expect(() => resolveKey(events, { key: { day: 7, seq: 1 } })).toThrow(
      /key\.day: must be a non-empty string/,
    );
    expect(() => resolveKey(events, { key: { day: '', seq: 1 } })).toThrow(
      /key\.day: must be a non-empty string/,
    );
    expect(() => resolveKey(events, { key: { day: 'mon', seq: Infinity } })).toThrow(
      ValidationError,
    );
    expect(() => resolveKey(sessions, { record_id: '' })).toThrow(
      /record_id: must be a non-empty string/,
    );
  });

  it('refuses string keys over 1024 UTF-8 bytes', () => {
    expect(resolveKey(sessions, { record_id: 'é'.repeat(512) })).toEqual({
      sessionId: 'é'.repeat(512),
    });
    expect(() => resolveKey(sessions, { record_id: 'é'.repeat(513) })).toThrow(
      /at most 1024 bytes/,
    );
  });
});

describe('checkKeyValue', () => {
  it('refuses numbers DynamoDB cannot hold exactly', () => {
    expect(checkKeyValue(events.sortKey!, Number.MAX_SAFE_INTEGER, 'key.seq')).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(() => checkKeyValue(events.sortKey!, 2 ** 53, 'key.seq')).toThrow(
      /key\.seq: integer .* would lose precision/,
    );
    expect(() => checkKeyValue(events.sortKey!, 1e-131, 'key.seq')).toThrow(
      /key\.seq: .* closer to zero/,
    );
  });
});

describe('checkData', () => {
  it('accepts JSON data', () => {
    expect(() =>
      checkData({ a: 1, b: 'x', c: [true, null, { d: 1.5 }], ttl: 1, 'odd name': {} }),
    ).not.toThrow();
  });

  it('refuses managed attributes and empty names', () => {
    for (const name of ['version', 'created_at', 'updated_at', 'created_by', 'updated_by']) {
      expect(() => checkData({ [name]: 1 })).toThrow(
        new RegExp(`data\\.${name}: is managed by the server`),
      );
    }
    expect(() => checkData({ '': 1 })).toThrow(/data: attribute names must not be empty/);
    expect(() => checkData({ version: 1 }, 'changes')).toThrow(/^changes\.version/);
  });

  it('refuses unsafe integers anywhere, naming the path', () => {
    expect(() =>
      checkData({ n: Number.MAX_SAFE_INTEGER, m: -Number.MAX_SAFE_INTEGER }),
    ).not.toThrow();
    expect(() => checkData({ n: 2 ** 53 })).toThrow(/data\.n: integer 9007199254740992 is beyond/);
    expect(() => checkData({ n: -(2 ** 53) })).toThrow(/data\.n: integer/);
    expect(() => checkData({ a: [1, { b: 2 ** 60 }] })).toThrow(
      /data\.a\.1\.b: integer .* store it as a string/,
    );
    expect(() => checkData({ n: 0.1 + 0.2 })).not.toThrow();
  });

  it("refuses non-zero numbers below DynamoDB's smallest magnitude", () => {
    expect(() => checkData({ n: 0, m: 1e-130, k: -1e-130 })).not.toThrow();
    expect(() => checkData({ n: 1e-131 })).toThrow(
      /data\.n: .* closer to zero than DynamoDB can store/,
    );
    expect(() => checkData({ a: [-5e-324] })).toThrow(/data\.a\.0/);
  });

  it('allows 32 levels of nesting counting the attribute, and refuses more', () => {
    expect(() => checkData({ deep: nest(31) })).not.toThrow();
    expect(() => checkData({ deep: nest(32) })).toThrow(
      /data\.deep(\.d){31}: nested deeper than 32 levels/,
    );
    expect(() => checkData({ deep: [[[nest(29)]]] })).toThrow(
      /data\.deep\.0\.0\.0(\.d){28}: nested deeper/,
    );
    expect(() => checkData({ deep: [[nest(29)]] })).not.toThrow();
  });
});

describe('checkItemSize', () => {
  it('allows exactly 400 KB and refuses one byte more, saying how big the record is', () => {
    expect(() => checkItemSize({ k: 'a', b: 'x'.repeat(MAX_ITEM_BYTES - 3) })).not.toThrow();
    expect(() => checkItemSize({ k: 'a', b: 'x'.repeat(MAX_ITEM_BYTES - 2) })).toThrow(
      /data: the record is 409601 bytes, over DynamoDB's item limit of 409600 bytes/,
    );
  });
});

describe('messages', () => {
  it('names the key and the alias, never the physical table', () => {
    const error = notFound(events, { day: 'mon', seq: 2 });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('{"day":"mon","seq":2}');
    expect(error.message).toContain('"events"');
    expect(error.message).not.toContain('physical');
    expect(keyNames(events)).toBe('day, seq');
  });
});
