import { Agent, request } from 'node:http';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';

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
 * the AWS SDK's document client for the six record operations. The SDK's middleware (signing,
 * retries, endpoint rules) costs more than dynalite's own work on every call; a loopback store
 * with throwaway credentials needs none of it. Behaviour is the same: the same commands go in,
 * the same output shapes and error names come out (the record-store contract suite runs the
 * DynamoDB adapter through this client on dynalite and through the SDK on DynamoDB Local).
 */
export class LocalDynamoDbClient {
  // Node drops an idle socket a second before the server's announced keep-alive timeout only when
  // the agent has a timeout of its own; without one it reuses sockets the server is closing, and
  // the call fails with ECONNRESET ("socket hang up").
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 60_000 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  /** The document client's `send`, for the commands the record store uses. */
  readonly send = (async (command: object): Promise<Record<string, unknown>> => {
    const target = operationOf(command);
    const input = { ...(command as { input: Record<string, unknown> }).input };
    for (const key of MARSHALLED_INPUT) {
      if (input[key] !== undefined) {
        input[key] = marshall(input[key] as NativeItem, MARSHALL_OPTIONS);
      }
    }
    const output = await this.post(target, JSON.stringify(input));
    for (const key of ['Item', 'Attributes', 'LastEvaluatedKey']) {
      if (output[key] !== undefined) output[key] = unmarshall(output[key] as never);
    }
    if (Array.isArray(output.Items)) output.Items = output.Items.map((i) => unmarshall(i as never));
    return output;
  }) as unknown as DynamoDBDocumentClient['send'];

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
            let parsed: Record<string, unknown>;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
                string,
                unknown
              >;
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            if ((res.statusCode ?? 500) >= 400) reject(serviceError(res.statusCode ?? 500, parsed));
            else resolve(parsed);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function operationOf(command: object): string {
  if (command instanceof GetCommand) return 'GetItem';
  if (command instanceof PutCommand) return 'PutItem';
  if (command instanceof UpdateCommand) return 'UpdateItem';
  if (command instanceof DeleteCommand) return 'DeleteItem';
  if (command instanceof QueryCommand) return 'Query';
  if (command instanceof ScanCommand) return 'Scan';
  throw new Error(`LocalDynamoDbClient does not handle ${command.constructor.name}`);
}

/** An error named like the SDK's (ConditionalCheckFailedException, ValidationException, ...). */
function serviceError(status: number, body: Record<string, unknown>): Error {
  const type = typeof body.__type === 'string' ? body.__type : 'InternalServerError';
  const text = [body.message, body.Message].find((m): m is string => typeof m === 'string');
  const error = new Error(text ?? `embedded store answered ${status}`);
  error.name = type.slice(type.lastIndexOf('#') + 1);
  return error;
}
