import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { handler as lambdaHandler } from '../../src/transports/lambda.js';

export type McpLambdaHandler = typeof lambdaHandler;

const dataDirs: string[] = [];

/**
 * The Lambda environment the tests use: the production record store (RECORD_STORE=dynamodb)
 * pointed at a local DynamoDB-compatible endpoint, which the caller starts and closes.
 *
 * The document tools keep their defaults: an embedded LanceDB index under CHATBOT_DATA_DIR,
 * which works for the handler loaded from src/ (the esbuild bundle leaves LanceDB out, so
 * tests of the bundle must not call document tools). Each call gets a fresh folder: a container
 * holds its index open, and a second container on the same folder would be refused.
 * `removeLambdaDataDirs` deletes them.
 */
export function lambdaEnv(
  dynamoDbEndpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-lambda-'));
  dataDirs.push(dataDir);
  return {
    CHATBOT_DATA_DIR: dataDir,
    RECORD_STORE: 'dynamodb',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    DYNAMODB_ENDPOINT: dynamoDbEndpoint,
    CHATBOT_CREATE_TABLES: 'true',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/**
 * A fresh instance of src/transports/lambda.ts (a new "container") with `env` set first: the
 * handler's composition root reads process.env on its first invocation. Undo with
 * `vi.unstubAllEnvs()`.
 */
export async function loadLambdaHandler(env: Record<string, string>): Promise<McpLambdaHandler> {
  for (const name of [
    'CHATBOT_CONFIG',
    'CHATBOT_DATA_DIR',
    'MCP_AUTH_TOKEN',
    'MCP_ALLOWED_ORIGINS',
    'MCP_ALLOWED_HOSTS',
  ]) {
    vi.stubEnv(name, undefined);
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const module = await import('../../src/transports/lambda.js');
  return module.handler;
}

/** Deletes the data folders `lambdaEnv` made; call once the handlers using them are done. */
export async function removeLambdaDataDirs(): Promise<void> {
  await Promise.all(
    dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })),
  );
}
