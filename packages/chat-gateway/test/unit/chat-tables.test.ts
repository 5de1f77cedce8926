import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableRegistry } from 'chatbot-mcp-server/core';
import { afterAll, describe, expect, it } from 'vitest';
import { chatTableSpecs, loadChatConfig } from '../../src/app/chat-tables.js';

const EXAMPLE = new URL('../../../../examples/tables.example.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gw-chat-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tablesFile(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

describe('the chat tables with a tables file (--config)', () => {
  it('examples/tables.example.yaml: its tables, plus the analytics table it leaves out', () => {
    const config = loadChatConfig({}, { dataDir: dir, configFile: EXAMPLE });
    expect(config.tables.map((t) => t.alias).sort()).toEqual([
      'analytics',
      'conversations',
      'metrics',
      'notes',
      'sessions',
      'todos',
    ]);
    const specs = chatTableSpecs(new TableRegistry(config.tables));
    expect(specs.analytics).toMatchObject({
      name: 'chatbot-analytics',
      partitionKey: { name: 'date', type: 'S' },
      sortKey: { name: 'eventId', type: 'S' },
    });
  });

  it('adds every chat table a business-only file leaves out, named from SESSIONS_TABLE, ...', () => {
    const file = tablesFile(
      'notes.yaml',
      'tables:\n  notes: { name: team-notes, partitionKey: id }\n',
    );
    const config = loadChatConfig(
      { SESSIONS_TABLE: 'my-sessions' },
      { dataDir: dir, configFile: file },
    );
    const specs = chatTableSpecs(new TableRegistry(config.tables));
    expect(specs.sessions.name).toBe('my-sessions');
    expect(specs.conversations.name).toBe('chatbot-conversations');
    expect(config.tables.map((t) => t.alias)).toContain('notes');
  });

  it('keeps a chat table the file renames', () => {
    const file = tablesFile(
      'renamed.yaml',
      'tables:\n  sessions: { name: team-chat-sessions, partitionKey: sessionId }\n',
    );
    const config = loadChatConfig({}, { dataDir: dir, configFile: file });
    expect(chatTableSpecs(new TableRegistry(config.tables)).sessions.name).toBe(
      'team-chat-sessions',
    );
  });

  it('refuses a chat table defined with other keys, naming the keys it needs and the fix', () => {
    const file = tablesFile(
      'wrong.yaml',
      'tables:\n  conversations: { name: chats, partitionKey: id }\n',
    );
    const config = loadChatConfig({}, { dataDir: dir, configFile: file });
    expect(() => chatTableSpecs(new TableRegistry(config.tables))).toThrow(
      "--config / CHATBOT_CONFIG: the chat's table conversations must be keyed by sessionId (string) + messageId (string), not id (string). Fix tables.conversations in the tables file, or remove it: the gateway then adds it with those keys (see examples/tables.example.yaml)",
    );
  });

  it('without a tables file: the defaults, unchanged', () => {
    const config = loadChatConfig({}, { dataDir: dir });
    expect(config.tables.map((t) => t.alias)).toEqual([
      'sessions',
      'conversations',
      'analytics',
      'notes',
    ]);
  });
});
