import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BedrockTitanEmbedder,
  type BedrockTitanEmbedderOptions,
} from '../../src/adapters/aws/bedrock-titan-embedder.js';
import { UpstreamError, ValidationError } from '../../src/errors.js';
import {
  fakeEmbedding,
  startFakeBedrockServer,
  type FakeBedrockServer,
} from '../support/fake-bedrock-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' };

describe('BedrockTitanEmbedder with the real Bedrock SDK client against a local fake Bedrock server', () => {
  let bedrock: FakeBedrockServer;
  let sleeps: number[];

  beforeAll(async () => {
    bedrock = await startFakeBedrockServer();
  });
  afterAll(async () => {
    await bedrock.close();
  });
  beforeEach(() => {
    bedrock.reset();
    sleeps = [];
  });

  const embedder = (options: Partial<BedrockTitanEmbedderOptions> = {}) =>
    new BedrockTitanEmbedder({
      client: { region: 'us-east-1', endpoint: bedrock.url, credentials },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      ...options,
    });

  it.each([256, 512, 1024] as const)(
    'returns normalized %i-dimension vectors and sends the Titan V2 body',
    async (dimensions) => {
      const titan = embedder({ dimensions });
      expect(titan.dimensions).toBe(dimensions);
      expect(titan.id).toBe(`bedrock:amazon.titan-embed-text-v2:0:${dimensions}`);

      const [vector] = await titan.embed(['Install the server on Windows'], 'document');

      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(dimensions);
      const norm = Math.hypot(...(vector as Float32Array));
      expect(norm).toBeCloseTo(1, 5);
      expect(Array.from(vector as Float32Array)).toEqual(
        Array.from(Float32Array.from(fakeEmbedding('Install the server on Windows', dimensions))),
      );
      const request = bedrock.requests[0];
      expect(request?.modelId).toBe('amazon.titan-embed-text-v2:0');
      expect(JSON.parse(request?.body ?? '')).toEqual({
        inputText: 'Install the server on Windows',
        dimensions,
        normalize: true,
      });
      expect(request?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
      );
    },
  );

  it('embeds a batch in input order with at most `concurrency` requests in flight', async () => {
    bedrock.delayMs = 30;
    const texts = Array.from({ length: 12 }, (_, i) => `passage number ${i}`);

    const vectors = await embedder({ concurrency: 3, dimensions: 256 }).embed(texts, 'document');

    expect(bedrock.requests).toHaveLength(12);
    expect(bedrock.maxInFlight).toBeLessThanOrEqual(3);
    expect(bedrock.maxInFlight).toBeGreaterThanOrEqual(2);
    vectors.forEach((vector, i) => {
      expect(Array.from(vector)).toEqual(
        Array.from(Float32Array.from(fakeEmbedding(texts[i] as string, 256))),
      );
    });
  });

  it('retries throttling with exponential backoff and full jitter, then succeeds', async () => {
    bedrock.throttleNext(2);

    const [vector] = await embedder({ dimensions: 256, baseDelayMs: 200 }).embed(
      ['hello'],
      'query',
    );

    expect(vector).toHaveLength(256);
    expect(bedrock.requests).toHaveLength(3);
    // random() pinned at 0.5: half of 200 ms, then half of 400 ms.
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with a message that says what to do', async () => {
    bedrock.throttleNext(100);

    const failure = embedder({ maxAttempts: 3 }).embed(['hello'], 'query');

    await expect(failure).rejects.toThrow(UpstreamError);
    await expect(failure).rejects.toThrow(
      /throttling or unavailable .* after 3 attempts; retry later/,
    );
    expect(bedrock.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('explains how to enable the model when access is denied, without retrying', async () => {
    bedrock.denyAccess();

    const failure = embedder().embed(['hello'], 'query');

    await expect(failure).rejects.toThrow(
      'enable amazon.titan-embed-text-v2:0 in the Bedrock console, Model access, for region us-east-1',
    );
    expect(bedrock.requests).toHaveLength(1);
  });

  it('points at IAM when access is denied for another reason', async () => {
    bedrock.denyAccess('User is not authorized to perform: bedrock:InvokeModel');

    await expect(embedder().embed(['hello'], 'query')).rejects.toThrow(
      /allow bedrock:InvokeModel .* in IAM/,
    );
  });

  it.each([
    [400, 'ValidationException', 'The provided model identifier is invalid.'],
    [404, 'ResourceNotFoundException', 'Model not found.'],
  ])('says the model is unknown in the region on %i %s', async (status, type, message) => {
    bedrock.failWith(status, type, message);

    const failure = embedder().embed(['hello'], 'query');

    await expect(failure).rejects.toThrow(
      'Bedrock does not know the model amazon.titan-embed-text-v2:0 in region us-east-1: check the model id',
    );
    expect(bedrock.requests).toHaveLength(1);
  });

  it("parses the fake's errors into the SDK's typed exceptions", async () => {
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: bedrock.url,
      credentials,
      maxAttempts: 1,
    });
    const invoke = (modelId: string) =>
      client.send(new InvokeModelCommand({ modelId, body: '{"inputText":"x"}' }));

    await expect(invoke('amazon.titan-embed-text-v9:0')).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'The provided model identifier is invalid.',
      $metadata: { httpStatusCode: 400 },
    });
    bedrock.throttleNext(1);
    await expect(invoke('amazon.titan-embed-text-v2:0')).rejects.toBeInstanceOf(
      ThrottlingException,
    );
  });

  it('rejects empty and oversized texts before calling Bedrock', async () => {
    const titan = embedder();
    await expect(titan.embed(['fine', '  '], 'document')).rejects.toThrow(ValidationError);
    await expect(titan.embed(['x'.repeat(titan.maxInputChars + 1)], 'document')).rejects.toThrow(
      /split it into smaller chunks/,
    );
    expect(bedrock.requests).toHaveLength(0);
  });

  it('rejects unsupported dimensions at construction', () => {
    expect(() => embedder({ dimensions: 300 as 256 })).toThrow(/256, 512 or 1024/);
  });
});
