import { Agent, request } from 'node:http';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type {
  DynamoDbOperations,
  ItemOperation,
  TableOperation,
} from '../aws/dynamodb-operations.js';
import type { DirectRequest, DirectResponse } from './dynalite-direct.js';
import type { EmbeddedDynamoDb } from './embedded-dynamodb.js';

type NativeItem = Record<string, NativeAttributeValue>;

/** Input keys holding items or keys, which travel as DynamoDB JSON. */
const MARSHALLED_INPUT = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/**
 * The document client's options (see dynamodb-client.ts): an attribute named `constructor` makes
 * a plain object look like a class instance to marshall, which would refuse it.
 */
const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: true };

/**
 * A minimal DynamoDB JSON-protocol client for the embedded store on 127.0.0.1, used in place of
 * the AWS SDK's document client for the six record operations and the table checks. The SDK's
 * middleware (signing, retries, endpoint rules) costs more than dynalite's own work on every
 * call, and importing the SDK costs more than the rest of a local start-up; a loopback store with
 * throwaway credentials needs none of it. Behaviour is the same: the same inputs go in, the same
 * output shapes and error names come out (the record-store contract suite runs the DynamoDB
 * adapter through this client on dynalite and through the SDK on DynamoDB Local).
 */
export class LocalDynamoDbClient implements DynamoDbOperations {
  // Node drops an idle socket a second before the server's announced keep-alive timeout only when
  // the agent has a timeout of its own; without one it reuses sockets the server is closing, and
  // the call fails with ECONNRESET ("socket hang up").
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 60_000 });
  private readonly url: URL;
  private readonly direct: DirectRequest | undefined;

  /**
   * `store`: an HTTP endpoint, or the embedded store of this process, which is then reached
   * without a socket (its `request`).
   */
  constructor(store: string | Pick<EmbeddedDynamoDb, 'endpoint' | 'request'>) {
    this.url = new URL(typeof store === 'string' ? store : store.endpoint);
    this.direct = typeof store === 'string' ? undefined : store.request;
  }

  /** One operation with native values in and out, as the document client's `send` has them. */
  async call(
    operation: ItemOperation | TableOperation,
    native: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const input = { ...native };
    for (const key of MARSHALLED_INPUT) {
      if (input[key] !== undefined) {
        input[key] = marshall(input[key] as NativeItem, MARSHALL_OPTIONS);
      }
    }
    const body = JSON.stringify(input);
    const output = this.direct
      ? parseAnswer(await this.direct(operation, body))
      : await this.post(operation, body);
    for (const key of ['Item', 'Attributes', 'LastEvaluatedKey']) {
      if (output[key] !== undefined) output[key] = unmarshall(output[key] as never);
    }
    if (Array.isArray(output.Items)) output.Items = output.Items.map((i) => unmarshall(i as never));
    return output;
  }

  destroy(): void {
    this.agent.destroy();
  }

  private post(target: string, body: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(body),
            'x-amz-target': `DynamoDB_20120810.${target}`,
            // The embedded store accepts any credentials but wants the header to be there.
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'x-amz-date': '20200101T000000Z',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve(
                parseAnswer({
                  status: res.statusCode ?? 500,
                  body: Buffer.concat(chunks).toString('utf8'),
                }),
              );
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The answer's JSON body; an error status throws it as the service's error. */
function parseAnswer(answer: DirectResponse): Record<string, unknown> {
  const parsed = JSON.parse(answer.body || '{}') as Record<string, unknown>;
  if (answer.status >= 400) throw serviceError(answer.status, parsed);
  return parsed;
}

/** An error named like the SDK's (ConditionalCheckFailedException, ValidationException, ...). */
function serviceError(status: number, body: Record<string, unknown>): Error {
  const type = typeof body.__type === 'string' ? body.__type : 'InternalServerError';
  const text = [body.message, body.Message].find((m): m is string => typeof m === 'string');
  const error = new Error(text ?? `embedded store answered ${status}`);
  error.name = type.slice(type.lastIndexOf('#') + 1);
  return error;
}
