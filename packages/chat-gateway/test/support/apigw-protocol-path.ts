/**
 * The session protocol's AWS path as deployed, for the drop-and-resume suite and benchmark: real
 * `ws` clients through the local API Gateway WebSocket emulator to the chat's Lambda entry
 * handlers, the engine function behind the Lambda Invoke emulator, the tables in DynamoDB
 * Local, and a slow streaming model behind the fake Bedrock ConverseStream server (the answers
 * of `slow-model.ts`, one token per event, `tokenMs` apart). A drop is the client's socket
 * going away without a close frame (`terminate`); the emulator then runs `$disconnect`.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { AtomicFrameSequence } from '../../src/adapters/records/frame-sequences.js';
import { chatTableSpecs } from '../../src/app/chat-tables.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { openLambdaChatStore } from '../../src/transports/lambda/lambda-chat-store.js';
import { ALLOWED_ORIGIN, startAwsPath } from './apigw-aws-path.js';
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

export async function apigwPath(options: Pick<PathOptions, 'tokenMs'> = {}): Promise<ProtocolPath> {
  const aws = await startAwsPath();
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
    connect: async () => {
      const client = await openSocket(aws.url(), violations);
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
