/**
 * A FAKE AWS Secrets Manager for tests: node:http on 127.0.0.1 speaking the awsJson1_1
 * protocol for `GetSecretValue` (POST / with `X-Amz-Target: secretsmanager.GetSecretValue`,
 * body `{SecretId}`), answering `{ARN, Name, SecretString, VersionId}` or an AWS JSON error with
 * `x-amzn-ErrorType`, so the real SDK client raises its typed exceptions.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  endpoint: string;
  /** SecretIds asked for, in order. */
  requests: string[];
  /** Sets (or rotates) a secret's value under its ARN. */
  put(arn: string, value: string): void;
  /** The next reads of `arn` fail with this error type (e.g. AccessDeniedException); undefined heals. */
  fail(arn: string, errorType: string | undefined): void;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, string>();
  const failures = new Map<string, string>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const error = (status: number, type: string, message: string): void => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          'x-amzn-errortype': type,
        });
        res.end(JSON.stringify({ __type: type, message }));
      };
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return error(400, 'UnknownOperationException', 'fake: only GetSecretValue');
      let secretId = '';
      try {
        secretId = String(
          (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string }).SecretId ??
            '',
        );
      } catch {
        return error(400, 'SerializationException', 'fake: body is not JSON');
      }
      requests.push(secretId);
      const failure = failures.get(secretId);
      if (failure === 'AccessDeniedException')
        return error(
          400,
          failure,
          `User: arn:aws:sts::123456789012:assumed-role/authorizer/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId}`,
        );
      if (failure) return error(400, failure, `fake: ${failure}`);
      const value = secrets.get(secretId);
      if (value === undefined)
        return error(
          400,
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret.",
        );
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(
        JSON.stringify({
          ARN: secretId,
          Name: secretId.split(':').at(-1),
          SecretString: value,
          VersionId: randomUUID(),
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    put: (arn, value) => void secrets.set(arn, value),
    fail: (arn, type) => void (type ? failures.set(arn, type) : failures.delete(arn)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
