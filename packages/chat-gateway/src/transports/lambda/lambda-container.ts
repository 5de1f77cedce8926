import { createLogger, type Logger } from 'chatbot-mcp-server/core';
import { ApiGatewayConnections } from '../../adapters/aws/apigw-connections.js';
import { LambdaEventInvoker, type EventInvoker } from '../../adapters/aws/lambda-event-invoker.js';
import { createModel } from '../../adapters/create-model.js';
import { lambdaTransport } from '../../adapters/aws/lambda-mcp-transport.js';
import { McpToolClient } from '../../adapters/mcp/mcp-tool-client.js';
import { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import { TurnMarkers } from '../../adapters/records/aws-turn-markers.js';
import { TurnQueue } from '../../adapters/records/aws-turn-queue.js';
import { buildChatServices } from '../../app/chat-services.js';
import { chatTableSpecs } from '../../app/chat-tables.js';
import { loadGatewayConfig, type GatewayConfig } from '../../config.js';
import { GatewayConfigError } from '../../errors.js';
import type { ToolClient } from '../../ports/tool-client.js';
import { loadLambdaConfig, type LambdaConfig } from './lambda-config.js';
import { openLambdaChatStore } from './lambda-chat-store.js';

type ChatServices = ReturnType<typeof buildChatServices>;

/** Everything a chat function builds once per container and reuses across invocations. */
export interface LambdaContainer {
  config: GatewayConfig;
  lambda: LambdaConfig;
  logger: Logger;
  services: ChatServices;
  bindings: ConnectionBindings;
  markers: TurnMarkers;
  queue: TurnQueue;
  connections: ApiGatewayConnections;
  /** The engine function; only the WebSocket function has one. */
  engine?: EventInvoker;
  /**
   * The MCP server function through Lambda Invoke, as the engine reaches it: the documents panel
   * and viewer of the WebSocket function read through it. It connects on its first call (the
   * MCP SDK and the Lambda client are loaded then, and the MCP handshake is one invoke), so a
   * container that never answers a `documents` or `document` frame never pays for it.
   */
  documents: Pick<ToolClient, 'readDocument' | 'callTool'>;
  close(): Promise<void>;
}

/**
 * The composition root shared by the WebSocket, engine and cleanup functions: env read once
 * (`loadGatewayConfig` and `loadLambdaConfig`), the chat's tables on DynamoDB, the MCP server
 * through Lambda Invoke, the model, and the AWS-path state (connection bindings, markers).
 */
export async function buildLambdaContainer(
  env: Record<string, string | undefined>,
  needs: { engine?: boolean } = {},
): Promise<LambdaContainer> {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = loadGatewayConfig(env);
  const lambda = loadLambdaConfig(env, needs);
  const mcp = config.mcp;
  // Only the Lambda transport: the others load the embedded MCP runtime (LanceDB, a native
  // module) into the bundle.
  if (mcp.kind !== 'lambda')
    throw new GatewayConfigError(
      `MCP_TRANSPORT: ${mcp.kind} is not available in the Lambda functions; use lambda (with MCP_SERVER_FUNCTION_NAME)`,
    );
  const logger = createLogger(config.logLevel);
  const chatStore = await openLambdaChatStore({
    env,
    dataDir: config.dataDir,
    ...(config.configFile && { configFile: config.configFile }),
  });
  const tables = chatTableSpecs(chatStore.tables);
  const tools = new McpToolClient({ connect: lambdaTransport(mcp), name: 'lambda', logger });
  const model = await createModel(config.model);
  const services = buildChatServices({ config, chatStore, tools, logger, ...(model && { model }) });
  const connections = new ApiGatewayConnections({
    endpoint: lambda.managementEndpoint,
    region: lambda.region,
  });
  const engine =
    needs.engine && lambda.engineFunctionName
      ? new LambdaEventInvoker({
          functionName: lambda.engineFunctionName,
          region: lambda.region,
          ...(lambda.lambdaEndpoint && { endpoint: lambda.lambdaEndpoint }),
        })
      : undefined;
  return {
    config,
    lambda,
    logger,
    services,
    bindings: new ConnectionBindings(chatStore.store, tables.conversations),
    markers: new TurnMarkers(chatStore.store, tables.conversations),
    queue: new TurnQueue(chatStore.store, tables.conversations),
    connections,
    ...(engine && { engine }),
    documents: tools,
    async close() {
      connections.destroy();
      await tools.close().catch(() => undefined);
      await chatStore.close();
    },
  };
}

/** One container per function module, built on the first invocation; a failed build is retried. */
export function containerOnce(needs: { engine?: boolean } = {}): {
  get(): Promise<LambdaContainer>;
  /** Tests: close what the container opened. */
  close(): Promise<void>;
} {
  let ready: Promise<LambdaContainer> | undefined;
  return {
    get() {
      ready ??= buildLambdaContainer(process.env, needs).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    },
    async close() {
      const built = ready;
      ready = undefined;
      if (built) await (await built.catch(() => undefined))?.close();
    },
  };
}
