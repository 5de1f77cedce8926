import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'chatbot-mcp-server/core';
import { ApiGatewayChannel } from '../../adapters/aws/apigw-channel.js';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { EventInvoker } from '../../adapters/aws/lambda-event-invoker.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';
import type { TurnMarkers } from '../../adapters/records/aws-turn-markers.js';
import type { TurnQueue } from '../../adapters/records/aws-turn-queue.js';
import type { AnalyticsRecorder } from '../../analytics/analytics-recorder.js';
import { ConversationFrames } from '../../core/conversation-frames.js';
import { SessionOutbox } from '../../core/session-outbox.js';
import {
  createFrameHandlers,
  dispatchFrame,
  type FrameContext,
} from '../../core/session-protocol.js';
import type { SessionsPort } from '../../core/sessions-port.js';
import { ClientGoneError, MAX_SESSION_CONNECTIONS, SessionNotFoundError } from '../../errors.js';
import type { ClientChannel } from '../../ports/client-channel.js';
import type { FrameLog } from '../../ports/frame-log.js';
import type { FrameSequence } from '../../ports/frame-sequence.js';
import type { SessionStore } from '../../ports/session-store.js';
import type { ToolClient } from '../../ports/tool-client.js';
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
  /** One turn at a time per session, in arrival order. */
  queue: TurnQueue;
  /** Numbers the sessions' frames (`seq`), shared with the engine function. */
  sequence: FrameSequence;
  /** Keeps the frames for a resume to replay (written before each invocation returns). */
  frameLog: FrameLog;
  connections: WebSocketConnections;
  engine: EventInvoker;
  /**
   * The documents panel (`documents`) and viewer (`document`): the MCP server, read as the
   * connection's user. Only those two frames call it.
   */
  documents: Pick<ToolClient, 'readDocument' | 'callTool'>;
  /** The longest a documents or document frame waits for the MCP server (TOOL_TIMEOUT_MS). */
  documentTimeoutMs?: number;
  logger: Logger;
  modelId: string | null;
  offlineNotice?: string;
  /** CHAT_TITLE, for the page. */
  title?: string;
  /** A `confirm` can overtake the waiting turn's marker write; it is re-read this often, 4 times. */
  confirmRetryMs?: number;
  /** Connections (tabs) attached to one session at once; default 8. */
  maxConnectionsPerSession?: number;
}

const OK: WebSocketResult = { statusCode: 200 };
/** Time kept, before the invocation ends, to send the reply to a frame (or its error). */
const REPLY_MARGIN_MS = 1_500;

/**
 * The `$connect`, `$disconnect` and `$default` routes. Each answers quickly: a turn runs in the
 * engine function (asynchronous invoke), never inside API Gateway's 29 s integration limit.
 */
export function createWsRoutes(deps: WsRouteDeps) {
  const { logger } = deps;
  // Without sign-in on AWS, several people share one token: nobody owns the anonymous sessions.
  const conversations = new ConversationFrames({ store: deps.store, anonymousOwner: false });
  const maxConnections = deps.maxConnectionsPerSession ?? MAX_SESSION_CONNECTIONS;
  /** A connection of the session; one found gone (410) is dropped from the session's set. */
  const member = (sessionId: string, connectionId: string): ClientChannel => {
    const channel = new ApiGatewayChannel(connectionId, deps.connections);
    return {
      connectionId,
      close: () => channel.close(),
      send: (frame) =>
        channel.send(frame).catch(async (error: unknown) => {
          if (error instanceof ClientGoneError)
            await deps.bindings.attached.remove(sessionId, connectionId).catch(() => undefined);
          throw error;
        }),
    };
  };

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
    await deps.bindings.attached.add(sessionId, connectionId, maxConnections);
    // Nothing can be posted before $connect returns: the engine greets once the socket is open.
    const hello: WorkerEvent = { kind: 'hello', connectionId, sessionId };
    await deps.engine.invoke(hello);
    const headers = subprotocolAnswer(event.headers);
    return headers ? { ...OK, headers } : OK;
  }

  async function disconnect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId } = event.requestContext;
    const sessionId = await deps.bindings.markGone(connectionId);
    if (!sessionId) return OK;
    // The session's other tabs stay attached; with none left, its turns run on detached (the
    // engine function reads the set: it, not the session record, says whether anyone is there).
    await deps.bindings.attached.remove(sessionId, connectionId);
    return OK;
  }

  const outbox = new SessionOutbox(deps.sequence, deps.frameLog);
  const handlers = createFrameHandlers({
    sessions: deps.sessions,
    store: deps.store,
    sequence: deps.sequence,
    info: {
      modelId: deps.modelId,
      ...(deps.offlineNotice && { offlineNotice: deps.offlineNotice }),
      ...(deps.title && { title: deps.title }),
    },
    now: Date.now,
    ...(deps.analytics && { analytics: deps.analytics }),
    documents: deps.documents,
    ...(deps.documentTimeoutMs !== undefined && { documentTimeoutMs: deps.documentTimeoutMs }),
    conversations,
    turns: {
      start: async (context, turn) => {
        const { sessionId } = context;
        const ticket = await deps.queue.enqueue(sessionId);
        const event: WorkerEvent = {
          kind: 'turn',
          connectionId: context.connectionId,
          sessionId,
          clientMessageId: turn.clientMessageId,
          content: turn.content,
          ticket,
          ...(turn.takenOver && { takenOver: true }),
          ...(context.identity && { identity: context.identity }),
        };
        try {
          await deps.engine.invoke(event);
        } catch (error) {
          // Never started: the next turn of the session must not wait for it.
          await deps.queue.done(sessionId, ticket).catch(() => undefined);
          throw error;
        }
      },
      cancel: async (sessionId, clientMessageId) => {
        if (!(await deps.markers.isRunning(sessionId, clientMessageId))) return false;
        // The engine polls for it (also while the turn waits for its place in the queue).
        await deps.markers.requestCancel(sessionId, clientMessageId);
        return true;
      },
      approve: confirm,
      attachedCount: async (sessionId) => (await deps.bindings.attached.list(sessionId)).length,
      admit: (sessionId, connectionId) =>
        deps.bindings.attached.admit(sessionId, connectionId, maxConnections),
      attach: async (context, sessionId, then) => {
        const previous = context.sessionId;
        // The connection's next frames (a message right after the answer) go to this session.
        await deps.bindings.bind(context.connectionId, sessionId);
        const self = member(sessionId, context.connectionId);
        // The rotated token goes to every tab of the session in the same numbered frame, or
        // the next reconnect of another tab would be refused. It reaches this connection
        // before the connection joins the session's set: a client ignores the session's frames
        // until its resume is answered, so nothing the engine posts may overtake this one.
        // What is numbered meanwhile comes from the log below or, for the running turn, from
        // the engine, which posts the turn's frames again to a connection that joined.
        const others = (await deps.bindings.attached.list(sessionId)).filter(
          (id) => id !== context.connectionId,
        );
        await outbox.send(sessionId, then.frame, () => [
          self,
          ...others.map((id) => member(sessionId, id)),
        ]);
        // Joins the session's other tabs (none evicted); checked against the cap again here.
        await deps.bindings.attached.add(sessionId, context.connectionId, maxConnections);
        if (previous !== sessionId)
          await deps.bindings.attached
            .remove(previous, context.connectionId)
            .catch(() => undefined);
        context.sessionId = sessionId;
        if (then.lastSeq === undefined) return;
        // From the store: the turn may run in another container. Its engine function posts the
        // running turn's frames to this connection as well once it sees it in the session's
        // set; the client drops the seqs it already has.
        for (const f of await outbox.log.since(sessionId, then.lastSeq)) await self.send(f);
      },
    },
  });

  /**
   * A client frame. `remainingMs`: the invocation's time left (Lambda's context), so that a call
   * to the MCP server for the frame gives up, with an error frame, before the function times out.
   */
  async function receive(event: WebSocketEvent, remainingMs?: number): Promise<WebSocketResult> {
    const channel = new ApiGatewayChannel(event.requestContext.connectionId, deps.connections);
    let frame: ClientFrame | undefined;
    try {
      // Parsed first, so that a store failure below still answers the frame's id.
      frame = parseClientFrame(frameText(event));
      const binding = await deps.bindings.get(channel.connectionId);
      if (!binding)
        throw new SessionNotFoundError('This connection has no session; reconnect to start one.');
      // The signed-in user: API Gateway passes the $connect authorizer's context with every
      // message, so no store read decides it (none: anonymous).
      const identity = identityFromAuthorizer(event.requestContext.authorizer);
      const current: FrameContext = {
        sessionId: binding.sessionId,
        connectionId: channel.connectionId,
        ...(identity && { identity }),
        reply: (f) => outbox.reply(channel, f),
        ...(remainingMs !== undefined && {
          deadline: Date.now() + remainingMs - REPLY_MARGIN_MS,
        }),
      };
      await dispatchFrame(handlers, current, frame);
    } catch (error) {
      const replyTo = frame && 'id' in frame ? frame.id : frame?.type;
      const errorFrame = toErrorFrame(error, logger, replyTo);
      // To this connection alone, unnumbered (also without a session: no binding).
      await outbox.reply(channel, errorFrame).catch(() => undefined);
    }
    // What was logged here is written before the function returns (Lambda freezes after).
    await outbox.log.flush().catch(() => undefined);
    return OK;
  }

  async function confirm(
    sessionId: string,
    toolCallId: string,
    approve: boolean,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const result = await deps.markers.decide(sessionId, toolCallId, approve);
      if (result === 'decided') return true;
      if (result === 'settled') break;
      await sleep(deps.confirmRetryMs ?? 250);
    }
    return false;
  }

  return { connect, disconnect, receive };
}

function header(event: WebSocketEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}
