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
    webAccessLogs: 'true',
    webDomainName: 'chat.example.com',
    webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
    webTitle: 'Ops chat',
  },
  'Cognito sign-in with federation': {
    auth: 'cognito',
    cognitoDomainPrefix: 'acme-chat',
    oidcIssuer: 'https://login.example.com',
    oidcClientId: 'chat-from-example',
    oidcClientSecretName: 'chatbot/oidc-client-secret',
  },
  'Cognito sign-in, MFA required, plus tier': {
    auth: 'cognito',
    cognitoDomainPrefix: 'acme-chat',
    cognitoMfa: 'required',
    cognitoFeaturePlan: 'plus',
  },
  'account-agnostic, another region and model': {
    account: '',
    region: 'eu-west-1',
    claudeModelId: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    apiGatewayAccountRole: 'false',
  },
};

/** The S3 notification configuration's singleton function (aws-cdk-lib). */
const NOTIFY_FN = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** BucketDeployment's singleton function (one per stack and memory size). */
const DEPLOY_FN = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB';

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
        // Upload from the page: the bucket, its route, its functions' prefix and connection grants.
        'AwsSolutions-APIG4 @ ChatbotLambda/Uploads/FormRoute',
        'AwsSolutions-S1 @ ChatbotLambda/Uploads/Bucket',
        'AwsSolutions-SQS3 @ ChatbotLambda/Uploads/IngestDeadLetters/Queue',
        `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ ChatbotLambda/${NOTIFY_FN}/Role`,
        ...['Form', 'Ingest'].flatMap((fn) => [
          `AwsSolutions-IAM5[Resource::<UploadsBucketC4B27CC7.Arn>/uploads/*] @ ChatbotLambda/Uploads/${fn}/Role`,
          `AwsSolutions-IAM5[connections/POST] @ ChatbotLambda/Uploads/${fn}/Role`,
        ]),
        // The page: no geo restriction, no web ACL, logs and custom domain off by default.
        ...['CFR1', 'CFR2', 'CFR3', 'CFR4'].map(
          (r) => `AwsSolutions-${r} @ ChatbotWeb/Distribution`,
        ),
        'AwsSolutions-S1 @ ChatbotWeb/PageBucket',
        // BucketDeployment's CDK-managed function and its grants.
        `AwsSolutions-L1 @ ChatbotWeb/${DEPLOY_FN}`,
        `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ ChatbotWeb/${DEPLOY_FN}/ServiceRole`,
        ...[
          'Action::s3:Abort*',
          'Action::s3:DeleteObject*',
          'Action::s3:GetBucket*',
          'Action::s3:GetObject*',
          'Action::s3:List*',
          'Resource::*',
          'Resource::<PageBucket5D37958D.Arn>/*',
          'Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-us-east-1/*',
        ].map((f) => `AwsSolutions-IAM5[${f}] @ ChatbotWeb/${DEPLOY_FN}/ServiceRole`),
        ...['Engine', 'SessionCleanup', 'WebSocket'].flatMap((fn) =>
          ['DELETE', 'GET', 'POST'].map(
            (m) => `AwsSolutions-IAM5[connections/${m}] @ ChatbotLambda/${fn}/Role`,
          ),
        ),
      ].sort(),
    );
    for (const a of acks) expect(a.reason.length, a.id).toBeGreaterThan(80);
  });

  it('Cognito adds exactly the MFA and plus-tier acknowledgements, and none once both are set', () => {
    const cognito = (ctx: Record<string, unknown>) =>
      acknowledgements(
        buildTestApp({ auth: 'cognito', cognitoDomainPrefix: 'acme-chat', ...ctx }).app,
      )
        .filter((a) => a.path.includes('/SignIn/'))
        .map((a) => `${a.id} @ ${a.path}`)
        .sort();
    expect(cognito({})).toEqual([
      'AwsSolutions-COG2 @ ChatbotWeb/SignIn/UserPool',
      'AwsSolutions-COG8 @ ChatbotWeb/SignIn/UserPool',
    ]);
    expect(cognito({ cognitoMfa: 'required', cognitoFeaturePlan: 'plus' })).toEqual([]);
    // No shared token with Cognito, so no acknowledgement for its manual rotation either.
    const all = acknowledgements(
      buildTestApp({ auth: 'cognito', cognitoDomainPrefix: 'acme-chat' }).app,
    ).map((a) => a.path);
    expect(all.filter((p) => p.startsWith('ChatbotApi/'))).toEqual([
      'ChatbotApi/ApiGatewayLogsRole',
    ]);
  });

  it('with access logs and a custom domain, the page needs no CFR3, CFR4 or page-bucket S1', () => {
    const { app } = buildTestApp(VARIANTS['every option on']);
    const web = acknowledgements(app)
      .filter((a) => a.path.startsWith('ChatbotWeb/') && !a.path.includes(DEPLOY_FN))
      .map((a) => `${a.id} @ ${a.path}`)
      .sort();
    expect(web).toEqual([
      'AwsSolutions-CFR1 @ ChatbotWeb/Distribution',
      'AwsSolutions-CFR2 @ ChatbotWeb/Distribution',
      'AwsSolutions-S1 @ ChatbotWeb/AccessLogs',
    ]);
  });
});
