/**
 * The AWS path on one machine: the chat's Lambda handlers behind a local API Gateway WebSocket
 * emulator, the engine and the MCP server Lambda behind a local Lambda Invoke emulator,
 * Amazon DynamoDB Local for the tables, a fake Bedrock ConverseStream server for the model and
 * a fake Secrets Manager holding the authorizer's token (as the CDK app configures it).
 * The handlers are the real entry files; they read `process.env`, set here and put back on close
 * (without vitest's `vi.stubEnv`, so that a benchmark can start the path too).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, silentLogger } from 'chatbot-mcp-server/core';
import { createToolClient } from '../../src/adapters/create-tool-client.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { WebSocketEvent, WebSocketResult } from '../../src/transports/lambda/ws-events.js';
import { startDynamoDbLocalWithTables, type DynamoDbLocal } from './apigw-dynamodb-local.js';
import { startFakeSecretsManager } from './apigw-fake-secrets-manager.js';
import {
  startLambdaInvokeEmulator,
  type InvokedHandler,
  type LambdaInvokeEmulator,
} from './apigw-lambda-invoke-emulator.js';
import {
  startApiGatewayWebSocketEmulator,
  type ApiGatewayWebSocketEmulator,
  type EmulatorHandlers,
} from './apigw-websocket-emulator.js';
import {
  startFakeBedrockConverseServer,
  type FakeBedrockConverseServer,
} from './fake-bedrock-converse-server.js';

export const AUTH_TOKEN = 'e2e-shared-token-0123456789abcdef';
export const ALLOWED_ORIGIN = 'https://chat.example.test';
export const MODEL_ID = 'anthropic.claude-e2e-fake';
const TOKEN_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-auth-token-AbCdEf';
const EXAMPLE_DOCS = new URL('../../../../examples/docs/', import.meta.url).pathname;
/** Sets `values` in `process.env` (undefined: removed); the result puts the old ones back. */
function stubEnv(values: Record<string, string | undefined>): () => Promise<void> {
  const before = Object.fromEntries(Object.keys(values).map((n) => [n, process.env[n]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(v))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  };
  apply(values);
  return () => Promise.resolve(apply(before));
}

/** The MCP server's Lambda entry, built (as the CDK app bundles it from the same source). */
const MCP_LAMBDA = new URL('../../../mcp-server/dist/transports/lambda.js', import.meta.url).href;

export interface AwsPath {
  apigw: ApiGatewayWebSocketEmulator;
  lambda: LambdaInvokeEmulator;
  bedrock: FakeBedrockConverseServer;
  /** The MCP server Lambda through the invoke emulator, as the engine reaches it. */
  tools: ToolClient;
  /** DynamoDB Local, for tests that age a session. */
  dynamoEndpoint: string;
  /** DynamoDB Local itself, for tests that stop and restart it. */
  dynamo: DynamoDbLocal;
  /** The scheduled cleanup function's handler. */
  cleanup(): Promise<{ closed: number }>;
  /** `ws://…/prod?token=…` */
  url(token?: string): string;
  close(): Promise<void>;
}

export interface AwsPathOptions {
  /** Keep DynamoDB Local's data in files, so that a restart brings it back. */
  persistent?: boolean;
  /** Function name → timeout in ms, as the emulator's contexts count it down. */
  timeouts?: Record<string, number>;
  /** Extra environment of the functions (e.g. TURN_DEADLINE_MARGIN_MS). */
  env?: Record<string, string>;
  /** Another `$connect` authorizer than the entry file's (e.g. Cognito with a local key set). */
  authorizer?: EmulatorHandlers['authorizer'];
  /** Custom WebSocket routes by action (e.g. `upload-form`), loaded after the environment is set. */
  actions?: () => Promise<Record<string, (event: WebSocketEvent) => Promise<WebSocketResult>>>;
}

export async function startAwsPath(options: AwsPathOptions = {}): Promise<AwsPath> {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'aws-path-'));
    closers.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
    const dynamo = await startDynamoDbLocalWithTables(loadConfig({}).tables, {
      ...(options.persistent && { dbPath: dataDir }),
    });
    closers.push(() => dynamo.close());
    const secrets = await startFakeSecretsManager();
    closers.push(() => secrets.close());
    secrets.put(TOKEN_SECRET_ARN, AUTH_TOKEN);
    const bedrock = await startFakeBedrockConverseServer();
    closers.push(() => bedrock.close());
    const functions: Record<string, InvokedHandler> = {};
    const lambda = await startLambdaInvokeEmulator(functions, options.timeouts);
    closers.push(() => lambda.close());
    const actions: Record<string, (event: WebSocketEvent) => Promise<WebSocketResult>> = {};
    const handlers: {
      ws?: typeof import('../../src/transports/lambda/ws-handler.js');
      auth?: typeof import('../../src/transports/lambda/authorizer.js');
    } = {};
    const apigw = await startApiGatewayWebSocketEmulator({
      authorizer: (event) => (options.authorizer ?? handlers.auth!.handler)(event),
      routes: (event) => handlers.ws!.handler(event),
      actions,
    });
    closers.push(() => apigw.close());

    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      CHATBOT_DATA_DIR: dataDir,
      RECORD_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      VECTOR_STORE: 'embedded',
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_ENDPOINT: bedrock.url,
      BEDROCK_CLAUDE_MODEL: MODEL_ID,
      MCP_TRANSPORT: 'lambda',
      MCP_SERVER_FUNCTION_NAME: 'chatbot-mcp-server',
      LAMBDA_ENDPOINT: lambda.endpoint,
      ENGINE_FUNCTION_NAME: 'chatbot-engine',
      WS_MANAGEMENT_ENDPOINT: apigw.managementEndpoint,
      CHAT_AUTH_TOKEN_SECRET_ARN: TOKEN_SECRET_ARN,
      SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
      CHAT_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
      TURN_POLL_MS: '100',
      LOG_LEVEL: 'error',
      ...options.env,
    };
    const unset = [
      'CHATBOT_CONFIG',
      'CHATBOT_CREATE_TABLES',
      'OPENAI_BASE_URL',
      'EMBEDDER',
      'CHAT_AUTH_TOKEN',
    ];
    closers.push(stubEnv({ ...Object.fromEntries(unset.map((n) => [n, undefined])), ...env }));

    const mcp = (await import(MCP_LAMBDA)) as { handler: InvokedHandler };
    const engine = await import('../../src/transports/lambda/engine-worker.js');
    handlers.ws = await import('../../src/transports/lambda/ws-handler.js');
    handlers.auth = await import('../../src/transports/lambda/authorizer.js');
    const cleanup = await import('../../src/transports/lambda/session-cleanup.js');
    closers.push(() => cleanup.closeForTests());
    functions['chatbot-mcp-server'] = mcp.handler;
    if (options.actions) Object.assign(actions, await options.actions());
    functions['chatbot-engine'] = engine.handler;
    closers.push(
      () => engine.closeForTests(),
      () => handlers.ws!.closeForTests(),
      () => Promise.resolve(handlers.auth!.resetForTests()),
    );

    const tools = createToolClient(
      {
        kind: 'lambda',
        functionName: 'chatbot-mcp-server',
        region: 'us-east-1',
        endpoint: lambda.endpoint,
      },
      { logger: silentLogger },
    );
    closers.push(() => tools.close());
    for (const file of ['deployment-runbook.md', 'incident-policy.md']) {
      const ingested = await tools.callTool('ingest_document', {
        source: file,
        content: readFileSync(join(EXAMPLE_DOCS, file), 'utf8'),
        content_type: 'text/markdown',
      });
      if (ingested.isError) throw new Error(`could not ingest ${file}: ${ingested.text}`);
    }
    return {
      apigw,
      lambda,
      bedrock,
      tools,
      dynamoEndpoint: dynamo.endpoint,
      dynamo,
      cleanup: () => cleanup.handler(),
      url: (token = AUTH_TOKEN) => `${apigw.wsUrl}?token=${encodeURIComponent(token)}`,
      async close() {
        // Sockets first (no $disconnect on shutdown), then running turns, then the rest.
        await apigw.close();
        await apigw.settled();
        // A turn left waiting (a failed test's approval) must not hold the shutdown.
        await Promise.race([lambda.settled(), new Promise((r) => setTimeout(r, 5_000))]);
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
