import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig, loadHttpConfig } from '../config.js';
import { isHttpEvent, requestFromEvent, resultFromResponse } from '../http/lambda-events.js';
import { createMcpHttpHandler, type FetchHandler } from '../http/mcp-http-handler.js';
import { createLogger, type Logger } from '../logger.js';
import { createRuntime } from '../runtime.js';

/**
 * The AWS Lambda entry point. One in-process MCP handler per container, built on the first
 * invocation and reused. Two ways in:
 * - API Gateway HTTP API or Function URL events (payload v2): remote MCP hosts, same handler as
 *   `--transport http` (Host checks are left to API Gateway; set MCP_AUTH_TOKEN or MCP_OAUTH_ISSUER);
 * - direct Invoke with a JSON-RPC message as the payload (the chat gateway's
 *   `MCP_TRANSPORT=lambda`): IAM authorizes the call; the result is the JSON-RPC response.
 */
export async function handler(
  event: APIGatewayProxyEventV2 | Record<string, unknown>,
): Promise<unknown> {
  const { http, direct } = await container();
  if (isHttpEvent(event)) return resultFromResponse(await http(requestFromEvent(event)));
  const response = await direct(
    new Request('https://lambda.invoke/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(event),
    }),
  );
  const text = await response.text();
  // Notifications are answered 202 with no body: nothing to return.
  return text ? (JSON.parse(text) as unknown) : null;
}

interface Container {
  http: FetchHandler;
  direct: FetchHandler;
}

let ready: Promise<Container> | undefined;

function container(): Promise<Container> {
  ready ??= build().catch((error: unknown) => {
    ready = undefined; // let the next invocation retry a failed cold start
    throw error;
  });
  return ready;
}

async function build(): Promise<Container> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = loadConfig(process.env);
  const logger: Logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger);
  const options = { ...loadHttpConfig(process.env), trustHost: true };
  const http = createMcpHttpHandler({ registry: runtime.registry, logger, options });
  // Direct invokes are authorized by IAM, not by a bearer token.
  const invokeOptions = { ...options, authToken: undefined, oauth: undefined };
  const direct = createMcpHttpHandler({
    registry: runtime.registry,
    logger,
    options: invokeOptions,
  });
  return { http, direct };
}
