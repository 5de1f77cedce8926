import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from 'chatbot-mcp-server/core';
import { createDocumentClient, DynamoDbRecordStore } from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOWED_ORIGIN,
  AUTH_TOKEN,
  MODEL_ID,
  startAwsPath,
  type AwsPath,
} from '../support/apigw-aws-path.js';
import {
  converseText,
  converseToolUse,
  converseEnd,
  converseRoute,
} from '../support/fake-bedrock-converse-server.js';
import { createIdGenerator } from '../../src/sessions/ids.js';
import { ChatClient } from '../support/ws-client.js';

const origin = { headers: { origin: ALLOWED_ORIGIN } };

async function until(
  test: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  for (const end = Date.now() + ms; !(await test()); await sleep(50))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

describe('AWS path through a local API Gateway WebSocket emulator (Lambda handlers in-process, Lambda Invoke emulator, DynamoDB Local, fake Bedrock ConverseStream server)', () => {
  let aws: AwsPath;
  beforeAll(async () => {
    // An answer whose client left goes on this long (CHAT_DETACHED_TURN_SECONDS), then stops.
    aws = await startAwsPath({ env: { CHAT_DETACHED_TURN_SECONDS: '1' } });
  }, 120_000);
  afterAll(async () => {
    await aws?.close();
  });

  it('a real ws client gets its session, then a cited answer streamed through PostToConnection', async () => {
    aws.bedrock.enqueue(converseRoute('rag'), {
      items: converseText([
        'To roll back, ',
        'redeploy the previous release ',
        'as the runbook says [1].',
      ]),
    });
    const c = await ChatClient.open(aws.url(), origin);
    const session = await c.next('session');
    expect(session).toMatchObject({ resumed: false, model: `bedrock:${MODEL_ID}` });
    expect(session.resumeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    c.send({ type: 'message', id: 'm1', content: 'How do I roll back a deployment?' });
    const finish = await c.next('finish');
    expect(c.of('start')[0]).toMatchObject({ queryType: 'rag', replyTo: 'm1' });
    expect(c.of('source')[0]).toMatchObject({ n: 1, source: 'deployment-runbook.md' });
    expect(c.of('text-delta').map((d) => d.delta)).toEqual([
      'To roll back, ',
      'redeploy the previous release ',
      'as the runbook says [1].',
    ]);
    expect(finish).toMatchObject({
      finishReason: 'stop',
      response: {
        sessionId: session.sessionId,
        queryType: 'rag',
        sources: ['deployment-runbook.md'],
      },
    });
    expect(c.violations).toEqual([]);

    // The turn went to the engine function asynchronously; no secret travelled with it.
    const invokes = aws.lambda.invocations.filter((i) => i.functionName === 'chatbot-engine');
    expect(invokes.map((i) => i.invocationType)).toEqual(['Event', 'Event']);
    expect(invokes[1]?.payload).toMatchObject({
      kind: 'turn',
      sessionId: session.sessionId,
      clientMessageId: 'm1',
    });
    expect(JSON.stringify(invokes)).not.toContain(session.resumeToken);

    // The history has the two messages and none of the store's markers.
    c.send({ type: 'history' });
    const history = await c.next('history');
    expect(history.messages.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(history.messages[0]?.content).toContain('[1]');

    // A repeated client id is answered once.
    c.send({ type: 'message', id: 'm1', content: 'again' });
    expect(await c.next('error')).toMatchObject({ code: 'DUPLICATE_MESSAGE', replyTo: 'm1' });
    await c.close();
  });

  it('a client that disconnects mid-answer: the answer goes on until CHAT_DETACHED_TURN_SECONDS, then stops as a cancel does; what was said stays', async () => {
    aws.bedrock.enqueue(converseRoute('rag'), {
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        {
          event: 'contentBlockDelta',
          body: { contentBlockIndex: 0, delta: { text: 'The first part of the answer' } },
        },
        { stall: true },
      ],
    });
    const c = await ChatClient.open(aws.url(), origin);
    const session = await c.next('session');
    c.send({
      type: 'message',
      id: 'gone-1',
      content: 'What does the incident policy say about severity?',
    });
    await c.next('text-delta');
    const connectionId = aws.apigw.connected.at(-1)!;
    expect(aws.bedrock.openStreams()).toBe(1);
    await c.close();
    const closedAt = aws.apigw.calls.length;

    // $disconnect marks the connection gone; nobody resumes, so after the detach deadline the
    // engine's poll aborts the model stream.
    await until(() => aws.bedrock.openStreams() === 0, 'the model stream to be aborted');
    await aws.lambda.settled();
    const after = aws.apigw.calls
      .slice(closedAt)
      .filter((call) => call.connectionId === connectionId);
    expect(after.filter((call) => call.status === 200)).toEqual([]);

    // The partial answer is stored: a new connection resumes the session and reads it.
    const again = await ChatClient.open(aws.url(), origin);
    await again.next('session');
    again.send({ type: 'resume', sessionId: session.sessionId, resumeToken: session.resumeToken });
    await again.next('session', (s) => s.resumed);
    again.send({ type: 'history' });
    const history = await again.next('history');
    expect(history.messages[0]).toMatchObject({
      role: 'assistant',
      content: 'The first part of the answer',
      finishReason: 'cancelled',
    });
    expect(history.messages[1]).toMatchObject({ role: 'user', clientMessageId: 'gone-1' });
    await again.close();
  });

  it('refuses the upgrade with 403 for a missing or wrong token and for a foreign Origin', async () => {
    await expect(ChatClient.open(aws.apigw.wsUrl, origin)).rejects.toThrow('HTTP 403');
    await expect(ChatClient.open(aws.url('wrong-token-wrong-token'), origin)).rejects.toThrow(
      'HTTP 403',
    );
    await expect(
      ChatClient.open(aws.url(), { headers: { origin: 'https://evil.example' } }),
    ).rejects.toThrow('HTTP 403');
    // The header form of the token is accepted.
    const c = await ChatClient.open(aws.apigw.wsUrl, {
      headers: { ...origin.headers, authorization: `Bearer ${AUTH_TOKEN}` },
    });
    await c.next('session');
    await c.close();
  });

  it('a destructive tool call waits for confirm: another session cannot approve it, its own session can', async () => {
    const owner = await ChatClient.open(aws.url(), origin);
    await owner.next('session');
    owner.send({
      type: 'message',
      id: 'c1',
      content: '/call create_record {"table":"notes","data":{"id":"aws-1","title":"delete me"}}',
    });
    await owner.next('finish', (f) => f.response.toolsUsed.includes('create_record'));
    owner.send({
      type: 'message',
      id: 'c2',
      content: '/call delete_record {"table":"notes","record_id":"aws-1"}',
    });
    const request = await owner.next('confirm-request');

    const other = await ChatClient.open(aws.url(), origin);
    await other.next('session');
    other.send({ type: 'confirm', toolCallId: request.toolCallId, approve: true });
    expect(await other.next('error')).toMatchObject({ code: 'NOT_FOUND', replyTo: 'confirm' });
    await sleep(300);
    expect(owner.of('tool-result').filter((r) => r.toolCallId === request.toolCallId)).toEqual([]);
    expect(
      (await aws.tools.callTool('read_record', { table: 'notes', record_id: 'aws-1' })).isError,
    ).toBe(false);

    owner.send({ type: 'confirm', toolCallId: request.toolCallId, approve: true });
    const result = await owner.next('tool-result', (r) => r.toolCallId === request.toolCallId);
    expect(result.isError).toBe(false);
    await owner.next('finish', (f) => f.response.toolsUsed.includes('delete_record'));
    expect(
      (await aws.tools.callTool('read_record', { table: 'notes', record_id: 'aws-1' })).isError,
    ).toBe(true);
    await other.close();
    await owner.close();
  });

  it('a model repeating a tool-use id: each destructive call asks again (the approval markers use the gateway-minted call ids)', async () => {
    for (const id of ['dup-1', 'dup-2'])
      await aws.tools.callTool('create_record', { table: 'notes', data: { id, title: id } });
    const deleteSameId = (recordId: string) => ({
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        ...converseToolUse(0, 'toolu_same', 'delete_record', [
          JSON.stringify({ table: 'notes', record_id: recordId }),
        ]),
        ...converseEnd('tool_use'),
      ],
    });
    const exists = async (id: string) =>
      !(await aws.tools.callTool('read_record', { table: 'notes', record_id: id })).isError;
    const c = await ChatClient.open(aws.url(), origin);
    await c.next('session');
    aws.bedrock.enqueue(converseRoute('mcp_tool'), deleteSameId('dup-1'), {
      items: converseText(['Deleted.']),
    });
    c.send({ type: 'message', id: 'd1', content: 'delete the note dup-1' });
    const first = await c.next('confirm-request');
    c.send({ type: 'confirm', toolCallId: first.toolCallId, approve: true });
    await c.next('finish', (f) => f.response.content === 'Deleted.');
    expect(await exists('dup-1')).toBe(false);

    // The same model id again in the same session: asked again, not approved by the old decision.
    aws.bedrock.enqueue(converseRoute('mcp_tool'), deleteSameId('dup-2'), {
      items: converseText(['Kept it.']),
    });
    c.send({ type: 'message', id: 'd2', content: 'delete the note dup-2' });
    const second = await c.next('confirm-request', (r) => r.toolCallId !== first.toolCallId);
    expect(second.input).toMatchObject({ record_id: 'dup-2' });
    await sleep(300);
    expect(await exists('dup-2')).toBe(true);
    c.send({ type: 'confirm', toolCallId: second.toolCallId, approve: false });
    await c.next('finish', (f) => f.response.content === 'Kept it.');
    expect(await exists('dup-2')).toBe(true);
    await c.close();
  });

  it('cancel reaches the running turn in the engine function through the store', async () => {
    aws.bedrock.enqueue(converseRoute('general'), {
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        {
          event: 'contentBlockDelta',
          body: { contentBlockIndex: 0, delta: { text: 'Thinking about it' } },
        },
        { stall: true },
      ],
    });
    const c = await ChatClient.open(aws.url(), origin);
    await c.next('session');
    c.send({ type: 'message', id: 'x1', content: 'Tell me a long story' });
    await c.next('text-delta');
    c.send({ type: 'cancel', messageId: 'x1' });
    const finish = await c.next('finish');
    expect(finish).toMatchObject({
      finishReason: 'cancelled',
      response: { content: 'Thinking about it' },
    });
    await until(() => aws.bedrock.openStreams() === 0, 'the model stream to be aborted');
    await c.close();
  });

  it('a message whose engine invocation died (claim lease ran out, user message stored, no answer) is answered when sent again, once', async () => {
    const c = await ChatClient.open(aws.url(), origin);
    const { sessionId } = await c.next('session');
    // What a turn killed mid-answer leaves: its claim, running, with a lapsed lease; its question.
    const client = createDocumentClient({
      region: 'local',
      endpoint: aws.dynamoEndpoint,
      localCredentials: true,
    });
    const conversations = loadConfig({}).tables.find((t) => t.alias === 'conversations')!;
    const records = new DynamoDbRecordStore({ client });
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    await records.create(conversations, {
      sessionId,
      messageId: '~claim#lost',
      clientMessageId: 'lost',
      owner: 'a-dead-engine-invocation',
      state: 'running',
      leaseUntil: Date.now() - 1000,
      ttl,
      version: 1,
    });
    const questionId = createIdGenerator()();
    await records.create(conversations, {
      sessionId,
      messageId: questionId,
      messageType: 'user',
      content: 'hello?',
      clientMessageId: 'lost',
      timestamp: new Date().toISOString(),
      ttl,
      version: 1,
    });
    client.destroy();

    aws.bedrock.enqueue(converseRoute('general'), { items: converseText(['Here now.']) });
    c.send({ type: 'message', id: 'lost', content: 'hello?' });
    const finish = await c.next('finish');
    expect(c.of('error')).toEqual([]);
    expect(finish.response.content).toBe('Here now.');
    c.send({ type: 'history' });
    const history = await c.next('history');
    expect(history.messages.map((m) => [m.role, m.messageId === questionId])).toEqual([
      ['assistant', false],
      ['user', true],
    ]);
    expect(history.messages[0]!.replyTo).toBe(questionId);
    c.send({ type: 'message', id: 'lost', content: 'hello?' });
    expect(await c.next('error')).toMatchObject({ code: 'DUPLICATE_MESSAGE', replyTo: 'lost' });
    await c.close();
  });

  it('the scheduled cleanup closes a session idle past the timeout and deletes its connection', async () => {
    const idle = await ChatClient.open(aws.url(), origin);
    const session = await idle.next('session');
    const active = await ChatClient.open(aws.url(), origin);
    await active.next('session');
    const closed = idle.closed();
    // Age the session as two hours of silence would.
    const client = createDocumentClient({
      region: 'local',
      endpoint: aws.dynamoEndpoint,
      localCredentials: true,
    });
    const sessions = loadConfig({}).tables.find((t) => t.alias === 'sessions')!;
    await new DynamoDbRecordStore({ client }).update(
      sessions,
      { sessionId: session.sessionId },
      { lastActivity: new Date(Date.now() - 2 * 3600_000).toISOString() },
    );
    client.destroy();

    expect((await aws.cleanup()).closed).toBeGreaterThanOrEqual(1);
    expect((await closed).code).toBe(1000);
    // Its resume token no longer works; the active session is untouched.
    const again = await ChatClient.open(aws.url(), origin);
    await again.next('session');
    again.send({ type: 'resume', sessionId: session.sessionId, resumeToken: session.resumeToken });
    expect(await again.next('error')).toMatchObject({
      code: 'SESSION_NOT_FOUND',
      replyTo: 'resume',
    });
    active.send({ type: 'history' });
    await active.next('history');
    await again.close();
    await active.close();
  });
});
