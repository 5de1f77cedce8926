import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { defaultTables, loadTablesFile } from '../../src/tables/tables-file.js';

describe('tables configuration', () => {
  let dir: string;
  let n = 0;

  /** Writes `text` to a fresh file with extension `ext` and returns its path. */
  const file = (text: string, ext = 'yaml'): string => {
    const path = join(dir, `tables-${n++}.${ext}`);
    writeFileSync(path, text);
    return path;
  };

  /** Loads `path` expecting a ConfigError, and returns its message. */
  const failureOf = (path: string): string => {
    try {
      loadTablesFile(path);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`${path} loaded without error`);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-tables-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the default tables with composite keys for conversations and analytics, and notes', () => {
    const tables = defaultTables({ sessions: 's', conversations: 'c', analytics: 'a', notes: 'n' });
    expect(tables).toEqual([
      {
        alias: 'sessions',
        name: 's',
        partitionKey: { name: 'sessionId', type: 'S' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
      {
        alias: 'conversations',
        name: 'c',
        partitionKey: { name: 'sessionId', type: 'S' },
        sortKey: { name: 'messageId', type: 'S' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
      {
        alias: 'analytics',
        name: 'a',
        partitionKey: { name: 'date', type: 'S' },
        sortKey: { name: 'eventId', type: 'S' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
      {
        alias: 'notes',
        name: 'n',
        partitionKey: { name: 'id', type: 'S' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
    ]);
  });

  it('reads a YAML file, filling defaults', () => {
    const path = file(
      [
        'tables:',
        '  notes: { name: team-notes, partitionKey: id }',
        '  events:',
        '    name: team.events_v2',
        '    partitionKey: day',
        '    sortKey: { name: seq, type: N }',
        '    access: read-only',
        '    ttlAttribute: expiresAt',
      ].join('\n'),
    );
    expect(loadTablesFile(path)).toEqual([
      {
        alias: 'notes',
        name: 'team-notes',
        partitionKey: { name: 'id', type: 'S' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
      {
        alias: 'events',
        name: 'team.events_v2',
        partitionKey: { name: 'day', type: 'S' },
        sortKey: { name: 'seq', type: 'N' },
        access: 'read-only',
        ttlAttribute: 'expiresAt',
      },
    ]);
  });

  it('reads scope: owner (each user their own rows) and scope: shared (the default)', () => {
    const path = file(
      [
        'tables:',
        '  todos: { name: team-todos, partitionKey: id, scope: owner }',
        '  notes: { name: team-notes, partitionKey: id, scope: shared }',
      ].join('\n'),
    );
    const [todos, notes] = loadTablesFile(path);
    expect(todos?.scope).toBe('owner');
    expect(notes && 'scope' in notes).toBe(false);
    expect(
      failureOf(file('tables:\n  t: { name: team-t, partitionKey: id, scope: mine }')),
    ).toMatch(/scope/);
  });

  it('reads a JSON file', () => {
    const path = file(
      JSON.stringify({
        tables: {
          counters: {
            name: 'counters',
            partitionKey: { name: 'n', type: 'N' },
            access: 'read-write',
          },
        },
      }),
      'json',
    );
    expect(loadTablesFile(path)).toEqual([
      {
        alias: 'counters',
        name: 'counters',
        partitionKey: { name: 'n', type: 'N' },
        access: 'read-write',
        ttlAttribute: 'ttl',
      },
    ]);
  });

  it.each([
    [
      'a table without a partition key',
      'tables:\n  notes: { name: team-notes }',
      /tables\.notes\.partitionKey: is required/,
    ],
    [
      'a table without a name',
      'tables:\n  notes: { partitionKey: id }',
      /tables\.notes\.name: is required/,
    ],
    [
      'a bad access value',
      'tables:\n  notes: { name: team-notes, partitionKey: id, access: write }',
      /tables\.notes\.access/,
    ],
    [
      'a physical name that is too short',
      'tables:\n  notes: { name: ab, partitionKey: id }',
      /tables\.notes\.name/,
    ],
    [
      'a physical name with a slash',
      'tables:\n  notes: { name: "a/b/c", partitionKey: id }',
      /tables\.notes\.name/,
    ],
    [
      'an unknown table field',
      'tables:\n  notes: { name: team-notes, partitionKey: id, billing: x }',
      /tables\.notes\.billing: is not an accepted field/,
    ],
    [
      'a bad key type',
      'tables:\n  notes: { name: team-notes, partitionKey: { name: id, type: B } }',
      /tables\.notes\.partitionKey\.type: must be equal to one of the allowed values/,
    ],
    [
      'an alias that is not lower-case',
      'tables:\n  Notes: { name: team-notes, partitionKey: id }',
      /tables\.Notes: the name must match pattern/,
    ],
    ['no tables', 'tables: {}', /tables: must NOT have fewer than 1 properties/],
    [
      'a sort key named like the partition key',
      'tables:\n  notes: { name: team-notes, partitionKey: id, sortKey: { name: id, type: N } }',
      /tables\.notes\.sortKey: must not have the same name as the partitionKey/,
    ],
    [
      'a missing tables field',
      'notes: { name: team-notes, partitionKey: id }',
      /tables: is required/,
    ],
  ])('refuses %s, naming the field', (_, text, field) => {
    const path = file(text);
    const message = failureOf(path);
    expect(message).toMatch(/^--config \/ CHATBOT_CONFIG: /);
    expect(message).toContain(path);
    expect(message).toMatch(field);
  });

  it('refuses a file it cannot read or parse, naming the file', () => {
    const missing = join(dir, 'missing.yaml');
    expect(failureOf(missing)).toMatch(
      new RegExp(`cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(failureOf(file('{ "tables": ', 'json'))).toMatch(/cannot read .*\.json/);
    expect(failureOf(file('tables:\n  notes: [unclosed'))).toMatch(/cannot read .*\.yaml/);
  });
});
