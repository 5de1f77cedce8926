/**
 * Run as an unprivileged user by read-only-documents.test.ts (root ignores permission bits): an
 * ingest while writable, then `chmod -R a-w` on the documents folder while the runtime runs, then
 * two more ingests; prints one JSON line per ingest outcome.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';

const dataDir = process.argv[2]!;
const runtime = await createRuntime(loadConfig({}, { dataDir }), silentLogger);
const documents = await runtime.documents.get();
const ingest = async (source: string): Promise<string> => {
  try {
    await documents.ingest({
      source,
      content: `# ${source}\n\n` + 'words to index '.repeat(500),
      contentType: 'text/markdown',
    });
    return 'stored';
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
};
const outcomes = [await ingest('first.md')];
execFileSync('chmod', ['-R', 'a-w', join(dataDir, 'documents')]);
for (const source of ['second.md', 'third.md', 'fourth.md']) {
  outcomes.push(await ingest(source));
  // Past the flush delay: the failed flush is what finds the folder read-only.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}
await runtime.close();
process.stdout.write(JSON.stringify(outcomes) + '\n');
