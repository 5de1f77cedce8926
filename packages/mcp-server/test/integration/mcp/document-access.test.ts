import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../../src/identity/caller.js';
import { startInProcess, type InProcessServer } from '../../support/in-process.js';
import { callError, callOk, textOf, callTool } from '../../support/tool-results.js';

/**
 * Documents by person and group through the MCP surface (tools, resources, completions,
 * prompts), in process. How a transport learns the caller belongs to resolveCaller (another
 * change); here it answers with the caller the test sets, so every handler's use of it is tested.
 */
const state = vi.hoisted((): { caller: Caller } => ({ caller: { kind: 'trusted' } }));
vi.mock('../../../src/identity/resolve-caller.js', () => ({
  resolveCaller: () => state.caller,
}));

const ISSUER = 'https://id.example.com';
const TRUSTED: Caller = { kind: 'trusted' };
const ANONYMOUS: Caller = { kind: 'anonymous' };
const user = (subject: string, groups: string[] = []): Caller => ({
  kind: 'user',
  identity: { issuer: ISSUER, subject, groups },
});
const ALICE = user('alice', ['finance']);
const BOB = user('bob', ['eng']);

const text = (owner: string) =>
  `# ${owner} plan\n\nThe quarterly budget plan of ${owner}: the ${owner} codeword is zebra-${owner}.`;
const DOCS: { source: string; access?: Record<string, string[]> }[] = [
  { source: 'team/public.md' },
  { source: 'team/finance.md', access: { groups: ['finance'] } },
  { source: 'team/alice.md', access: { users: ['alice'] } },
  { source: 'team/nobody.md', access: {} },
];

let server: InProcessServer;
const as = (caller: Caller) => {
  state.caller = caller;
};

beforeAll(async () => {
  server = await startInProcess();
  as(TRUSTED);
  for (const doc of DOCS) {
    const owner = doc.source.slice('team/'.length, -'.md'.length);
    await callOk(server.client, 'ingest_document', {
      source: doc.source,
      content: text(owner),
      ...(doc.access && { access: doc.access }),
    });
  }
});
afterAll(() => server.close());
beforeEach(() => as(TRUSTED));

async function searchedSources(query: string): Promise<string[]> {
  const { results } = (await callOk(server.client, 'search_documents', {
    query,
    limit: 10,
  })) as { results: { source: string }[] };
  return [...new Set(results.map((r) => r.source))].sort();
}
async function listedSources(): Promise<string[]> {
  const { documents } = (await callOk(server.client, 'list_documents', { limit: 100 })) as {
    documents: { source: string }[];
  };
  return documents.map((d) => d.source).sort();
}
async function resourceSources(): Promise<string[]> {
  const { resources } = await server.client.listResources();
  return resources
    .filter((r) => r.uri.startsWith('doc://'))
    .map((r) => r.name)
    .sort();
}
async function completedSources(prefix: string): Promise<string[]> {
  const { completion } = await server.client.complete({
    ref: { type: 'ref/prompt', name: 'summarize_document' },
    argument: { name: 'source', value: prefix },
  });
  return [...completion.values].sort();
}
const errorOf = async (
  run: () => Promise<unknown>,
): Promise<{ code?: number; message: string }> => {
  try {
    await run();
  } catch (error) {
    const { code, message } = error as { code?: number; message: string };
    return { code, message };
  }
  throw new Error('expected a refusal');
};
const uri = (source: string) => `doc://${encodeURIComponent(source)}`;

const VIEWS: [string, Caller, string[]][] = [
  ['anonymous', ANONYMOUS, ['team/public.md']],
  ['alice (finance)', ALICE, ['team/alice.md', 'team/finance.md', 'team/public.md']],
  ['bob (eng)', BOB, ['team/public.md']],
  ['the operator', TRUSTED, DOCS.map((d) => d.source).sort()],
];

describe('documents by person and group', () => {
  it.each(VIEWS)(
    '%s searches, lists, and completes only their documents',
    async (_w, caller, want) => {
      as(caller);
      expect(await searchedSources('quarterly budget plan codeword zebra')).toEqual(want);
      expect(await listedSources()).toEqual(want);
      expect(await resourceSources()).toEqual(want);
      expect(await completedSources('team/')).toEqual(want);
    },
  );

  it('the cited_answer prompt quotes only passages the caller may read', async () => {
    as(BOB);
    const { messages } = await server.client.getPrompt({
      name: 'cited_answer',
      arguments: { question: 'what is the codeword of the budget plan' },
    });
    const prompt = JSON.stringify(messages);
    expect(prompt).toContain('zebra-public');
    for (const secret of ['zebra-alice', 'zebra-finance', 'zebra-nobody'])
      expect(prompt).not.toContain(secret);
  });

  it('a document the caller may not read is answered exactly like a missing one', async () => {
    as(BOB);
    const same = (forbidden: { code?: number; message: string }, missing: typeof forbidden) =>
      expect({ ...forbidden, message: forbidden.message.replace('team/alice.md', 'X') }).toEqual({
        ...missing,
        message: missing.message.replace('team/ghost.md', 'X'),
      });

    same(
      await errorOf(() => server.client.readResource({ uri: uri('team/alice.md') })),
      await errorOf(() => server.client.readResource({ uri: uri('team/ghost.md') })),
    );
    same(
      await errorOf(() =>
        server.client.getPrompt({
          name: 'summarize_document',
          arguments: { source: 'team/alice.md' },
        }),
      ),
      await errorOf(() =>
        server.client.getPrompt({
          name: 'summarize_document',
          arguments: { source: 'team/ghost.md' },
        }),
      ),
    );
    const deleteForbidden = await callError(server.client, 'delete_document', {
      source: 'team/alice.md',
    });
    const deleteMissing = await callError(server.client, 'delete_document', {
      source: 'team/ghost.md',
    });
    expect(deleteForbidden.replace('team/alice.md', 'X')).toBe(
      deleteMissing.replace('team/ghost.md', 'X'),
    );

    as(TRUSTED);
    expect(await listedSources()).toContain('team/alice.md');
    as(ALICE);
    const read = await server.client.readResource({ uri: uri('team/alice.md') });
    expect(JSON.stringify(read.contents)).toContain('zebra-alice');
  });

  it('a content-unchanged re-ingest with new access changes who may read it', async () => {
    const again = await callOk(server.client, 'ingest_document', {
      source: 'team/alice.md',
      content: text('alice'),
      access: { users: ['alice'], groups: ['eng'] },
    });
    expect(again.skipped).toBe(false);
    as(BOB);
    expect(await searchedSources('zebra-alice codeword')).toContain('team/alice.md');
    as(TRUSTED);
    const same = await callOk(server.client, 'ingest_document', {
      source: 'team/alice.md',
      content: text('alice'),
      access: { groups: ['eng'], users: ['alice'] },
    });
    expect(same.skipped).toBe(true);
    await callOk(server.client, 'ingest_document', {
      source: 'team/alice.md',
      content: text('alice'),
      access: { users: ['alice'] },
    });
    as(BOB);
    expect(await searchedSources('zebra-alice codeword')).not.toContain('team/alice.md');
  });

  it('a signed-in user cannot replace a document they may not read', async () => {
    as(BOB);
    const refused = await callError(server.client, 'ingest_document', {
      source: 'team/finance.md',
      content: 'Overwritten by bob.',
    });
    expect(refused).toMatch(/^CONFLICT/);
    as(ALICE);
    expect(await searchedSources('zebra-finance')).toContain('team/finance.md');
  });

  it('refuses a malformed access list before writing, saying what to send', async () => {
    const result = await callTool(server.client, 'ingest_document', {
      source: 'team/bad.md',
      content: 'x',
      access: { users: 'alice' },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/access/);
    expect(await listedSources()).not.toContain('team/bad.md');
  });
});
