import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { afterEach, expect, it } from 'vitest';
import { documentStack, type DocumentStack } from '../../support/document-fixtures.js';

/**
 * With the IVF-PQ vector index built, the access filter still runs before the top k is taken
 * (LanceDB prefilters a `where` on a vector query): forbidden near neighbours do not use up k.
 */
let stack: DocumentStack | undefined;
afterEach(async () => {
  await stack?.dispose();
  stack = undefined;
});

it('vector search through the IVF-PQ index returns k allowed passages when the nearest are forbidden', async () => {
  stack = await documentStack({ vectorIndexMinRows: 300, flushRows: 100 });
  const query = 'How do I rotate the signing keys of the payment gateway?';
  const forbidden = Array.from({ length: 320 }, (_, i) => ({
    source: `secret-${String(i).padStart(3, '0')}.txt`,
    content: `${query} Secret runbook ${i}.`,
    contentType: 'text/plain',
    access: { groups: ['security'] },
  }));
  const allowed = Array.from({ length: 6 }, (_, i) => ({
    source: `open-${i}.txt`,
    content: `Open note ${i}: the payment gateway has keys; ask the team ${i * 31}.`,
    contentType: 'text/plain',
  }));
  await stack.service.ingestMany([...forbidden, ...allowed]);
  await stack.store.close();
  const db = await connect(join(stack.dataDir, 'documents'));
  const table = await db.openTable('chunks');
  const indexed = (await table.listIndices()).flatMap((index) => index.columns);
  table.close();
  db.close();
  expect(indexed).toContain('vector');

  // Reopened: every row is in LanceDB, so vector search is the indexed query with its filter.
  stack = await documentStack({ dataDir: stack.dataDir, vectorIndexMinRows: 300 });
  const anonymous = await stack.service.search(
    { query, mode: 'vector', limit: 5 },
    { kind: 'anonymous' },
  );
  expect(anonymous).toHaveLength(5);
  expect(anonymous.every((hit) => hit.source.startsWith('open-'))).toBe(true);

  const member = await stack.service.search(
    { query, mode: 'vector', limit: 5 },
    {
      kind: 'user',
      identity: { issuer: 'https://id.example.com', subject: 'sam', groups: ['security'] },
    },
  );
  expect(member.every((hit) => hit.source.startsWith('secret-'))).toBe(true);
});
