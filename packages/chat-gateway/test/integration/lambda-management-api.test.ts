import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayChannel } from '../../src/adapters/aws/apigw-channel.js';
import { ApiGatewayConnections } from '../../src/adapters/aws/apigw-connections.js';
import { ClientGoneError } from '../../src/errors.js';
import { MAX_FRAME_BYTES, type ServerFrame } from '../../src/protocol/frames.js';
import {
  startApiGatewayWebSocketEmulator,
  type ApiGatewayWebSocketEmulator,
  type EmulatorHandlers,
} from '../support/apigw-websocket-emulator.js';
import { ChatClient } from '../support/ws-client.js';

/** Every connection allowed, every route accepted: only the management API is under test. */
const allow: EmulatorHandlers = {
  authorizer: (e) =>
    Promise.resolve({
      principalId: 'x',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: e.methodArn }],
      },
    }),
  routes: () => Promise.resolve({ statusCode: 200 }),
};

describe('API Gateway management channel with the real @aws-sdk/client-apigatewaymanagementapi, against a local API Gateway WebSocket emulator', () => {
  let apigw: ApiGatewayWebSocketEmulator;
  let connections: ApiGatewayConnections;
  beforeAll(async () => {
    apigw = await startApiGatewayWebSocketEmulator(allow);
    const client = new ApiGatewayManagementApiClient({
      endpoint: apigw.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    connections = new ApiGatewayConnections({
      endpoint: apigw.managementEndpoint,
      region: 'us-east-1',
      client,
    });
  });
  afterAll(async () => {
    connections?.destroy();
    await apigw?.close();
  });

  async function open(): Promise<{ client: ChatClient; channel: ApiGatewayChannel }> {
    const client = await ChatClient.open(apigw.wsUrl);
    return { client, channel: new ApiGatewayChannel(apigw.connected.at(-1)!, connections) };
  }

  it('splits a text delta over the 128 KB frame limit into several deltas, in order, never cutting a character', async () => {
    const { client, channel } = await open();
    const delta = 'Zeile mit "Anführungszeichen" und 🚀\n'.repeat(9000); // ~350 KB once escaped
    await channel.send({ type: 'text-delta', messageId: 'M1', delta });
    await channel.send({ type: 'text-delta', messageId: 'M1', delta: 'end' });
    await client.next('text-delta', (f) => f.delta === 'end');
    const deltas = client.of('text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((d) => d.delta).join('')).toBe(`${delta}end`);
    const posted = apigw.calls.filter(
      (c) => c.connectionId === channel.connectionId && c.method === 'POST',
    );
    expect(posted.every((c) => c.status === 200 && c.bytes <= MAX_FRAME_BYTES)).toBe(true);
    await client.close();
  });

  it('shortens a finish frame and a history page that would not fit, keeping them valid', async () => {
    const { client, channel } = await open();
    const content = 'x'.repeat(200_000);
    const response = {
      sessionId: 's',
      messageId: 'M2',
      content,
      timestamp: new Date(0).toISOString(),
      sources: [],
      toolsUsed: [],
      queryType: 'general' as const,
      responseTime: 1,
    };
    await channel.send({ type: 'finish', messageId: 'M2', finishReason: 'stop', response });
    const finish = await client.next('finish');
    expect(finish.response.content.length).toBeLessThan(content.length);
    expect(finish.response.content).toMatch(/more characters not shown/);
    const messages = Array.from({ length: 4 }, (_, i) => ({
      messageId: `0000000000000000000000000${i}`,
      role: 'user' as const,
      content: 'y'.repeat(50_000),
      timestamp: new Date(0).toISOString(),
    })).reverse();
    await channel.send({ type: 'history', messages } satisfies ServerFrame);
    const history = await client.next('history');
    expect(history.messages.length).toBeLessThan(4);
    expect(history.before).toBe(history.messages.at(-1)?.messageId);
    expect(client.violations).toEqual([]);
    await client.close();
  });

  it('maps GoneException to ClientGoneError once the socket is closed; deleting a gone connection is fine', async () => {
    const { client, channel } = await open();
    await client.close();
    await expect(
      channel.send({ type: 'error', code: 'X', message: 'x', retryable: false }),
    ).rejects.toBeInstanceOf(ClientGoneError);
    expect(apigw.calls.at(-1)).toMatchObject({ connectionId: channel.connectionId, status: 410 });
    await expect(connections.delete(channel.connectionId)).resolves.toBeUndefined();
  });

  it('DeleteConnection closes an open socket', async () => {
    const { client, channel } = await open();
    const closed = client.closed();
    await channel.close();
    expect((await closed).code).toBe(1000);
  });
});
