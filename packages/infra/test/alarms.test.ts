import { describe, expect, it } from 'vitest';
import { resourcesOf, templates } from './support/templates.js';

describe('alarms', () => {
  it('errors and throttles of each of the seven functions, and the three dead-letter queues', () => {
    const alarms = Object.values(resourcesOf(templates().lambda, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(17);
    const byMetric = (name: string): number =>
      alarms.filter((a) => a.Properties.MetricName === name).length;
    expect(byMetric('Errors')).toBe(7);
    expect(byMetric('Throttles')).toBe(7);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toBe(3);
    for (const a of alarms) {
      expect(a.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(a.Properties).not.toHaveProperty('AlarmActions');
    }
  });

  it('no topic without an address', () => {
    templates().lambda.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('with alarmEmail: a KMS-encrypted, HTTPS-only topic that every alarm notifies', () => {
    const t = templates({ alarmEmail: 'ops@example.com' }).lambda;
    t.resourceCountIs('AWS::SNS::Topic', 1);
    const [topicId, topic] = Object.entries(resourcesOf(t, 'AWS::SNS::Topic'))[0]!;
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toContain('TopicKey');
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const policy = JSON.stringify(
      Object.values(resourcesOf(t, 'AWS::SNS::TopicPolicy'))[0]!.Properties,
    );
    expect(policy).toContain('"aws:SecureTransport":"false"');
    for (const a of Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });
});
