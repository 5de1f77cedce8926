/**
 * The session protocol's AWS path as deployed, for the drop-and-resume and access-matrix suites
 * and the resume benchmark (signed-in users through a stand-in authorizer, see below): real
 * `ws` clients through the local API Gateway WebSocket emulator to the chat's Lambda entry
 * handlers, the engine function behind the Lambda Invoke emulator, the tables in DynamoDB
 * Local, and a slow streaming model behind the fake Bedrock ConverseStream server (the answers
 * of `slow-model.ts`, one token per event, `tokenMs` apart). A drop is the client's socket
 * going away without a close frame (`terminate`); the emulator then runs `$disconnect`.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import WebSocket from 'ws';
import { AtomicFrameSequence } from '../../src/adapters/records/frame-sequences.js';
import { chatTableSpecs } from '../../src/app/chat-tables.js';
import type { Identity } from '../../src/ports/session-store.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { identityContext } from '../../src/transports/lambda/connect-identity.js';
import { openLambdaChatStore } from '../../src/transports/lambda/lambda-chat-store.js';
import { ALLOWED_ORIGIN, AUTH_TOKEN, startAwsPath } from './apigw-aws-path.js';
import type { FakeConverseRequest, FakeConverseResponse } from './fake-bedrock-converse-server.js';
import { converseEnd, converseToolUse } from './fake-bedrock-converse-server.js';
import { RecordingChannel } from './fake-channel.js';
import type { PathClient, PathOptions, ProtocolPath } from './protocol-paths.js';
import { answerTokens } from './slow-model.js';

/** The fake Bedrock's answer to any request: the router picks `general`; answers as SlowModel. */
export function slowConverse(tokenMs: number) {
  return (request: FakeConverseRequest): FakeConverseResponse => {
    const body = request.body as {
      toolConfig?: { toolChoice?: { tool?: { name?: string } } };
      messages?: { content?: { text?: string }[] }[];
    };
    if (body.toolConfig?.toolChoice?.tool?.name === 'choose_route')
      return {
        items: [
          { event: 'messageStart', body: { role: 'assistant' } },
          ...converseToolUse(0, 'route', 'choose_route', [
            JSON.stringify({ route: 'general', reason: 'test' }),
          ]),
          ...converseEnd('tool_use'),
        ],
      };
    const last = body.messages?.at(-1)?.content ?? [];
    const text = last.map((c) => c.text ?? '').join('');
    return {
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        ...answerTokens(text).flatMap((token) => [
          { pauseMs: tokenMs },
          { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text: token } } },
        ]),
        { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
        ...converseEnd('end_turn'),
      ],
    };
  };
}

/** A real `ws` client whose frames land in a `RecordingChannel` (schema-checked on arrival). */
async function openSocket(url: string, violations: string[]): Promise<PathClient> {
  const channel = new RecordingChannel(`apigw-${randomUUID()}`);
  const ws = new WebSocket(url, { perMessageDeflate: false, headers: { origin: ALLOWED_ORIGIN } });
  ws.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
    try {
      void channel.send(frame).catch(() => undefined);
    } catch (error) {
      violations.push((error as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    channel,
    send: (frame) =>
      new Promise<void>((resolve, reject) =>
        ws.send(JSON.stringify(frame), (error) => (error ? reject(error) : resolve())),
      ),
    drop: () => {
      channel.gone = true;
      ws.terminate();
      return Promise.resolve();
    },
  };
}

/**
 * A `$connect` authorizer for signed-in users without Cognito (whose token checks have their own
 * tests): a token handed out by `connect(identity)` names its user, whose claims become the
 * authorizer context as the Cognito authorizer makes it (`identityContext`); the shared token
 * connects anonymously; anything else is denied.
 */
function usersAuthorizer(users: ReadonlyMap<string, Identity>) {
  return (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = event.queryStringParameters?.token ?? '';
    const user = users.get(token);
    const context = user
      ? identityContext({ iss: user.issuer, sub: user.subject, 'cognito:groups': user.groups })
      : undefined;
    const effect = user || token === AUTH_TOKEN ? 'Allow' : 'Deny';
    return Promise.resolve({
      principalId: 'client',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }],
      },
      ...(context && { context: { ...context } }),
    });
  };
}

export interface ApigwPathOptions extends Pick<PathOptions, 'tokenMs'> {
  /** Users connect signed in (`connect(identity)`), through `usersAuthorizer`. */
  signedIn?: boolean;
  /** The engine function's timeout in ms (a turn waiting for an approval runs that long). */
  engineTimeoutMs?: number;
}

export async function apigwPath(
  options: ApigwPathOptions = {},
): Promise<ProtocolPath & { tools: ToolClient }> {
  const users = new Map<string, Identity>();
  const aws = await startAwsPath({
    ...(options.signedIn && { authorizer: usersAuthorizer(users) }),
    ...(options.engineTimeoutMs && { timeouts: { 'chatbot-engine': options.engineTimeoutMs } }),
  });
  aws.bedrock.respondWith(slowConverse(options.tokenMs ?? 3));
  // The counter as the functions keep it, read from the same tables.
  const chatStore = await openLambdaChatStore({ env: process.env, dataDir: '.' });
  const sequence = new AtomicFrameSequence({
    store: chatStore.store,
    conversations: chatTableSpecs(chatStore.tables).conversations,
    expiresAt: () => 0,
  });
  const sockets: PathClient[] = [];
  const violations: string[] = [];
  return {
    name: 'AWS via API Gateway emulator',
    violations,
    currentSeq: (sessionId) => sequence.current(sessionId),
    tools: aws.tools,
    connect: async (identity) => {
      if (identity && !options.signedIn) throw new Error('apigwPath: pass signedIn for users');
      let token: string | undefined;
      if (identity) {
        token = `user-${randomUUID()}`;
        users.set(token, identity);
      }
      const client = await openSocket(aws.url(token), violations);
      sockets.push(client);
      return client;
    },
    close: async () => {
      for (const s of sockets) await s.drop();
      await chatStore.close();
      await aws.close();
    },
  };
}
