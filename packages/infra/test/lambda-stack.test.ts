import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { NODE_RUNTIME } from '../lib/constructs/chat-function.js';
import { functionId, resourcesOf, templates } from './support/templates.js';

const FUNCTIONS = ['WebSocket', 'Authorizer', 'Engine', 'SessionCleanup', 'McpServer'];

function env(name: string, context: Record<string, unknown> = {}): Record<string, unknown> {
  const t = templates(context).lambda;
  const fn = resourcesOf(t, 'AWS::Lambda::Function')[functionId(t, name)]!;
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('lambda stack: functions', () => {
  it('the runtime is the newest Node.js the installed aws-cdk-lib knows', () => {
    const node = Runtime.ALL.filter((r) => /^nodejs\d+/.test(r.name))
      .map((r) => Number(/nodejs(\d+)/.exec(r.name)?.[1]))
      .sort((a, b) => b - a);
    expect(NODE_RUNTIME.name).toBe(`nodejs${node[0]}.x`);
  });

  it.each(FUNCTIONS)('%s: arm64, Node 24, ESM handler, its own role and log group', (name) => {
    const t = templates().lambda;
    t.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${name}Role`), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp(`^${name}Logs`) } },
    });
    expect(functionId(t, name)).toMatch(new RegExp(`^${name}Function`));
  });

  it('seven functions, seven roles, seven function log groups with one month retention', () => {
    const t = templates().lambda;
    // Five for the chat, two for page uploads; plus aws-cdk-lib's bucket-notification handler.
    t.resourceCountIs('AWS::Lambda::Function', 8);
    t.resourceCountIs('AWS::IAM::Role', 8);
    const groups = resourcesOf(t, 'AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(7);
    for (const g of Object.values(groups)) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it('logRetentionDays sets every log group, the access logs included', () => {
    const t = templates({ logRetentionDays: '90' });
    t.lambda.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    t.api.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('no reserved concurrency (a reservation fails on accounts at the default limit of 10)', () => {
    for (const fn of Object.values(resourcesOf(templates().lambda, 'AWS::Lambda::Function'))) {
      expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    }
  });

  it('websocket: tables, engine name, management endpoint of this API and stage', () => {
    const vars = env('WebSocket');
    expect(vars).toMatchObject({ RECORD_STORE: 'dynamodb', SESSION_TIMEOUT_MINUTES: '30' });
    for (const key of [
      'SESSIONS_TABLE',
      'CONVERSATIONS_TABLE',
      'ANALYTICS_TABLE',
      'ENGINE_FUNCTION_NAME',
    ]) {
      expect(vars[key], key).toBeDefined();
    }
    expect(vars.ENGINE_FUNCTION_NAME).toEqual({ Ref: functionId(templates().lambda, 'Engine') });
    const endpoint = JSON.stringify(vars.WS_MANAGEMENT_ENDPOINT);
    expect(endpoint).toContain('https://');
    expect(endpoint).toContain('.execute-api.us-east-1.');
    expect(endpoint).toContain('/prod');
    expect(endpoint).toContain('ChatbotApi');
  });

  it('engine: Bedrock Claude model, MCP over Lambda invoke, no OpenSearch settings', () => {
    const vars = env('Engine');
    expect(vars).toMatchObject({
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_CLAUDE_MODEL: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      BEDROCK_REGION: 'us-east-1',
      MCP_TRANSPORT: 'lambda',
      MCP_SERVER_FUNCTION_NAME: { Ref: functionId(templates().lambda, 'McpServer') },
    });
    expect(vars).not.toHaveProperty('OPENSEARCH_ENDPOINT');
  });

  it('websocket: reaches the MCP server by Lambda invoke (documents panel and viewer) and the engine', () => {
    const t = templates().lambda;
    expect(env('WebSocket')).toMatchObject({
      MCP_TRANSPORT: 'lambda',
      MCP_SERVER_FUNCTION_NAME: { Ref: functionId(t, 'McpServer') },
      ENGINE_FUNCTION_NAME: { Ref: functionId(t, 'Engine') },
    });
  });

  it('context: model id, origins, timeout reach the environment', () => {
    const context = {
      claudeModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      allowedOrigins: 'https://chat.example.com,https://b.example.com/',
      sessionTimeoutMinutes: '15',
    };
    // The configured origins, then the deployed page's own (ChatbotWeb's distribution).
    const origins = {
      'Fn::Join': [
        '',
        [
          'https://chat.example.com,https://b.example.com,https://',
          { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'ChatbotWeb' }) as object },
        ],
      ],
    };
    expect(env('Engine', context)).toMatchObject({
      BEDROCK_CLAUDE_MODEL: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      SESSION_TIMEOUT_MINUTES: '15',
      CHAT_ALLOWED_ORIGINS: origins,
    });
    expect(env('Authorizer', context).CHAT_ALLOWED_ORIGINS).toEqual(origins);
    expect(env('Authorizer')).not.toHaveProperty('CHAT_ALLOWED_ORIGINS');
  });

  it('authorizer: only the secret ARN and its own settings', () => {
    const vars = env('Authorizer');
    expect(Object.keys(vars).sort()).toEqual(['CHAT_AUTH_TOKEN_SECRET_ARN', 'LOG_LEVEL']);
    expect(JSON.stringify(vars.CHAT_AUTH_TOKEN_SECRET_ARN)).toContain('ChatAuthToken');
  });

  it('mcp server: DynamoDB records, OpenSearch Serverless vectors, Bedrock embeddings', () => {
    const vars = env('McpServer');
    expect(vars).toMatchObject({
      RECORD_STORE: 'dynamodb',
      VECTOR_STORE: 'opensearch',
      OPENSEARCH_SERVICE: 'aoss',
      OPENSEARCH_INDEX: 'chatbot-chunks',
      EMBEDDER: 'bedrock',
      BEDROCK_EMBEDDING_MODEL: 'amazon.titan-embed-text-v2:0',
      EMBEDDING_DIMENSIONS: '1024',
    });
    expect(JSON.stringify(vars.OPENSEARCH_ENDPOINT)).toContain('CollectionEndpoint');
    for (const key of ['SESSIONS_TABLE', 'CONVERSATIONS_TABLE', 'ANALYTICS_TABLE', 'NOTES_TABLE']) {
      expect(vars[key], key).toBeDefined();
    }
    expect(env('McpServer', { embeddingDimensions: 512 }).EMBEDDING_DIMENSIONS).toBe('512');
  });

  it('engine and cleanup: dead-letter queue, no retries; the others are invoked synchronously', () => {
    const t = templates().lambda;
    const fns = resourcesOf(t, 'AWS::Lambda::Function');
    for (const name of ['Engine', 'SessionCleanup']) {
      const target = JSON.stringify(fns[functionId(t, name)]!.Properties.DeadLetterConfig);
      expect(target, name).toMatch(
        new RegExp(
          `"TargetArn":\\{"Fn::GetAtt":\\["${name === 'Engine' ? 'Engine' : 'Cleanup'}DeadLetters`,
        ),
      );
    }
    for (const name of ['WebSocket', 'Authorizer', 'McpServer']) {
      expect(fns[functionId(t, name)]!.Properties, name).not.toHaveProperty('DeadLetterConfig');
    }
    const configs = Object.values(resourcesOf(t, 'AWS::Lambda::EventInvokeConfig'));
    // The third is the upload ingest function's (tested with the uploads construct).
    expect(configs).toHaveLength(3);
    for (const c of configs) expect(c.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('dead-letter queues: encrypted, HTTPS only, 14 days', () => {
    const t = templates().lambda;
    t.resourceCountIs('AWS::SQS::Queue', 3);
    t.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    const policies = Object.values(resourcesOf(t, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });

  it('cleanup runs every five minutes, failed deliveries to its dead-letter queue', () => {
    templates().lambda.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [functionId(templates().lambda, 'SessionCleanup'), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CleanupDeadLetters'), 'Arn'] },
          },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      ],
    });
  });

  it('no Function URL unless asked for; then IAM-authorized only', () => {
    templates().lambda.resourceCountIs('AWS::Lambda::Url', 0);
    const t = templates({ mcpFunctionUrl: 'true' }).lambda;
    t.resourceCountIs('AWS::Lambda::Url', 1);
    t.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [functionId(t, 'McpServer'), 'Arn'] },
    });
  });

  it('outputs the MCP server function name', () => {
    templates().lambda.hasOutput('McpServerFunctionName', {
      Value: { Ref: functionId(templates().lambda, 'McpServer') },
    });
  });
});
