import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ChatError } from '../../errors.js';

/** Hands work to another function without waiting for it (Lambda's asynchronous invoke). */
export interface EventInvoker {
  invoke(payload: unknown): Promise<void>;
}

export interface LambdaEventInvokerOptions {
  functionName: string;
  region: string;
  /** A local Lambda Invoke emulator in tests. */
  endpoint?: string;
  client?: LambdaClient;
}

/** `Invoke` with `InvocationType: Event`: Lambda queues the event and answers 202 at once. */
export class LambdaEventInvoker implements EventInvoker {
  private readonly client: LambdaClient;

  constructor(private readonly options: LambdaEventInvokerOptions) {
    this.client =
      options.client ??
      new LambdaClient({
        region: options.region,
        ...(options.endpoint && { endpoint: options.endpoint }),
      });
  }

  async invoke(payload: unknown): Promise<void> {
    let status: number | undefined;
    try {
      const out = await this.client.send(
        new InvokeCommand({
          FunctionName: this.options.functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(payload), 'utf8'),
        }),
      );
      status = out.StatusCode;
    } catch (error) {
      throw new ChatError(
        'ENGINE_UNAVAILABLE',
        'The chat engine could not be started for this message; send it again in a moment.',
        true,
        { cause: error },
      );
    }
    if (status !== 202) {
      throw new ChatError(
        'ENGINE_UNAVAILABLE',
        `The chat engine did not accept the message (status ${String(status)}); send it again in a moment.`,
        true,
      );
    }
  }
}
