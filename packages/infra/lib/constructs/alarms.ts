import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type IAlarmAction,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of {@link Alarms}. */
export interface AlarmsProps {
  functions: Record<string, IFunction>;
  deadLetterQueues: Record<string, IQueue>;
  /** With an address, alarms notify it through an encrypted SNS topic. */
  email?: string;
}

/**
 * CloudWatch alarms: any error or throttle of any function, and any message in a dead-letter
 * queue (a chat turn or a cleanup run that failed for good). One five-minute period each;
 * missing data (no invocations) is not an alarm.
 */
export class Alarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    let action: IAlarmAction | undefined;
    if (props.email) {
      // CloudWatch cannot publish to a topic under the AWS-managed SNS key (its key policy does
      // not admit cloudwatch.amazonaws.com), hence a key of our own.
      const key = new Key(this, 'TopicKey', {
        description: 'Encrypts the chatbot alarm topic',
        enableKeyRotation: true,
      });
      key.addToResourcePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'], // in a key policy, "*" means this key
        }),
      );
      this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
      this.topic.addSubscription(new EmailSubscription(props.email));
      action = new SnsAction(this.topic);
    }

    const period = Duration.minutes(5);
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}Errors`,
        `chatbot ${name}: invocation errors`,
        fn.metricErrors({ period }),
        action,
      );
      this.add(
        `${name}Throttles`,
        `chatbot ${name}: throttled invocations`,
        fn.metricThrottles({ period }),
        action,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(
        `${name}DeadLetters`,
        `chatbot ${name}: failed asynchronous invocations in the dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        action,
      );
    }
  }

  private add(
    id: string,
    description: string,
    metric: IMetric,
    action: IAlarmAction | undefined,
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (action) alarm.addAlarmAction(action);
    this.alarms.push(alarm);
  }
}
