import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ClientGoneError } from '../../errors.js';

/** What the Lambda handlers need of API Gateway's management API (`@connections`). */
export interface WebSocketConnections {
  /** Sends one text frame; rejects with `ClientGoneError` when the connection is gone. */
  post(connectionId: string, text: string): Promise<void>;
  /** Closes the connection; an already gone one is not an error. */
  delete(connectionId: string): Promise<void>;
}

export interface ApiGatewayConnectionsOptions {
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or a local emulator. */
  endpoint: string;
  region: string;
  /** Tests and callers with their own client (credentials, retries). */
  client?: ApiGatewayManagementApiClient;
}

/** The management API through the AWS SDK (`PostToConnection`, `DeleteConnection`). */
export class ApiGatewayConnections implements WebSocketConnections {
  private readonly client: ApiGatewayManagementApiClient;

  constructor(options: ApiGatewayConnectionsOptions) {
    this.client =
      options.client ??
      new ApiGatewayManagementApiClient({ endpoint: options.endpoint, region: options.region });
  }

  async post(connectionId: string, text: string): Promise<void> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: Buffer.from(text, 'utf8'),
        }),
      );
    } catch (error) {
      if (isGone(error)) throw new ClientGoneError(connectionId);
      throw error;
    }
  }

  async delete(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

function isGone(error: unknown): boolean {
  return error instanceof GoneException || (error as { name?: unknown }).name === 'GoneException';
}
