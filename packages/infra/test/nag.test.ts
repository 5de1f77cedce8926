import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';

/** Every acknowledgement in the tree: rule id, reason, construct path. */
function acknowledgements(root: IConstruct): { id: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}

const VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'every option on': {
    alarmEmail: 'ops@example.com',
    mcpFunctionUrl: 'true',
    tableEncryption: 'customer-managed',
    destroyOnRemoval: 'true',
    collectionStandbyReplicas: 'false',
    allowedOrigins: 'https://chat.example.com',
    collectionReaderArns: 'arn:aws:iam::123456789012:role/local-mcp',
  },
  'account-agnostic, another region and model': {
    account: '',
    region: 'eu-west-1',
    claudeModelId: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    apiGatewayAccountRole: 'false',
  },
};

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.keys(VARIANTS))('%s: no unacknowledged error or warning', (variant) => {
    const { app } = buildTestApp(VARIANTS[variant]);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('the acknowledgements are exactly the reviewed ones, each with a specific reason', () => {
    const { app } = buildTestApp();
    const acks = acknowledgements(app);
    const summary = acks
      .map(
        (a) =>
          `${a.id.replace(/\[Resource::.*\/(\w+)\/@connections\/\*\]$/, '[connections/$1]')} @ ${a.path}`,
      )
      .sort();
    expect(summary).toEqual(
      [
        'AwsSolutions-APIG4 @ ChatbotLambda/Routes/DefaultRoute',
        'AwsSolutions-APIG4 @ ChatbotLambda/Routes/DisconnectRoute',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] @ ChatbotApi/ApiGatewayLogsRole',
        'AwsSolutions-SMG4 @ ChatbotApi/ChatAuthToken',
        'AwsSolutions-SQS3 @ ChatbotLambda/CleanupDeadLetters/Queue',
        'AwsSolutions-SQS3 @ ChatbotLambda/EngineDeadLetters/Queue',
        ...['Engine', 'SessionCleanup', 'WebSocket'].flatMap((fn) =>
          ['DELETE', 'GET', 'POST'].map(
            (m) => `AwsSolutions-IAM5[connections/${m}] @ ChatbotLambda/${fn}/Role`,
          ),
        ),
      ].sort(),
    );
    for (const a of acks) expect(a.reason.length, a.id).toBeGreaterThan(80);
  });
});
