import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startFakeOpenSearchServer,
  type FakeOpenSearchServer,
} from '../../../mcp-server/test/support/fake-opensearch-server.js';
import {
  startFakeBedrockServer,
  type FakeBedrockServer,
} from '../../../mcp-server/test/support/fake-bedrock-server.js';
import { makePdf } from '../../../mcp-server/test/support/make-pdf.js';
import { createToolClient } from '../../src/adapters/create-tool-client.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import {
  startLambdaInvokeEmulator,
  type InvokedHandler,
  type LambdaInvokeEmulator,
} from '../support/apigw-lambda-invoke-emulator.js';
import { startFakeManagementApi, type FakeManagementApi } from '../support/fake-management-api.js';
import { startFakeS3Server, type FakeS3Server } from '../support/fake-s3-server.js';

const MCP_LAMBDA = new URL('../../../mcp-server/dist/transports/lambda.js', import.meta.url).href;

type Frame = Record<string, unknown>;

describe('upload on AWS: upload-form presigns, the browser-style POST lands in a LOCAL S3 STAND-IN, upload-ingest runs the MCP server Lambda (fake OpenSearch server, fake Bedrock embeddings server) and reports to the connection', () => {
  let s3: FakeS3Server;
  let opensearch: FakeOpenSearchServer;
  let bedrock: FakeBedrockServer;
  let lambda: LambdaInvokeEmulator;
  let mgmt: FakeManagementApi;
  let tools: ToolClient;
  let dataDir: string;
  let form: typeof import('../../src/transports/lambda/upload-form.js');
  let ingest: typeof import('../../src/transports/lambda/upload-ingest.js');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'upload-ingest-'));
    s3 = await startFakeS3Server();
    opensearch = await startFakeOpenSearchServer({ rejectCustomIds: true });
    bedrock = await startFakeBedrockServer();
    mgmt = await startFakeManagementApi();
    const functions: Record<string, InvokedHandler> = {};
    lambda = await startLambdaInvokeEmulator(functions);
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      CHATBOT_DATA_DIR: dataDir,
      VECTOR_STORE: 'opensearch',
      OPENSEARCH_ENDPOINT: opensearch.url,
      OPENSEARCH_SERVICE: 'aoss',
      OPENSEARCH_INDEX: 'chatbot-chunks',
      EMBEDDER: 'bedrock',
      BEDROCK_ENDPOINT: bedrock.url,
      EMBEDDING_DIMENSIONS: '256',
      UPLOAD_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      WS_MANAGEMENT_ENDPOINT: mgmt.endpoint,
      MCP_SERVER_FUNCTION_NAME: 'chatbot-mcp-server',
      LAMBDA_ENDPOINT: lambda.endpoint,
      CHAT_UPLOAD_MAX_BYTES: '4096',
      LOG_LEVEL: 'error',
    };
    for (const name of ['CHATBOT_CONFIG', 'RECORD_STORE', 'CHAT_UPLOAD'])
      vi.stubEnv(name, undefined);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    functions['chatbot-mcp-server'] = (
      (await import(MCP_LAMBDA)) as { handler: InvokedHandler }
    ).handler;
    form = await import('../../src/transports/lambda/upload-form.js');
    ingest = await import('../../src/transports/lambda/upload-ingest.js');
    s3.onCreated = (event) => ingest.handler(event);
    tools = createToolClient(
      {
        kind: 'lambda',
        functionName: 'chatbot-mcp-server',
        region: 'us-east-1',
        endpoint: lambda.endpoint,
      },
      { logger: silentLogger },
    );
  }, 120_000);

  afterAll(async () => {
    await tools?.close();
    await ingest?.closeForTests();
    form?.resetForTests();
    vi.unstubAllEnvs();
    for (const server of [s3, opensearch, bedrock, mgmt, lambda]) await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** What the page does: ask for a form on its connection, then POST it with the file. */
  async function requestForm(
    connectionId: string,
    id: string,
    name: string,
    size: number,
  ): Promise<Frame> {
    await form.handler({
      requestContext: { routeKey: 'upload-form', connectionId },
      body: JSON.stringify({ action: 'upload-form', id, name, size }),
    });
    const frame = (mgmt.frames.get(connectionId) ?? []).find(
      (f) => f['type'] === 'upload-form' && f['id'] === id,
    );
    if (!frame) throw new Error(`no upload-form frame for ${id}`);
    return frame;
  }

  async function postForm(frame: Frame, file: Blob): Promise<Response> {
    const body = new FormData();
    for (const [k, v] of Object.entries(frame['fields'] as Record<string, string>))
      body.append(k, v);
    body.append('file', file);
    return fetch(frame['url'] as string, { method: 'POST', body });
  }

  async function upload(
    connectionId: string,
    id: string,
    name: string,
    file: Blob,
  ): Promise<Frame> {
    const f = await requestForm(connectionId, id, name, file.size);
    expect(f['error']).toBeUndefined();
    const res = await postForm(f, file);
    expect(res.status).toBe(204);
    await s3.settled();
    const result = (mgmt.frames.get(connectionId) ?? []).find(
      (r) => r['type'] === 'upload-result' && r['uploadId'] === f['uploadId'],
    );
    if (!result) throw new Error(`no upload-result for ${id}`);
    // OpenSearch Serverless shows writes to searches about a second later; the fake waits for
    // a refresh, which stands in for that second.
    await fetch(`${opensearch.url}/_refresh`, { method: 'POST' });
    return result;
  }

  it('a Markdown file is added, then unchanged, then replaced; its text is stored; the object is deleted after ingest', async () => {
    const text = '# Rotation\n\nThe on-call rotation hands over every Tuesday at 09:00 UTC.\n';
    const added = await upload('conn-1', 'f1', 'rotation.md', new Blob([text]));
    expect(added).toMatchObject({ type: 'upload-result', source: 'rotation.md', outcome: 'added' });
    expect(added['chunks']).toBeGreaterThan(0);
    expect(s3.objects.size).toBe(0);
    // Written to OpenSearch with Bedrock embeddings, by the MCP server's ingest_document.
    expect(
      opensearch.requests.some((r) => r.path.includes('_bulk') && r.body.includes('rotation.md')),
    ).toBe(true);
    expect(bedrock.requests.length).toBeGreaterThan(0);
    const stored = await tools.readDocument('rotation.md');
    expect(JSON.stringify(stored)).toContain('hands over every Tuesday');

    expect(await upload('conn-1', 'f2', 'rotation.md', new Blob([text]))).toMatchObject({
      outcome: 'unchanged',
    });
    expect(
      await upload(
        'conn-1',
        'f3',
        'rotation.md',
        new Blob([text + '\nExceptions need the lead.\n']),
      ),
    ).toMatchObject({ outcome: 'replaced' });
  });

  it('a PDF goes through the same reader as locally; an unreadable one is refused with the reason', async () => {
    const pdf = makePdf(['Backups run nightly at 02:00.']);
    const ok = await upload('conn-2', 'p1', 'backups.pdf', new Blob([pdf]));
    expect(ok).toMatchObject({ source: 'backups.pdf', outcome: 'added' });
    const bad = await upload('conn-2', 'p2', 'broken.pdf', new Blob(['%PDF-1.4 not really']));
    expect(bad).toMatchObject({ outcome: 'refused', source: 'broken.pdf' });
    expect(bad['error']).toMatch(/broken\.pdf: not a readable PDF/);
  });

  it('refuses before presigning: wrong type, too large, empty, a folder in the name, no id', async () => {
    expect((await requestForm('conn-3', 'r1', 'tool.exe', 10))['error']).toMatch(/only Markdown/);
    expect((await requestForm('conn-3', 'r2', 'big.md', 4097))['error']).toMatch(
      /big\.md: larger than 4 KB \(CHAT_UPLOAD_MAX_BYTES\)/,
    );
    expect((await requestForm('conn-3', 'r3', 'empty.md', 0))['error']).toMatch(/empty/);
    expect((await requestForm('conn-3', 'r4', 'a/b.md', 3))['error']).toMatch(/without folders/);
    await form.handler({
      requestContext: { routeKey: 'upload-form', connectionId: 'conn-3' },
      body: '{}',
    });
    expect(mgmt.frames.get('conn-3')?.at(-1)).toMatchObject({ type: 'upload-form', id: '' });
  });

  it('the bucket refuses a form used for more than it allows: a bigger file, another type, another key', async () => {
    const f = await requestForm('conn-4', 'x1', 'small.md', 10);
    expect((await postForm(f, new Blob(['x'.repeat(5000)]))).status).toBe(400);
    const fields = f['fields'] as Record<string, string>;
    const other = { ...f, fields: { ...fields, 'Content-Type': 'text/html' } };
    expect((await postForm(other, new Blob(['<b>hi</b>']))).status).toBe(403);
    const moved = { ...f, fields: { ...fields, key: 'uploads/AAAAAAAAAAAA/evil.md' } };
    expect((await postForm(moved, new Blob(['hi']))).status).toBe(403);
    expect(s3.posts.slice(-3).map((p) => p.error)).toEqual([
      'EntityTooLarge',
      'AccessDenied',
      'AccessDenied',
    ]);
    expect(s3.objects.size).toBe(0);
  });

  it('an uploader that left still gets its file ingested; the result is simply not delivered', async () => {
    mgmt.gone.add('conn-5');
    const event = (await import('../support/fake-s3-server.js')).objectCreated(
      s3.bucket,
      'uploads/Gone0123456789/left.md',
      5,
    );
    s3.objects.set('uploads/Gone0123456789/left.md', {
      body: Buffer.from('# Left\n\nStill stored.\n'),
      contentType: 'text/markdown',
      metadata: { 'connection-id': 'conn-5' },
    });
    const { results } = await ingest.handler(event);
    expect(results[0]).toMatchObject({ source: 'left.md', outcome: 'added' });
    expect(mgmt.frames.get('conn-5')).toBeUndefined();
  });
});
