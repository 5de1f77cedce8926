import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientConfig {
  region: string;
  endpoint?: string;
  /** For local endpoints (embedded, DynamoDB Local) that accept any credentials. */
  localCredentials?: boolean;
}

/** A document client: plain JSON in and out, undefined values dropped. */
export function createDocumentClient(config: DynamoDbClientConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.endpoint && { endpoint: config.endpoint }),
    ...(config.localCredentials && {
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  return DynamoDBDocumentClient.from(client, {
    // convertClassInstanceToMap: a map with an attribute named `constructor` is still a map.
    marshallOptions: {
      removeUndefinedValues: true,
      convertEmptyValues: false,
      convertClassInstanceToMap: true,
    },
  });
}
