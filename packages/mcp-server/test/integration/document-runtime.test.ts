import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lazyDocuments } from '../../src/document-runtime.js';
import { silentLogger } from '../../src/logger.js';

/** Opening the embedded document index over a damaged data directory. */
describe('lazyDocuments on a torn documents/index.json', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcp-torn-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(['{"format": 1, "embedderId": "hash', '', '\0\0\0'])(
    'names the file and what to do (content %j)',
    async (torn) => {
      const file = join(dataDir, 'documents', 'index.json');
      mkdirSync(join(dataDir, 'documents'), { recursive: true });
      writeFileSync(file, torn);
      const documents = lazyDocuments(loadConfig({}, { dataDir }), silentLogger);
      await expect(documents.get()).rejects.toThrow(
        `${file} is damaged (not valid JSON; it was probably cut short by a crash or a full disk)`,
      );
      await expect(documents.get()).rejects.toThrow(/delete it and start again/);
      // Following the advice works.
      rmSync(file);
      const service = await documents.get();
      expect(service).toBeDefined();
      await documents.close();
    },
  );
});
