import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where failed asynchronous invocations land, kept for the longest SQS allows so they can be
 * inspected. SQS-managed encryption (not KMS) so Lambda and EventBridge can write without a key
 * policy; HTTPS-only by queue policy.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (failed async Lambda invocations); its depth is alarmed on, and a DLQ of a DLQ would only hide them further.',
    });
  }
}
