import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/aws/opensearch-client.js';
import { OpenSearchVectorStore } from '../../src/adapters/aws/opensearch-vector-store.js';
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import {
  startFakeOpenSearchServer,
  type FakeOpenSearchServer,
} from '../support/fake-opensearch-server.js';
import { checkSigV4, sha256 } from '../support/sigv4-verify.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'fake-secret',
  sessionToken: 'fake-session',
};
const embedder = new HashingEmbedder({ dimensions: 64 });

describe('createOpenSearchClient SigV4 signing, checked by a local fake OpenSearch server', () => {
  let fake: FakeOpenSearchServer;

  beforeAll(async () => {
    fake = await startFakeOpenSearchServer();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it.each(['es', 'aoss'] as const)(
    'signs every request for service %s with a valid signature',
    async (service) => {
      const client = createOpenSearchClient({
        node: fake.url,
        region: 'eu-west-1',
        service,
        credentials: () => Promise.resolve(credentials),
      });
      const store = new OpenSearchVectorStore({ client, embedder, index: `signed-${service}` });
      const [vector] = await embedder.embed(['hello world'], 'document');

      await store.replaceDocument(
        { source: 'a.md', chunks: 1, contentHash: 'h', ingestedAt: '2025-01-01T00:00:00Z' },
        [
          {
            id: 'a.md#0',
            source: 'a.md',
            content: 'hello world',
            position: 0,
            metadata: {},
            vector: vector as Float32Array,
          },
        ],
      );
      await store.search({ text: 'hello', mode: 'keyword', limit: 3 });
      await store.close();

      expect(fake.requests.length).toBeGreaterThan(3);
      for (const request of fake.requests) {
        expect(request.headers.authorization).toMatch(
          new RegExp(
            `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/eu-west-1/${service}/aws4_request, ?SignedHeaders=`,
          ),
        );
        const check = checkSigV4(request, credentials.secretAccessKey);
        expect(check, `${request.method} ${request.path}`).toMatchObject({
          service,
          region: 'eu-west-1',
          valid: true,
        });
        expect(check?.signedHeaders).toEqual(
          expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']),
        );
        // Serverless refuses requests without the payload hash header; it must match the body.
        expect(request.headers['x-amz-content-sha256']).toBe(sha256(request.body));
        expect(request.headers['x-amz-security-token']).toBe('fake-session');
      }
      const bulk = fake.requests.find((request) => request.path.endsWith('/_bulk'));
      expect(bulk?.body).toContain('"content":"hello world"');
    },
  );

  it('detects a request signed with another secret', async () => {
    const client = createOpenSearchClient({
      node: fake.url,
      region: 'eu-west-1',
      service: 'aoss',
      credentials: () => Promise.resolve({ ...credentials, secretAccessKey: 'another-secret' }),
    });

    await client.indices.exists({ index: 'anything' });
    await client.close();

    expect(checkSigV4(fake.requests[0]!, credentials.secretAccessKey)?.valid).toBe(false);
  });

  it('finds credentials through the default Node.js provider chain when none are given', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    try {
      const client = createOpenSearchClient({ node: fake.url, region: 'us-west-2', service: 'es' });
      await client.indices.exists({ index: 'anything' });
      await client.close();
    } finally {
      vi.unstubAllEnvs();
    }

    const check = checkSigV4(fake.requests[0]!, 'env-secret');
    expect(check).toMatchObject({
      accessKeyId: 'AKIDFROMENV',
      region: 'us-west-2',
      service: 'es',
      valid: true,
    });
  });

  it('sends no Authorization header without a region (a local, unsigned node)', async () => {
    const client = createOpenSearchClient({ node: fake.url });

    await client.indices.exists({ index: 'anything' });
    await client.close();

    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });
});
