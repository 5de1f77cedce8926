import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: NodejsFunction bundles from here (the pnpm lock file is its marker). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The tool contract the MCP server reads at start-up; copied next to its bundle. */
export const CONTRACT_FILE = join(REPO_ROOT, 'openapi', 'mcp-tools.yaml');

/**
 * Every Lambda function's entry file, relative to the repository root. Each exports `handler`.
 * Kept in one place so the app, the tests and the README agree on what is deployed.
 */
export const FUNCTION_ENTRIES = {
  websocket: 'packages/chat-gateway/src/transports/lambda/ws-handler.ts',
  authorizer: 'packages/chat-gateway/src/transports/lambda/authorizer.ts',
  engine: 'packages/chat-gateway/src/transports/lambda/engine-worker.ts',
  sessionCleanup: 'packages/chat-gateway/src/transports/lambda/session-cleanup.ts',
  mcpServer: 'packages/mcp-server/src/transports/lambda.ts',
  uploadForm: 'packages/chat-gateway/src/transports/lambda/upload-form.ts',
  uploadIngest: 'packages/chat-gateway/src/transports/lambda/upload-ingest.ts',
} as const;

/** The app's functions by name. */
export type FunctionKey = keyof typeof FUNCTION_ENTRIES;

/** Absolute entry paths, one per function. */
export type FunctionEntries = Record<FunctionKey, string>;

/**
 * Resolves the entry files. With `fixtureDir` (tests only: the `entryFixtures` context value),
 * each entry is replaced by the file of the same base name in that folder, so the stacks can be
 * tested before the handlers exist. A missing file fails here, by name: a deploy must never
 * quietly bundle something else.
 */
export function resolveEntries(fixtureDir?: string): FunctionEntries {
  const entries = {} as FunctionEntries;
  const missing: string[] = [];
  for (const key of Object.keys(FUNCTION_ENTRIES) as FunctionKey[]) {
    const path = fixtureDir
      ? join(fixtureDir, basename(FUNCTION_ENTRIES[key]))
      : join(REPO_ROOT, FUNCTION_ENTRIES[key]);
    if (!existsSync(path)) missing.push(`${key}: ${relative(REPO_ROOT, path)}`);
    entries[key] = path;
  }
  if (missing.length > 0) {
    throw new Error(
      `Lambda entry files not found (${missing.join('; ')}). Each must exist and export ` +
        '`handler` before the app can be synthesized; see lib/function-entries.ts.',
    );
  }
  return entries;
}
