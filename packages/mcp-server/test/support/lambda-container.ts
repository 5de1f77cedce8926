import { vi } from 'vitest';
import type { handler as lambdaHandler } from '../../src/transports/lambda.js';

export type McpLambdaHandler = typeof lambdaHandler;

/**
 * The Lambda environment the tests use: the production record store (RECORD_STORE=dynamodb)
 * pointed at a local DynamoDB-compatible endpoint, which the caller starts and closes.
 */
export function lambdaEnv(
  dynamoDbEndpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
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
