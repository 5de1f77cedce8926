/**
 * Per-user access, as a matrix: every client frame type of the chat protocol (read from
 * `client-frames.schema.json`, so a new frame type without a row here fails) × another user's
 * object (session, conversation, message id, answer id, tool call id, document source), on the
 * local core and the AWS handlers in-process (`protocol-paths.ts`, over an MCP stand-in that
 * reads as the caller it is given) and on the AWS path as deployed (`apigw-protocol-path.ts`:
 * real sockets through the API Gateway emulator, whose authorizer context carries the user to
 * every route, DynamoDB Local, the MCP server Lambda holding Alice's document) and on the local
 * server as run (`local-server-path.ts`: OIDC sign-in through oidc-provider, real sockets).
 * Alice owns the objects (and, where anonymous people connect, a stranger owns a conversation);
 * Bob (signed in) and an anonymous caller go after them. What they get
 * must be exactly what an unknown id gets (same code, same words once the id is named the same,
 * same `retryable`), nothing of Alice's may show, and at the end Alice's objects are as she left
 * them. Both answers take the same store reads (no timing is measured here: that belongs in a
 * benchmark).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/ports/session-store.js';
import type { ToolCaller, ToolClient } from '../../src/ports/tool-client.js';
import type { ClientFrame, ServerFrame } from '../../src/protocol/frames.js';
import { apigwPath } from '../support/apigw-protocol-path.js';
import { localServerPath } from '../support/local-server-path.js';
import {
  lambdaPath,
  localPath,
  type PathClient,
  type ProtocolPath,
} from '../support/protocol-paths.js';

interface FrameSchema {
  oneOf: { $ref: string }[];
  $defs: Record<string, { properties?: { type?: { const?: string } } }>;
}
const schema = JSON.parse(
  readFileSync(new URL('../../src/protocol/client-frames.schema.json', import.meta.url), 'utf8'),
) as FrameSchema;
/** Every client frame type the protocol takes. */
const FRAME_TYPES = schema.oneOf.map((r) => {
  const type = schema.$defs[r.$ref.split('/').at(-1)!]?.properties?.type?.const;
  if (!type) throw new Error(`client frame ${r.$ref} has no type constant`);
  return type;
});

const ISSUER = 'https://idp.example.test';
const ALICE: Identity = { issuer: ISSUER, subject: 'alice', groups: ['staff'] };
const BOB: Identity = { issuer: ISSUER, subject: 'bob', groups: ['staff'] };
/** Alice's words: none of them may reach anybody else. */
const SECRET = 'amethyst';
/** What only Alice's document says: an answer to anybody else must not know it. */
const PRIVATE_FACT = 'Octember';
const PRIVATE_DOC = 'private/alice-plan.md';
const PUBLIC_DOC = 'public/handbook.md';

/**
 * The MCP server as the gateway sees it: one document for everyone, one for Alice alone, read
 * as the caller the gateway names (no caller at all is the trusted operator, who reads
 * everything: a gateway that forgot to name the connection's user would show Alice's plan);
 * and one destructive tool, so that `/call` asks for approval.
 */
function accessTools(): ToolClient & { wiped: number } {
  const mayRead = (source: string, caller: ToolCaller | undefined): boolean =>
    source === PUBLIC_DOC ||
    (source === PRIVATE_DOC &&
      (caller === undefined || (caller !== 'anonymous' && caller.subject === 'alice')));
  const docs = [PUBLIC_DOC, PRIVATE_DOC];
  const tools = {
    wiped: 0,
    listTools: () =>
      Promise.resolve([
        {
          name: 'wipe_notes',
          description: 'Deletes every note.',
          inputSchema: { type: 'object', properties: {} },
          annotations: { destructiveHint: true },
        },
      ]),
    callTool: (name: string, _args: unknown, options?: { caller?: ToolCaller }) => {
      if (name === 'wipe_notes') {
        tools.wiped += 1;
        return Promise.resolve({ isError: false, text: 'wiped' });
      }
      if (name !== 'list_documents') return Promise.resolve({ isError: true, text: 'no tool' });
      const documents = docs
        .filter((source) => mayRead(source, options?.caller))
        .map((source) => ({ source, chunks: 1, ingested_at: '2026-12-01' }));
      return Promise.resolve({ isError: false, text: '', structured: { documents } });
    },
    readDocument: (source: string, options?: { caller?: ToolCaller }) =>
      Promise.resolve(
        docs.includes(source) && mayRead(source, options?.caller)
          ? {
              source,
              text:
                source === PRIVATE_DOC
                  ? `The ${SECRET} plan ships in ${PRIVATE_FACT}.`
                  : 'Be kind.',
              mimeType: 'text/markdown',
            }
          : undefined,
      ),
    close: () => Promise.resolve(),
  };
  return tools;
}

/** What the client got for `frame`: the first frame of `type`, or an error naming the frame. */
async function answer(
  client: PathClient,
  frame: ClientFrame,
  type: ServerFrame['type'],
): Promise<ServerFrame> {
  const from = client.channel.frames.length;
  const replyTo = 'id' in frame ? frame.id : frame.type;
  await client.send(frame);
  const fresh = (f: ServerFrame): boolean => client.channel.frames.indexOf(f) >= from;
  const got = await Promise.race([
    client.channel.next(type, fresh, 20_000),
    client.channel.next('error', (f) => fresh(f) && f.replyTo === replyTo, 20_000),
  ]);
  // Whether an answer is numbered is the resume suites' concern.
  const rest: Record<string, unknown> = { ...got };
  delete rest.seq;
  return rest as unknown as ServerFrame;
}

/** The answer with `id` written as `<id>`: one for a foreign id equals one for an unknown id. */
function named(frame: ServerFrame, id: string): unknown {
  return JSON.parse(JSON.stringify(frame).replaceAll(id, '<id>')) as unknown;
}

/** Alice's objects, made before the rows run. */
interface Owned {
  /** The conversation with her question, answer, feedback and a renamed title. */
  sessionId: string;
  /** Its current resume token (held by her tab; a leaked copy must not open it for others). */
  token(): string;
  clientMessageId: string;
  answerId: string;
  /** The turn of hers that waits for her approval of a destructive call. */
  waitingMessageId: string;
  toolCallId: string;
  /** A conversation of hers open in as many tabs as a session may have. */
  fullSessionId: string;
  fullToken(): string;
  title: string;
  /**
   * Where anonymous people connect (the shared token): a conversation of one of them, which no
   * one else may open without its token, rename or delete either.
   */
  strangerSessionId?: string;
}

type Attacker = { name: string; identity: Identity | undefined };
const ATTACKERS: Attacker[] = [
  { name: 'Bob (signed in)', identity: BOB },
  { name: 'anonymous', identity: undefined },
];

type Row = (ctx: {
  path: ProtocolPath;
  alice: Owned;
  attacker: PathClient;
  who: Attacker;
}) => Promise<void>;

/**
 * Asserts that `foreign` (naming Alice's `id`) and `unknown` (naming `unknownId`) are answered
 * alike, as `type` or an error; returns the foreign answer.
 */
async function sameAsUnknown(
  client: PathClient,
  foreign: ClientFrame,
  id: string,
  unknown: ClientFrame,
  unknownId: string,
  type: ServerFrame['type'],
): Promise<ServerFrame> {
  const got = await answer(client, foreign, type);
  const baseline = await answer(client, unknown, type);
  expect(named(got, id)).toEqual(named(baseline, unknownId));
  expect(JSON.stringify(got)).not.toContain(SECRET);
  return got;
}

/** The conversations of others: Alice's, and an anonymous stranger's where there is one. */
const others = (alice: Owned): string[] =>
  [alice.sessionId, alice.strangerSessionId].filter((id): id is string => id !== undefined);

const rows: Record<ClientFrame['type'], Row> = {
  // A client message id is per session: Alice's id is no duplicate in another session. The
  // answer searches as the asker: where a real MCP server answers (the local server's offline
  // engine looks the question up in the documents), nothing of her document may come back.
  message: async ({ attacker, alice }) => {
    const from = attacker.channel.frames.length;
    const got = await answer(
      attacker,
      {
        type: 'message',
        id: alice.clientMessageId,
        // Alice's question in other words: her name for the plan stays hers.
        content: 'When does the plan ship? #2',
      },
      'start',
    );
    expect(got).toMatchObject({ type: 'start', replyTo: alice.clientMessageId });
    await attacker.channel.next('finish', (f) => f.messageId !== alice.answerId, 20_000);
    const said = JSON.stringify(attacker.channel.frames.slice(from));
    expect(said).not.toContain(PRIVATE_FACT);
    expect(said).not.toContain(PRIVATE_DOC);
  },
  resume: async ({ attacker, alice }) => {
    const variants: [string, string | undefined][] = [
      [alice.sessionId, undefined],
      [alice.sessionId, alice.token()],
      [alice.fullSessionId, undefined],
      // A full session: its cap must not tell a stranger it exists.
      [alice.fullSessionId, alice.fullToken()],
      ...(alice.strangerSessionId
        ? [[alice.strangerSessionId, undefined] as [string, undefined]]
        : []),
    ];
    for (const [sessionId, resumeToken] of variants) {
      const got = await sameAsUnknown(
        attacker,
        { type: 'resume', sessionId, ...(resumeToken && { resumeToken }) },
        sessionId,
        {
          type: 'resume',
          sessionId: 'no-such-session',
          ...(resumeToken && { resumeToken: 'x'.repeat(43) }),
        },
        'no-such-session',
        'session',
      );
      expect(got).toMatchObject({ type: 'error', code: 'SESSION_NOT_FOUND' });
    }
  },
  confirm: async ({ attacker, alice }) => {
    const got = await sameAsUnknown(
      attacker,
      { type: 'confirm', toolCallId: alice.toolCallId, approve: true },
      alice.toolCallId,
      { type: 'confirm', toolCallId: 'no-such-call', approve: true },
      'no-such-call',
      'finish',
    );
    expect(got).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  },
  history: async ({ attacker, alice }) => {
    const got = await sameAsUnknown(
      attacker,
      { type: 'history', before: alice.answerId },
      alice.answerId,
      { type: 'history', before: 'no-such-message' },
      'no-such-message',
      'history',
    );
    expect(got).toMatchObject({ type: 'history', messages: [] });
  },
  cancel: async ({ attacker, alice }) => {
    const got = await sameAsUnknown(
      attacker,
      { type: 'cancel', messageId: alice.waitingMessageId },
      alice.waitingMessageId,
      { type: 'cancel', messageId: 'no-such-message' },
      'no-such-message',
      'finish',
    );
    expect(got).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  },
  document: async ({ attacker }) => {
    const got = await sameAsUnknown(
      attacker,
      { type: 'document', source: PRIVATE_DOC, snippet: SECRET },
      PRIVATE_DOC,
      { type: 'document', source: 'private/nothing.md', snippet: SECRET },
      'private/nothing.md',
      'document',
    );
    expect(got).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    // The viewer works for what the caller may read: the refusal above is about whose it is.
    expect(
      await answer(attacker, { type: 'document', source: PUBLIC_DOC }, 'document'),
    ).toMatchObject({ type: 'document', source: PUBLIC_DOC });
  },
  feedback: async ({ attacker, alice }) => {
    const got = await sameAsUnknown(
      attacker,
      { type: 'feedback', messageId: alice.answerId, rating: 'down', reason: 'spite' },
      alice.answerId,
      { type: 'feedback', messageId: 'no-such-answer', rating: 'down', reason: 'spite' },
      'no-such-answer',
      'feedback',
    );
    expect(got).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  },
  documents: async ({ attacker }) => {
    const got = await answer(attacker, { type: 'documents' }, 'documents');
    expect(got).toMatchObject({
      type: 'documents',
      documents: expect.arrayContaining([
        expect.objectContaining({ source: PUBLIC_DOC }),
      ]) as unknown,
    });
    expect(JSON.stringify(got)).not.toContain(PRIVATE_DOC);
  },
  conversations: async ({ attacker, alice, who }) => {
    for (const frame of [
      { type: 'conversations' },
      { type: 'conversations', query: SECRET },
      { type: 'conversations', query: alice.title },
    ] as const) {
      const got = await answer(attacker, frame, 'conversations');
      expect(JSON.stringify(got)).not.toContain(alice.sessionId);
      expect(JSON.stringify(got)).not.toContain(SECRET);
      if (who.identity) expect(got).toMatchObject({ type: 'conversations' });
      else expect(got).toMatchObject({ type: 'error', code: 'SIGN_IN_REQUIRED' });
    }
    // A cursor names a position in the caller's own list: one made up from Alice's session is
    // answered as one from a session nobody has.
    const cursor = (sessionId: string): string =>
      Buffer.from(JSON.stringify(['9999-12-31T00:00:00.000Z', sessionId])).toString('base64url');
    await sameAsUnknown(
      attacker,
      { type: 'conversations', cursor: cursor(alice.sessionId) },
      alice.sessionId,
      { type: 'conversations', cursor: cursor('no-such-session') },
      'no-such-session',
      'conversations',
    );
  },
  'conversation-rename': async ({ attacker, alice }) => {
    for (const sessionId of others(alice)) {
      const got = await sameAsUnknown(
        attacker,
        { type: 'conversation-rename', sessionId, title: 'taken over' },
        sessionId,
        { type: 'conversation-rename', sessionId: 'no-such-session', title: 'taken over' },
        'no-such-session',
        'conversation-renamed',
      );
      expect(got).toMatchObject({ type: 'error' });
    }
  },
  'conversation-delete': async ({ attacker, alice }) => {
    for (const sessionId of others(alice)) {
      const got = await sameAsUnknown(
        attacker,
        { type: 'conversation-delete', sessionId },
        sessionId,
        { type: 'conversation-delete', sessionId: 'no-such-session' },
        'no-such-session',
        'conversation-deleted',
      );
      expect(got).toMatchObject({ type: 'error' });
    }
  },
};

async function ready(path: ProtocolPath, identity?: Identity): Promise<PathClient> {
  const client = await path.connect(identity);
  await client.channel.next('session');
  return client;
}

function latestToken(client: PathClient): string {
  const session = client.channel.of('session').at(-1);
  if (!session) throw new Error('no session frame');
  return session.resumeToken;
}

/**
 * A path with its MCP server: Alice's document and a destructive `/call` that waits for her
 * approval (`ran` counts how often it ran).
 */
interface Fixture {
  path: ProtocolPath;
  /** The engine answers from the documents, searched as the asker (the offline engine). */
  answersFromDocuments?: boolean;
  call: string;
  tool: string;
  ran(): Promise<number>;
}

const inProcess = (make: typeof localPath) => async (): Promise<Fixture> => {
  const tools = accessTools();
  return {
    path: await make({ tools, approvalTimeoutMs: 120_000 }),
    call: '/call wipe_notes {}',
    tool: 'wipe_notes',
    ran: () => Promise.resolve(tools.wiped),
  };
};

/** The real MCP server Lambda holds Alice's document; deleting a scratch document asks first. */
async function throughEmulators(): Promise<Fixture> {
  return withDocuments(await apigwPath({ signedIn: true, engineTimeoutMs: 300_000 }));
}

/** The local server with OIDC sign-in (only signed-in users connect). */
async function throughLocalServer(): Promise<Fixture> {
  return { ...(await withDocuments(await localServerPath())), answersFromDocuments: true };
}

/** Alice's document, a public one and a scratch one in the path's real MCP server. */
async function withDocuments(path: ProtocolPath & { tools: ToolClient }): Promise<Fixture> {
  const scratch = 'public/scratch.md';
  for (const [source, text, access] of [
    [PRIVATE_DOC, `The ${SECRET} plan ships in ${PRIVATE_FACT}.`, { users: ['alice'] }],
    [PUBLIC_DOC, 'Be kind.', undefined],
    [scratch, 'Delete me.', undefined],
  ] as const) {
    const ingested = await path.tools.callTool('ingest_document', {
      source,
      content: `# ${source}\n\n${text}`,
      content_type: 'text/markdown',
      ...(access && { access }),
    });
    if (ingested.isError) throw new Error(`could not ingest ${source}: ${ingested.text}`);
  }
  return {
    path,
    call: `/call delete_document {"source":"${scratch}"}`,
    tool: 'delete_document',
    ran: async () => ((await path.tools.readDocument(scratch)) ? 0 : 1),
  };
}

/** Alice's conversation with everything a row can go after, and a second one open in 8 tabs. */
async function aliceObjects({
  path,
  call,
  answersFromDocuments,
}: Fixture): Promise<{ owned: Owned; tab: PathClient }> {
  const tab = await ready(path, ALICE);
  const { sessionId } = tab.channel.of('session')[0]!;
  await tab.send({
    type: 'message',
    id: 'alice-q1',
    content: `When does the ${SECRET} plan ship? #3`,
  });
  const finish = await tab.channel.next('finish', () => true, 20_000);
  // Her answer knows her document where the engine looks questions up: Bob's must not.
  if (answersFromDocuments) expect(JSON.stringify(tab.channel.frames)).toContain(PRIVATE_FACT);
  const title = `Alice ${SECRET} plan`;
  await answer(tab, { type: 'conversation-rename', sessionId, title }, 'conversation-renamed');
  await answer(
    tab,
    { type: 'feedback', messageId: finish.messageId, rating: 'up', reason: 'spot on' },
    'feedback',
  );
  await tab.send({ type: 'message', id: 'alice-wipe', content: call });
  const request = await tab.channel.next('confirm-request');

  const full = [await ready(path, ALICE)];
  const fullSessionId = full[0]!.channel.of('session')[0]!.sessionId;
  while (full.length < 8) {
    const next = await ready(path, ALICE);
    await next.send({
      type: 'resume',
      sessionId: fullSessionId,
      resumeToken: latestToken(full[0]!),
    });
    await next.channel.next('session', (f) => f.resumed);
    full.push(next);
  }
  return {
    tab,
    owned: {
      sessionId,
      token: () => latestToken(tab),
      clientMessageId: 'alice-q1',
      answerId: finish.messageId,
      waitingMessageId: 'alice-wipe',
      toolCallId: request.toolCallId,
      fullSessionId,
      fullToken: () => latestToken(full[0]!),
      title,
    },
  };
}

/** Each path, and who goes after Alice's objects there (anonymous where the mode lets them in). */
const PATHS: [string, () => Promise<Fixture>, Attacker[]][] = [
  ['local core', inProcess(localPath), ATTACKERS],
  ['AWS handlers', inProcess(lambdaPath), ATTACKERS],
  ['AWS via API Gateway emulator', throughEmulators, ATTACKERS],
  ['local server with OIDC sign-in', throughLocalServer, ATTACKERS.filter((a) => a.identity)],
];

describe.each(PATHS)(
  'access matrix, every client frame × another user’s object: %s',
  (_, make, attackers) => {
    let fixture: Fixture;
    let path: ProtocolPath;
    let alice: Owned;
    let aliceTab: PathClient;
    let strangerTab: PathClient | undefined;
    beforeAll(async () => {
      fixture = await make();
      path = fixture.path;
      ({ owned: alice, tab: aliceTab } = await aliceObjects(fixture));
      if (attackers.some((a) => !a.identity)) {
        strangerTab = await ready(path);
        await strangerTab.send({
          type: 'message',
          id: 'stranger-q1',
          content: 'A stranger asks #2',
        });
        await strangerTab.channel.next('finish');
        alice.strangerSessionId = strangerTab.channel.of('session')[0]!.sessionId;
      }
    }, 120_000);
    afterAll(async () => {
      await path.close();
    });

    it('has one row per client frame type of the schema, and no row for a frame that is gone', () => {
      expect(Object.keys(rows).sort()).toEqual([...FRAME_TYPES].sort());
    });

    describe.each(attackers)('$name against Alice (and a stranger)', (who) => {
      it.each(FRAME_TYPES)(
        '%s',
        async (type) => {
          const row = rows[type as ClientFrame['type']];
          expect(row, `no matrix row for client frame type ${type}`).toBeDefined();
          const attacker = await ready(path, who.identity);
          await row({ path, alice, attacker, who });
          await attacker.drop();
        },
        30_000,
      );
    });

    it('leaves Alice’s objects (and the stranger’s) as they left them', async () => {
      const list = await answer(aliceTab, { type: 'conversations' }, 'conversations');
      expect(list).toMatchObject({
        type: 'conversations',
        items: expect.arrayContaining([
          expect.objectContaining({ sessionId: alice.sessionId, title: alice.title }),
        ]) as unknown,
      });
      const history = await answer(aliceTab, { type: 'history' }, 'history');
      expect(history).toMatchObject({
        messages: expect.arrayContaining([
          expect.objectContaining({
            messageId: alice.answerId,
            feedback: { rating: 'up', reason: 'spot on' },
          }),
        ]) as unknown,
      });
      // Her call still waits for her, neither run nor cancelled by anyone else.
      expect(await fixture.ran()).toBe(0);
      await aliceTab.send({ type: 'confirm', toolCallId: alice.toolCallId, approve: true });
      const done = await aliceTab.channel.next(
        'finish',
        (f) => f.messageId !== alice.answerId,
        30_000,
      );
      expect(done.finishReason).not.toBe('cancelled');
      expect(done.response.content).toContain(`\`${fixture.tool}\` done`);
      expect(await fixture.ran()).toBe(1);
      expect(
        await answer(aliceTab, { type: 'document', source: PRIVATE_DOC }, 'document'),
      ).toMatchObject({ type: 'document', source: PRIVATE_DOC });
      // Her token was never spent by the resumes of others: it opens the session from a new tab.
      const again = await ready(path, ALICE);
      expect(
        await answer(
          again,
          { type: 'resume', sessionId: alice.sessionId, resumeToken: alice.token() },
          'session',
        ),
      ).toMatchObject({ type: 'session', sessionId: alice.sessionId, resumed: true });
      if (strangerTab) {
        // The stranger's conversation too: still there, and their token still opens it.
        const theirs = await answer(strangerTab, { type: 'history' }, 'history');
        expect(JSON.stringify(theirs)).toContain('A stranger asks');
        const back = await ready(path);
        expect(
          await answer(
            back,
            {
              type: 'resume',
              sessionId: alice.strangerSessionId!,
              resumeToken: latestToken(strangerTab),
            },
            'session',
          ),
        ).toMatchObject({ type: 'session', resumed: true });
      }
      // Every frame on a real socket kept to the server-frame schema.
      expect(path.violations ?? []).toEqual([]);
    }, 60_000);
  },
);
