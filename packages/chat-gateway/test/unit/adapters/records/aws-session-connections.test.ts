/**
 * The AWS path's set of a session's connections on the embedded DynamoDB (in memory): writers
 * racing on one set all land (optimistic version, read again on conflict) and the cap holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConnections } from '../../../../src/adapters/records/aws-session-connections.js';
import { chatTableSpecs } from '../../../../src/app/chat-tables.js';
import { openChatStore, type ChatRecordStore } from '../../../../src/app/open-chat-store.js';
import { SessionFullError } from '../../../../src/errors.js';

describe('SessionConnections (embedded DynamoDB)', () => {
  let chatStore: ChatRecordStore;
  let set: SessionConnections;
  const dir = mkdtempSync(join(tmpdir(), 'session-connections-'));
  beforeAll(async () => {
    chatStore = await openChatStore({
      env: {},
      dataDir: dir,
      logger: silentLogger,
      inMemory: true,
    });
    set = new SessionConnections(chatStore.store, chatTableSpecs(chatStore.tables).conversations);
  });
  afterAll(async () => {
    await chatStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every connection of concurrent adds and removes', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => set.add('s1', id, 8)));
    expect((await set.list('s1')).sort()).toEqual(ids);
    await Promise.all(['c1', 'c3'].map((id) => set.remove('s1', id)));
    expect((await set.list('s1')).sort()).toEqual(['c0', 'c2', 'c4', 'c5']);
  });

  it('refuses one connection past the cap, also when it races the others', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => set.add('s2', `c${i}`, 3)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.reason).toBeInstanceOf(SessionFullError);
    expect(await set.list('s2')).toHaveLength(3);
    await expect(set.admit('s2', 'new', 3)).rejects.toMatchObject({ code: 'SESSION_FULL' });
    // A connection already in the set is admitted again (a tab resuming its own session).
    const [inside] = await set.list('s2');
    await expect(set.admit('s2', inside!, 3)).resolves.toBeUndefined();
  });

  it('answers an unknown session with no connections', async () => {
    expect(await set.list('nobody')).toEqual([]);
    expect(await set.remove('nobody', 'c0')).toEqual([]);
  });
});
