import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataDir, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** Runs `loadConfig(env)` expecting a ConfigError, and returns its message. */
function configErrorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not fail`);
}

describe('loadConfig', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to the embedded store with the default tables', () => {
    const config = loadConfig({});
    expect(config.recordStore).toEqual({ kind: 'embedded' });
    expect(config.createTables).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toBe(resolve(defaultDataDir({})));
    expect(config.tables.map((t) => [t.alias, t.name, t.access])).toEqual([
      ['sessions', 'chatbot-sessions', 'read-write'],
      ['conversations', 'chatbot-conversations', 'read-write'],
      ['analytics', 'chatbot-analytics', 'read-write'],
      ['notes', 'chatbot-notes', 'read-write'],
    ]);
  });

  it('never reads process.env when given an env', () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'nonsense';
    try {
      expect(loadConfig({}).logLevel).toBe('info');
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });

  it('takes physical table names from the environment', () => {
    const config = loadConfig({
      SESSIONS_TABLE: 's-prod',
      CONVERSATIONS_TABLE: 'c-prod',
      ANALYTICS_TABLE: 'a-prod',
      NOTES_TABLE: 'n-prod',
    });
    expect(config.tables.map((t) => t.name)).toEqual(['s-prod', 'c-prod', 'a-prod', 'n-prod']);
    expect(config.tables.map((t) => t.alias)).toEqual([
      'sessions',
      'conversations',
      'analytics',
      'notes',
    ]);
  });

  it('requires AWS_REGION for RECORD_STORE=dynamodb', () => {
    expect(configErrorOf({ RECORD_STORE: 'dynamodb' })).toMatch(
      /^AWS_REGION: required when RECORD_STORE=dynamodb/,
    );
    expect(loadConfig({ RECORD_STORE: 'dynamodb', AWS_REGION: 'eu-west-1' }).recordStore).toEqual({
      kind: 'dynamodb',
      region: 'eu-west-1',
    });
    expect(
      loadConfig({ RECORD_STORE: 'dynamodb', AWS_DEFAULT_REGION: 'us-east-2' }).recordStore,
    ).toMatchObject({
      region: 'us-east-2',
    });
  });

  it('creates tables by default only for the embedded store', () => {
    expect(loadConfig({ RECORD_STORE: 'dynamodb', AWS_REGION: 'eu-west-1' }).createTables).toBe(
      false,
    );
    expect(loadConfig({ RECORD_STORE: 'embedded' }).createTables).toBe(true);
  });

  it('takes a DynamoDB endpoint and refuses one that is not a URL', () => {
    const env = { RECORD_STORE: 'dynamodb', AWS_REGION: 'local' };
    expect(loadConfig({ ...env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).recordStore).toEqual({
      kind: 'dynamodb',
      region: 'local',
      endpoint: 'http://127.0.0.1:8000',
    });
    expect(configErrorOf({ ...env, DYNAMODB_ENDPOINT: 'localhost 8000' })).toMatch(
      /^DYNAMODB_ENDPOINT: must be a URL/,
    );
  });

  it('refuses an unknown RECORD_STORE', () => {
    expect(configErrorOf({ RECORD_STORE: 'postgres' })).toMatch(
      /^RECORD_STORE: must be embedded or dynamodb, not "postgres"/,
    );
  });

  it('parses LOG_LEVEL and refuses others, naming the variable', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const)
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    expect(configErrorOf({ LOG_LEVEL: 'verbose' })).toMatch(
      /^LOG_LEVEL: must be debug, info, warn or error, not "verbose"/,
    );
    expect(configErrorOf({ LOG_LEVEL: 'INFO' })).toMatch(/^LOG_LEVEL/);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
  ])('parses CHATBOT_CREATE_TABLES=%s as %s', (value, expected) => {
    expect(loadConfig({ CHATBOT_CREATE_TABLES: value }).createTables).toBe(expected);
    expect(
      loadConfig({ RECORD_STORE: 'dynamodb', AWS_REGION: 'x', CHATBOT_CREATE_TABLES: value })
        .createTables,
    ).toBe(expected);
  });

  it('treats an empty CHATBOT_CREATE_TABLES as unset and refuses other values', () => {
    expect(loadConfig({ CHATBOT_CREATE_TABLES: '' }).createTables).toBe(true);
    expect(configErrorOf({ CHATBOT_CREATE_TABLES: 'maybe' })).toMatch(
      /^CHATBOT_CREATE_TABLES: must be true or false, not "maybe"/,
    );
    expect(configErrorOf({ CHATBOT_CREATE_TABLES: 'truee' })).toMatch(/^CHATBOT_CREATE_TABLES/);
  });

  it('takes the data folder from the override, then CHATBOT_DATA_DIR, resolved to an absolute path', () => {
    expect(loadConfig({ CHATBOT_DATA_DIR: '/srv/chatbot' }).dataDir).toBe(resolve('/srv/chatbot'));
    expect(
      loadConfig({ CHATBOT_DATA_DIR: '/srv/chatbot' }, { dataDir: 'relative/dir' }).dataDir,
    ).toBe(resolve('relative/dir'));
  });

  it('loads a tables file from CHATBOT_CONFIG, or from the override first', () => {
    const fromEnv = join(dir, 'env.yaml');
    const fromFlag = join(dir, 'flag.json');
    writeFileSync(fromEnv, 'tables:\n  notes: { name: team-notes, partitionKey: id }\n');
    writeFileSync(
      fromFlag,
      JSON.stringify({ tables: { todo: { name: 'team-todo', partitionKey: 'id' } } }),
    );
    expect(
      loadConfig({ CHATBOT_CONFIG: fromEnv, SESSIONS_TABLE: 'ignored' }).tables.map((t) => t.alias),
    ).toEqual(['notes']);
    expect(
      loadConfig({ CHATBOT_CONFIG: fromEnv }, { configFile: fromFlag }).tables.map((t) => t.alias),
    ).toEqual(['todo']);
  });
});

describe('defaultDataDir', () => {
  it('follows XDG on Linux', () => {
    expect(defaultDataDir({}, 'linux')).toBe(join(homedir(), '.local', 'share', 'chatbot-mcp'));
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/me' }, 'linux')).toBe(
      join('/data/me', 'chatbot-mcp'),
    );
  });

  it('ignores an empty or relative XDG_DATA_HOME, as the XDG spec says', () => {
    const fallback = join(homedir(), '.local', 'share', 'chatbot-mcp');
    expect(defaultDataDir({ XDG_DATA_HOME: '' }, 'linux')).toBe(fallback);
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative/data' }, 'freebsd')).toBe(fallback);
  });

  it('uses Application Support on macOS, whatever XDG says', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/me' }, 'darwin')).toBe(
      join(homedir(), 'Library', 'Application Support', 'chatbot-mcp'),
    );
  });

  it('uses LOCALAPPDATA on Windows', () => {
    expect(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32')).toBe(
      join('C:\\Users\\me\\AppData\\Local', 'chatbot-mcp'),
    );
    expect(defaultDataDir({}, 'win32')).toBe(join(homedir(), 'AppData', 'Local', 'chatbot-mcp'));
    expect(defaultDataDir({ LOCALAPPDATA: '' }, 'win32')).toBe(
      join(homedir(), 'AppData', 'Local', 'chatbot-mcp'),
    );
  });
});

describe('loadConfig: which tools are served', () => {
  it('serves every tool, writing ones included, by default', () => {
    const config = loadConfig({});
    expect(config.readOnly).toBe(false);
    expect(config.enabledTools).toBeUndefined();
  });

  it('reads MCP_READ_ONLY and the --read-only override, and names the variable when it is wrong', () => {
    expect(loadConfig({ MCP_READ_ONLY: 'true' }).readOnly).toBe(true);
    expect(loadConfig({ MCP_READ_ONLY: 'false' }, { readOnly: true }).readOnly).toBe(true);
    expect(configErrorOf({ MCP_READ_ONLY: 'sometimes' })).toMatch(
      /^MCP_READ_ONLY: must be true or false/,
    );
  });

  it('reads MCP_ENABLED_TOOLS as a comma-separated list, and refuses an empty one', () => {
    expect(
      loadConfig({ MCP_ENABLED_TOOLS: ' search_documents, read_record,search_documents ' })
        .enabledTools,
    ).toEqual(['search_documents', 'read_record']);
    expect(configErrorOf({ MCP_ENABLED_TOOLS: ' , ' })).toMatch(
      /^MCP_ENABLED_TOOLS: .*names no tool/,
    );
  });
});
