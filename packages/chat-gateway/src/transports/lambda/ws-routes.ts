import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'chatbot-mcp-server/core';
import { ApiGatewayChannel } from '../../adapters/aws/apigw-channel.js';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { EventInvoker } from '../../adapters/aws/lambda-event-invoker.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import type { TurnMarkers } from '../../adapters/records/aws-turn-markers.js';
import type { AnalyticsRecorder } from '../../analytics/analytics-recorder.js';
import { saveFeedback } from '../../core/feedback.js';
import { ConversationFrames, callerIdentity } from '../../core/conversation-frames.js';
import { toHistoryMessage } from '../../core/history-view.js';
import type { SessionsPort } from '../../core/sessions-port.js';
import { ChatError, SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../ports/session-store.js';
import type { ClientFrame } from '../../protocol/frames.js';
import { parseClientFrame } from '../../protocol/parse-frame.js';
import { toErrorFrame } from '../../core/error-frame.js';
import { identityFromAuthorizer, subprotocolAnswer } from './connect-identity.js';
import type { WorkerEvent } from './worker-events.js';
import type { WebSocketEvent, WebSocketResult } from './ws-events.js';
import { frameText } from './ws-events.js';

export interface WsRouteDeps {
  sessions: SessionsPort;
  store: SessionStore;
  /** Counts feedback; without it feedback is stored but not counted. */
  analytics?: Pick<AnalyticsRecorder, 'feedback'>;
  bindings: ConnectionBindings;
  markers: TurnMarkers;
  connections: WebSocketConnections;
  engine: EventInvoker;
  logger: Logger;
  modelId: string | null;
  offlineNotice?: string;
  /** CHAT_TITLE, for the page. */
  title?: string;
  /** A `confirm` can overtake the waiting turn's marker write; it is re-read this often, 4 times. */
  confirmRetryMs?: number;
}

const OK: WebSocketResult = { statusCode: 200 };

/**
 * The `$connect`, `$disconnect` and `$default` routes. Each answers quickly: a turn runs in the
 * engine function (asynchronous invoke), never inside API Gateway's 29 s integration limit.
 */
export function createWsRoutes(deps: WsRouteDeps) {
  const { logger } = deps;
  // Without sign-in on AWS, several people share one token: nobody owns the anonymous sessions.
  const conversations = new ConversationFrames({ store: deps.store, anonymousOwner: false });

  async function connect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId, identity } = event.requestContext;
    const userAgent = identity?.userAgent ?? header(event, 'user-agent');
    const user = identityFromAuthorizer(event.requestContext.authorizer);
    const { sessionId } = await deps.sessions.create(
      {
        ...(userAgent && { userAgent }),
        ...(identity?.sourceIp && { ipAddress: identity.sourceIp }),
        ...(user && { identity: user }),
      },
      connectionId,
    );
    await deps.bindings.bind(connectionId, sessionId);
    // Nothing can be posted before $connect returns: the engine greets once the socket is open.
    const hello: WorkerEvent = { kind: 'hello', connectionId, sessionId };
    await deps.engine.invoke(hello);
    const headers = subprotocolAnswer(event.headers);
    return headers ? { ...OK, headers } : OK;
  }

  async function disconnect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId } = event.requestContext;
    const sessionId = await deps.bindings.markGone(connectionId);
    if (sessionId) await deps.sessions.detach(sessionId, connectionId);
    return OK;
  }

  async function receive(event: WebSocketEvent): Promise<WebSocketResult> {
    const channel = new ApiGatewayChannel(event.requestContext.connectionId, deps.connections);
    let frame: ClientFrame | undefined;
    try {
      // Parsed first, so that a store failure below still answers the frame's id.
      frame = parseClientFrame(frameText(event));
      const binding = await deps.bindings.get(channel.connectionId);
      if (!binding)
        throw new SessionNotFoundError('This connection has no session; reconnect to start one.');
      await dispatch(channel, binding.sessionId, frame);
    } catch (error) {
      const replyTo = frame && 'id' in frame ? frame.id : frame?.type;
      await channel.send(toErrorFrame(error, logger, replyTo)).catch(() => undefined);
    }
    return OK;
  }

  async function dispatch(
    channel: ApiGatewayChannel,
    sessionId: string,
    frame: ClientFrame,
  ): Promise<void> {
    const connectionId = channel.connectionId;
    switch (frame.type) {
      case 'message': {
        const claim = await deps.store.claimMessage(sessionId, frame.id);
        if (!claim.claimed)
          throw new ChatError(
            'DUPLICATE_MESSAGE',
            `Message ${frame.id} was already received; it is answered once (see the history).`,
            false,
          );
        void deps.sessions.touch(sessionId).catch(() => undefined);
        const turn: WorkerEvent = {
          kind: 'turn',
          connectionId,
          sessionId,
          clientMessageId: frame.id,
          content: frame.content,
          ...(claim.takenOver && { takenOver: true }),
        };
        try {
          return await deps.engine.invoke(turn);
        } catch (error) {
          // The turn never started: the same id may be sent again.
          await deps.store.releaseMessage(sessionId, frame.id).catch(() => undefined);
          throw error;
        }
      }
      case 'resume':
        return resume(channel, sessionId, frame.sessionId, frame.resumeToken);
      case 'history': {
        const limit = frame.limit ?? 20;
        const page = await deps.store.listMessages(sessionId, {
          limit,
          ...(frame.before && { before: frame.before }),
        });
        const last = page.at(-1);
        return channel.send({
          type: 'history',
          messages: page.map(toHistoryMessage),
          ...(page.length === limit && last && { before: last.messageId }),
        });
      }
      case 'confirm':
        return confirm(sessionId, frame.toolCallId, frame.approve);
      case 'cancel':
        // The engine polls for it; a cancel of an answer already finished changes nothing.
        return deps.markers.requestCancel(sessionId, frame.messageId);
      case 'documents':
        throw new ChatError(
          'LOCAL_ONLY',
          'The documents panel works on the local gateway only for now; use /call list_documents in the chat.',
          false,
        );
      case 'document':
        // The Lambda functions reach the MCP server only from the engine function; the viewer
        // would need a route there. Said plainly rather than failing some other way.
        throw new ChatError(
          'LOCAL_ONLY',
          'The document viewer works on the local gateway only for now; the source card shows the cited passage.',
          false,
        );
      case 'feedback': {
        const analytics = deps.analytics ?? { feedback: () => Promise.resolve() };
        const saved = await saveFeedback(
          { store: deps.store, analytics },
          sessionId,
          frame,
          Date.now(),
        );
        return channel.send(saved);
      }
      case 'conversations':
      case 'conversation-rename':
      case 'conversation-delete':
        return channel.send(
          await conversations.answer(frame, await callerIdentity(deps.store, sessionId)),
        );
    }
  }

  async function confirm(sessionId: string, toolCallId: string, approve: boolean): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const result = await deps.markers.decide(sessionId, toolCallId, approve);
      if (result === 'decided') return;
      if (result === 'settled') break;
      await sleep(deps.confirmRetryMs ?? 250);
    }
    throw new ChatError(
      'NOT_FOUND',
      `No tool call ${toolCallId} is waiting for approval in this session.`,
      false,
    );
  }

  async function resume(
    channel: ApiGatewayChannel,
    current: string,
    sessionId: string,
    token: string | undefined,
  ): Promise<void> {
    const before = await deps.store.getSession(sessionId);
    const identity = await callerIdentity(deps.store, current);
    const resumed = await deps.sessions.resume(sessionId, token, channel.connectionId, identity);
    await deps.bindings.bind(channel.connectionId, sessionId);
    if (current !== sessionId)
      // The session made for this connection at $connect was never used.
      void deps.sessions.close(current, 'replaced by resume').catch(() => undefined);
    const stale = before?.connectionId;
    if (stale && stale !== channel.connectionId) {
      // A half-open socket of the same session: the newest connection wins; its running turns
      // follow the session to this connection.
      await deps.bindings.markGone(stale).catch(() => undefined);
      void deps.connections.delete(stale).catch(() => undefined);
    }
    const model = deps.modelId;
    await channel.send({
      type: 'session',
      sessionId,
      resumeToken: resumed.resumeToken,
      resumed: true,
      model,
      ...(model === null && deps.offlineNotice && { notice: deps.offlineNotice }),
      ...(deps.title && { title: deps.title }),
    });
  }

  return { connect, disconnect, receive };
}

function header(event: WebSocketEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}
