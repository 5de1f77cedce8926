import { describe, expect, it } from 'vitest';
import { functionId, resourcesOf, templates } from './support/templates.js';

const BUCKET = 'chatbot-uploads-123456789012-us-east-1';

function envOf(name: string, context: Record<string, unknown> = {}): Record<string, unknown> {
  const t = templates(context).lambda;
  const fn = resourcesOf(t, 'AWS::Lambda::Function')[functionId(t, name)]!;
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('uploads from the page (DocumentUploads)', () => {
  const t = templates().lambda;

  it('a private bucket: public access blocked, SSE, TLS only, objects gone after a day, CORS POST from the page only', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [
          {
            ExpirationInDays: 1,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          },
        ],
      },
    });
    const bucket = Object.values(resourcesOf(t, 'AWS::S3::Bucket'))[0]!;
    const cors = (bucket.Properties.CorsConfiguration as { CorsRules: Record<string, unknown>[] })
      .CorsRules;
    expect(cors).toHaveLength(1);
    expect(cors[0]).toMatchObject({ AllowedMethods: ['POST'], MaxAge: 600 });
    // The page's CloudFront origin, from the web stack, and nothing else.
    expect(JSON.stringify(cors[0]!.AllowedOrigins)).toMatch(
      /^\[\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetStackOutput":\{"StackName":"ChatbotWeb",[^{}]*"OutputName":"[^"]*Distribution[^"]*DomainName[^"]*"\}\}\]\]\}\]$/,
    );
    const policy = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy'))[0]!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
      '"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"',
    );
  });

  it('the upload-form route goes to the form function; no authorizer (the connection was authorized at $connect)', () => {
    // The page's {"action":"upload-form"} frame reaches the route through the API's selection.
    templates().api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      RouteSelectionExpression: '$request.body.action',
    });
    const routes = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Route'));
    const form = routes.find((r) => r.Properties.RouteKey === 'upload-form')!;
    expect(form.Properties).toMatchObject({
      ApiId: { 'Fn::ImportValue': 'ChatbotApi-WebSocketApiId' },
      AuthorizationType: 'NONE',
    });
    const integrations = resourcesOf(t, 'AWS::ApiGatewayV2::Integration');
    const target = (form.Properties.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const integration = integrations[(target[1] as { Ref: string }).Ref]!;
    expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(
      functionId(t, 'UploadsForm'),
    );
  });

  it('the form function signs a 5-minute form for CHAT_UPLOAD_MAX_BYTES; it may only put objects under uploads/ and post to connections', () => {
    expect(envOf('UploadsForm')).toMatchObject({
      UPLOAD_BUCKET: { Ref: bucketId() },
      CHAT_UPLOAD_MAX_BYTES: String(10 * 1024 * 1024),
      UPLOAD_FORM_TTL_SECONDS: '300',
    });
    expect(envOf('UploadsForm', { uploadMaxBytes: '2048' }).CHAT_UPLOAD_MAX_BYTES).toBe('2048');
    const statements = policyOf('UploadsFormRole');
    expect(statements.map((s) => s.Action).sort()).toEqual([
      'execute-api:ManageConnections',
      's3:PutObject',
    ]);
    const put = statements.find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(put.Resource)).toMatch(/UploadsBucket.*"\/uploads\/\*"/);
    const post = statements.find((s) => s.Action === 'execute-api:ManageConnections')!;
    expect(JSON.stringify(post.Resource)).toContain('/prod/POST/@connections/*');
  });

  it('S3 invokes the ingest function on ObjectCreated under uploads/; it reads, deletes, invokes the MCP server; no retries, a dead-letter queue', () => {
    const notifications = Object.values(resourcesOf(t, 'Custom::S3BucketNotifications'))[0]!;
    expect(notifications.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [functionId(t, 'UploadsIngest'), 'Arn'] },
        },
      ],
    });
    expect(envOf('UploadsIngest')).toMatchObject({
      MCP_SERVER_FUNCTION_NAME: { Ref: functionId(t, 'McpServer') },
      UPLOAD_BUCKET: { Ref: bucketId() },
    });
    const actions = policyOf('UploadsIngestRole')
      .flatMap((s) => [s.Action].flat())
      .sort();
    expect(actions).toEqual([
      'execute-api:ManageConnections',
      'lambda:InvokeFunction',
      's3:DeleteObject',
      's3:GetObject',
      // Its dead-letter queue.
      'sqs:SendMessage',
    ]);
    const fn = resourcesOf(t, 'AWS::Lambda::Function')[functionId(t, 'UploadsIngest')]!;
    expect(JSON.stringify(fn.Properties.DeadLetterConfig)).toContain('UploadsIngestDeadLetters');
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(t, 'UploadsIngest') },
      MaximumRetryAttempts: 0,
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId(t, 'UploadsIngest'), 'Arn'] },
    });
  });

  it("the page's CSP lets it POST to the bucket (and to nothing else new)", () => {
    const web = templates().web;
    const policy = Object.values(resourcesOf(web, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!;
    const csp = JSON.stringify(policy.Properties);
    expect(csp).toContain(` https://${BUCKET}.s3.us-east-1.amazonaws.com; form-action 'none'`);
  });

  it('a second copy (tableNamePrefix) gets its own bucket, named the same in the CSP', () => {
    const dev = templates({ tableNamePrefix: 'Dev_2' });
    dev.lambda.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'chatbot-uploads-dev-2-123456789012-us-east-1',
    });
    expect(JSON.stringify(dev.web.toJSON())).toContain(
      'https://chatbot-uploads-dev-2-123456789012-us-east-1.s3.us-east-1.amazonaws.com',
    );
  });

  it('-c uploads=false: no bucket, no route, no upload functions, no bucket in the CSP', () => {
    const off = templates({ uploads: 'false' });
    off.lambda.resourceCountIs('AWS::S3::Bucket', 0);
    off.lambda.resourceCountIs('AWS::Lambda::Function', 5);
    const keys = Object.values(resourcesOf(off.lambda, 'AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect']);
    expect(JSON.stringify(off.web.toJSON())).not.toContain('chatbot-uploads-');
  });
});

function bucketId(): string {
  return Object.keys(resourcesOf(templates().lambda, 'AWS::S3::Bucket'))[0]!;
}

function policyOf(rolePrefix: string): { Action: string | string[]; Resource: unknown }[] {
  const t = templates().lambda;
  const found = Object.entries(resourcesOf(t, 'AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(`${rolePrefix}DefaultPolicy`),
  );
  expect(found).toHaveLength(1);
  const doc = found[0]![1].Properties.PolicyDocument as {
    Statement: { Action: string | string[]; Resource: unknown }[];
  };
  // The log group write every function role has is not an upload permission.
  return doc.Statement.filter((s) => ![s.Action].flat().some((a) => a.startsWith('logs:')));
}
