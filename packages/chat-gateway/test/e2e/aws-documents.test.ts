/**
 * The documents panel (`documents`) and the document viewer (`document`) on the AWS path: the
 * real WebSocket function behind the LOCAL API GATEWAY WEBSOCKET EMULATOR reads them from the
 * built MCP server Lambda through the LOCAL LAMBDA INVOKE EMULATOR (as the engine does), with
 * the tables on DynamoDB Local. A stand-in `$connect` authorizer signs people in as the Cognito
 * authorizer does (issuer, sub and groups in the authorizer context); the shared token is
 * nobody. Each reads as themselves: alice sees her private document, bob and the shared token
 * do not, and bob asking for it by name is told it does not exist.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/protocol/frames.js';
import {
  ALLOWED_ORIGIN,
  AUTH_TOKEN,
  startAwsPath,
  type AwsPath,
} from '../support/apigw-aws-path.js';
import { ChatClient } from '../support/ws-client.js';

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1';
const PEOPLE: Record<string, { sub: string; groups: string[] }> = {
  'alice-token-0123456789': { sub: 'alice', groups: ['staff'] },
  'bob-token-0123456789ab': { sub: 'bob', groups: ['staff'] },
};
const PRIVATE = 'private/alice-plan.md';
const LONG = 'handbook/long-manual.md';
/** Far past the first 40,000 characters the viewer sends of a long document. */
const NEEDLE = 'The quokka escalation path runs through the night desk before the duty manager.';

/** Allows the shared token (nobody) and the two people's tokens (signed in), as the real ones do. */
async function authorizer(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.token ?? '';
  const person = PEOPLE[token];
  const allowed = person !== undefined || token === AUTH_TOKEN;
  return Promise.resolve({
    principalId: person?.sub ?? 'shared-token',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: allowed ? 'Allow' : 'Deny',
          Resource: event.methodArn,
        },
      ],
    },
    ...(person && {
      context: { issuer: ISSUER, sub: person.sub, groups: JSON.stringify(person.groups) },
    }),
  });
}

const mcpInvocations = (aws: AwsPath): number =>
  aws.lambda.invocations.filter((i) => i.functionName === 'chatbot-mcp-server').length;

async function open(aws: AwsPath, token: string): Promise<ChatClient> {
  const c = await ChatClient.open(aws.url(token), { headers: { origin: ALLOWED_ORIGIN } });
  await c.next('session', () => true, 30_000);
  return c;
}

/** Sends `frame` and waits for the next frame of `type` (or an error) after those already in. */
async function ask<T extends ServerFrame['type']>(
  c: ChatClient,
  frame: unknown,
  type: T,
): Promise<Extract<ServerFrame, { type: T }> | Extract<ServerFrame, { type: 'error' }>> {
  const before = c.frames.length;
  const after = (f: ServerFrame): boolean => c.frames.indexOf(f) >= before;
  c.send(frame);
  return Promise.race([c.next(type, after, 30_000), c.next('error', after, 30_000)]);
}

async function listed(c: ChatClient): Promise<string[]> {
  const frame = await ask(c, { type: 'documents' }, 'documents');
  if (frame.type !== 'documents') throw new Error(`documents refused: ${JSON.stringify(frame)}`);
  return frame.documents.map((d) => d.source).sort();
}

describe('documents panel and viewer on the AWS path: WebSocket function -> MCP server Lambda (API Gateway and Lambda Invoke EMULATORS, DynamoDB Local)', () => {
  let aws: AwsPath;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    aws = await startAwsPath({ authorizer });
    const ingest = async (args: Record<string, unknown>): Promise<void> => {
      const result = await aws.tools.callTool('ingest_document', args);
      expect(result.isError, result.text).toBe(false);
    };
    await ingest({
      source: PRIVATE,
      title: 'Alice plan',
      content: '# Alice plan\n\nThe amethyst milestone ships in spring; only alice may read this.',
      content_type: 'text/markdown',
      access: { users: ['alice'] },
    });
    const filler = Array.from(
      { length: 700 },
      (_, i) => `Section ${i} of the manual covers routine procedure number ${i} in detail.`,
    ).join('\n\n');
    await ingest({
      source: LONG,
      title: 'Long manual',
      content: `# Long manual\n\n${filler}\n\n## Escalation\n\n${NEEDLE}\n`,
      content_type: 'text/markdown',
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.socket.close();
    await aws?.close();
  });

  it('other frames never call the MCP server; the panel then lists what the connection may read', async () => {
    const anon = await open(aws, AUTH_TOKEN);
    clients.push(anon);
    await aws.lambda.settled();
    const before = mcpInvocations(aws);
    expect(await ask(anon, { type: 'history' }, 'history')).toMatchObject({ type: 'history' });
    // Answered from the store (here: nothing to rate), never from the MCP server.
    expect(
      await ask(anon, { type: 'feedback', messageId: 'none', rating: 'up' }, 'feedback'),
    ).toMatchObject({ type: 'error', code: 'NOT_FOUND', replyTo: 'feedback' });
    await aws.lambda.settled();
    expect(mcpInvocations(aws)).toBe(before);

    expect(await listed(anon)).toEqual(
      ['deployment-runbook.md', LONG, 'incident-policy.md'].sort(),
    );
    expect(mcpInvocations(aws)).toBeGreaterThan(before);
    expect(anon.violations).toEqual([]);
  }, 120_000);

  it("a signed-in user's panel holds their private document; another user's does not", async () => {
    const alice = await open(aws, 'alice-token-0123456789');
    const bob = await open(aws, 'bob-token-0123456789ab');
    clients.push(alice, bob);
    expect(await listed(alice)).toContain(PRIVATE);
    const bobs = await listed(bob);
    expect(bobs).not.toContain(PRIVATE);
    expect(bobs).toContain('incident-policy.md');
  }, 120_000);

  it('the viewer: the whole text of a short document; a private one only for its reader (NOT_FOUND for others, as a missing one)', async () => {
    const alice = await open(aws, 'alice-token-0123456789');
    const bob = await open(aws, 'bob-token-0123456789ab');
    clients.push(alice, bob);
    const mine = await ask(
      alice,
      { type: 'document', source: PRIVATE, snippet: 'amethyst' },
      'document',
    );
    expect(mine).toMatchObject({
      type: 'document',
      source: PRIVATE,
      title: 'Alice plan',
      offset: 0,
      mimeType: 'text/markdown',
    });
    expect(mine.type === 'document' && mine.text).toContain(
      'The amethyst milestone ships in spring',
    );

    const refused = await ask(bob, { type: 'document', source: PRIVATE }, 'document');
    const missing = await ask(bob, { type: 'document', source: 'no/such.md' }, 'document');
    expect(refused).toMatchObject({ type: 'error', code: 'NOT_FOUND', replyTo: 'document' });
    expect(missing).toMatchObject({ type: 'error', code: 'NOT_FOUND', replyTo: 'document' });
    // A forbidden document reads exactly like a missing one (its name aside).
    expect(refused.type === 'error' && refused.message.replace(PRIVATE, 'X')).toBe(
      missing.type === 'error' && missing.message.replace('no/such.md', 'X'),
    );
  }, 120_000);

  it('the viewer on a long document: the part around the cited snippet, with its offset', async () => {
    const anon = await open(aws, AUTH_TOKEN);
    clients.push(anon);
    const frame = await ask(
      anon,
      { type: 'document', source: LONG, snippet: NEEDLE.slice(0, 60) },
      'document',
    );
    if (frame.type !== 'document') throw new Error(`viewer refused: ${JSON.stringify(frame)}`);
    expect(frame.totalChars).toBeGreaterThan(40_000);
    expect(frame.text.length).toBe(40_000);
    expect(frame.offset).toBeGreaterThan(0);
    expect(frame.offset + frame.text.length).toBeLessThanOrEqual(frame.totalChars);
    // The offset places the passage where it is in the whole document.
    const at = frame.text.indexOf(NEEDLE);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(frame.offset + at).toBeGreaterThan(40_000);
    expect(anon.violations).toEqual([]);
  }, 120_000);
});
