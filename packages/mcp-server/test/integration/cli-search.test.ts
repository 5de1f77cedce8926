import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../../src/commands/search.js';
import { loadConfig } from '../../src/config.js';
import { lazyDocuments, type LazyDocuments } from '../../src/document-runtime.js';
import { silentLogger } from '../../src/logger.js';

/** `chatbot-mcp-server search` with no result says why: an empty index, or nothing passed. */
describe('runSearch without a match', () => {
  let dataDir: string;
  let documents: LazyDocuments;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcp-cli-search-'));
    documents = lazyDocuments(loadConfig({}, { dataDir }), silentLogger);
  });
  afterAll(async () => {
    await documents.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function search(query: string, options = {}): Promise<string> {
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    await runSearch(query, options, await documents.get(), out);
    return text;
  }

  it('on an empty index, says it is empty and how to fill it', async () => {
    expect(await search('lighthouse')).toBe(
      'No passages matched "lighthouse": the document index is empty. Ingest documents first: chatbot-mcp-server ingest <files>\n',
    );
  });

  it('with documents indexed, names the mode and threshold that let nothing through', async () => {
    const service = await documents.get();
    await service.ingest({
      source: 'lighthouse.md',
      content: '# Lighthouse\n\nThe keeper logs the beacon hours.\n',
      contentType: 'text/markdown',
    });
    expect(await search('zyzzogeton', { mode: 'keyword', threshold: 0.5 })).toBe(
      'No passages matched "zyzzogeton" in the indexed documents (mode keyword, threshold 0.5); try a lower --threshold, or --mode hybrid, or other words.\n',
    );
    expect(await search('zyzzogeton', { mode: 'keyword' })).toMatch(
      /in the indexed documents \(mode keyword\); try --mode hybrid, or other words\.\n$/,
    );
    expect(await search('lighthouse beacon')).toMatch(/^\[1\] lighthouse\.md/);
  });
});
