import type { Context as LambdaContext } from 'aws-lambda';
import { errorFields, type Logger } from 'chatbot-mcp-server/core';
import { OFFLINE_NOTICE } from '../../config.js';
import { containerOnce } from './lambda-container.js';
import type { WebSocketEvent, WebSocketResult } from './ws-events.js';
import { createWsRoutes } from './ws-routes.js';

const container = containerOnce({ engine: true });
let routes: Promise<ReturnType<typeof createWsRoutes>> | undefined;
let logger: Logger | undefined;

function getRoutes(): Promise<ReturnType<typeof createWsRoutes>> {
  routes ??= container.get().then(
    (c) => {
      if (!c.engine) throw new Error('the WebSocket function needs ENGINE_FUNCTION_NAME');
      logger = c.logger;
      return createWsRoutes({
        sessions: c.services.sessions,
        store: c.services.store,
        analytics: c.services.analytics,
        bindings: c.bindings,
        markers: c.markers,
        queue: c.queue,
        sequence: c.services.sequence,
        frameLog: c.services.frameLog,
        connections: c.connections,
        engine: c.engine,
        documents: c.documents,
        documentTimeoutMs: c.config.toolTimeoutMs,
        logger: c.logger,
        modelId: c.services.engine.modelId,
        offlineNotice: OFFLINE_NOTICE,
        title: c.config.title,
      });
    },
    (error: unknown) => {
      routes = undefined;
      throw error;
    },
  );
  return routes;
}

/**
 * The WebSocket function: API Gateway's `$connect`, `$disconnect` and `$default` routes. A
 * failed `$connect` answers 500, so API Gateway refuses the handshake; `$default` reports
 * problems to the client as `error` frames and always answers 200.
 */
export async function handler(
  event: WebSocketEvent,
  context?: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
): Promise<WebSocketResult> {
  try {
    const r = await getRoutes();
    switch (event.requestContext.routeKey) {
      case '$connect':
        return await r.connect(event);
      case '$disconnect':
        return await r.disconnect(event);
      default:
        return await r.receive(event, context?.getRemainingTimeInMillis());
    }
  } catch (error) {
    const fields = { route: event.requestContext.routeKey, ...errorFields(error) };
    // Without a logger the container never started (a configuration error, named in the message).
    if (logger) logger.error('websocket route failed', fields);
    else
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'websocket function could not start', ...fields })}\n`,
      );
    return { statusCode: 500, body: 'internal error' };
  }
}

/** Tests: closes what this module's container opened. */
export async function closeForTests(): Promise<void> {
  routes = undefined;
  logger = undefined;
  await container.close();
}
