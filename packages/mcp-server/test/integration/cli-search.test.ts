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

  it('shows bidi controls and terminal escapes from a document as visible <U+XXXX>', async () => {
    const service = await documents.get();
    await service.ingest({
      source: 'Invoice \u202Eexe.fdp',
      title: 'Walrus \u001b]0;pwned\u0007census',
      content: 'The walrus \u2067census\u2069 counts \u001b[31mred\u001b[0m colonies.\n',
      contentType: 'text/plain',
    });
    const out = await search('walrus census colonies');
    expect(out).toMatch(
      /^\[1\] Invoice <U\+202E>exe\.fdp — Walrus <U\+001B>\]0;pwned<U\+0007>census {2}\(score /,
    );
    expect(out).toContain(
      'The walrus <U+2067>census<U+2069> counts <U+001B>[31mred<U+001B>[0m colonies.',
    );
    expect(out).not.toMatch(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
    );
  });
});
