import { describe, expect, it } from 'vitest';
import { functionId, resourcesOf, templates } from './support/templates.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every Allow statement of the role's policies (the role's DefaultPolicy). */
function statements(roleName: string, context: Record<string, unknown> = {}): Statement[] {
  const t = templates(context).lambda;
  const policies = Object.entries(resourcesOf(t, 'AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(`${roleName}Role`),
  );
  expect(policies.length, roleName).toBeGreaterThan(0);
  return policies.flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesIn = (s: Statement): unknown[] =>
  Array.isArray(s.Resource) ? s.Resource : [s.Resource];
const allActions = (role: string, context?: Record<string, unknown>): string[] =>
  statements(role, context).flatMap(actionsOf);

describe('IAM: least privilege, scoped to resource ARNs', () => {
  it('function roles: Lambda-assumed, no managed policies', () => {
    const roles = Object.entries(resourcesOf(templates().lambda, 'AWS::IAM::Role'));
    // aws-cdk-lib's BucketNotificationsHandler (sets the upload bucket's notification at
    // deploy time) comes with the basic execution policy; acknowledged in the nag test.
    for (const [, role] of roles.filter(([id]) => !id.startsWith('BucketNotificationsHandler'))) {
      expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(
        'lambda.amazonaws.com',
      );
    }
  });

  it('no "*" resource and no wildcard action anywhere; wildcards only in connection ids', () => {
    for (const stack of ['database', 'search', 'api', 'lambda'] as const) {
      for (const [id, p] of Object.entries(resourcesOf(templates()[stack], 'AWS::IAM::Policy'))) {
        for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
          for (const action of actionsOf(s)) expect(action, id).not.toContain('*');
          for (const resource of resourcesIn(s)) {
            const text = JSON.stringify(resource);
            expect(text, id).not.toBe('"*"');
            if (text.includes('*') && /UploadsBucket/.test(text)) {
              // The upload functions: their own prefix of the upload bucket, objects only.
              expect(text, id).toMatch(/"\/uploads\/\*"\]\]\}$/);
              expect(
                actionsOf(s).every((a) => /^s3:(PutObject|GetObject|DeleteObject)$/.test(a)),
                id,
              ).toBe(true);
            } else if (text.includes('*')) {
              // The other documented wildcard: the connection id of this API's @connections.
              expect(actionsOf(s), id).toEqual(['execute-api:ManageConnections']);
              expect(text, id).toMatch(/\/prod\/(POST|GET|DELETE)\/@connections\/\*"\]\]\}$/);
            }
          }
        }
      }
    }
  });

  it('ManageConnections: this API (its export), the prod stage, three methods; only the gateway roles', () => {
    for (const role of ['WebSocket', 'Engine', 'SessionCleanup']) {
      const s = statements(role).find((x) =>
        actionsOf(x).includes('execute-api:ManageConnections'),
      );
      expect(s, role).toBeDefined();
      const text = JSON.stringify(s!.Resource);
      expect(text).toContain('{"Fn::ImportValue":"ChatbotApi-WebSocketApiId"}');
      for (const method of ['POST', 'GET', 'DELETE'])
        expect(text).toContain(`/prod/${method}/@connections/*`);
      expect(resourcesIn(s!)).toHaveLength(3);
    }
    for (const role of ['Authorizer', 'McpServer']) {
      expect(allActions(role)).not.toContain('execute-api:ManageConnections');
    }
  });

  it('Bedrock: the engine may call the inference profile and its model in the profile regions only', () => {
    const s = statements('Engine').find((x) => actionsOf(x).includes('bedrock:InvokeModel'))!;
    expect(actionsOf(s).sort()).toEqual([
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
    ]);
    const text = JSON.stringify(s.Resource);
    expect(text).toContain(':inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
      expect(text).toContain(
        `:bedrock:${region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0`,
      );
    }
    expect(text).not.toMatch(/bedrock:(eu|ap)-/);
    expect(resourcesIn(s)).toHaveLength(5);
  });

  it('Bedrock: a plain model id is one foundation-model ARN in the deployment region', () => {
    const context = {
      claudeModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      region: 'eu-west-1',
    };
    const s = statements('Engine', context).find((x) =>
      actionsOf(x).includes('bedrock:InvokeModel'),
    )!;
    expect(resourcesIn(s)).toHaveLength(1);
    expect(JSON.stringify(s.Resource)).toContain(
      ':bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-haiku',
    );
  });

  it('Bedrock: the MCP server may embed with Titan V2 only, no streaming; nobody else calls Bedrock', () => {
    const s = statements('McpServer').find((x) => actionsOf(x).includes('bedrock:InvokeModel'))!;
    expect(actionsOf(s)).toEqual(['bedrock:InvokeModel']);
    expect(JSON.stringify(s.Resource)).toContain('::foundation-model/amazon.titan-embed-text-v2:0');
    expect(resourcesIn(s)).toHaveLength(1);
    for (const role of ['WebSocket', 'Authorizer', 'SessionCleanup']) {
      expect(
        allActions(role).some((a) => a.startsWith('bedrock:')),
        role,
      ).toBe(false);
    }
  });

  it('OpenSearch: aoss:APIAccessAll on the collection ARN, MCP server only', () => {
    const s = statements('McpServer').find((x) => actionsOf(x).includes('aoss:APIAccessAll'))!;
    expect(JSON.stringify(s.Resource)).toContain('CollectionArn');
    for (const role of ['WebSocket', 'Authorizer', 'Engine', 'SessionCleanup']) {
      expect(
        allActions(role).some((a) => a.startsWith('aoss:')),
        role,
      ).toBe(false);
    }
  });

  it('lambda:InvokeFunction: websocket -> engine and MCP server (documents panel and viewer), engine -> MCP server, unqualified ARNs', () => {
    const t = templates().lambda;
    const invoke = (role: string): unknown[] =>
      statements(role)
        .filter((x) => actionsOf(x).includes('lambda:InvokeFunction'))
        .flatMap(resourcesIn);
    expect(invoke('WebSocket')).toEqual([
      { 'Fn::GetAtt': [functionId(t, 'Engine'), 'Arn'] },
      { 'Fn::GetAtt': [functionId(t, 'McpServer'), 'Arn'] },
    ]);
    expect(invoke('Engine')).toEqual([{ 'Fn::GetAtt': [functionId(t, 'McpServer'), 'Arn'] }]);
    for (const role of ['Authorizer', 'SessionCleanup', 'McpServer'])
      expect(invoke(role), role).toEqual([]);
  });

  it('the token secret is readable by the authorizer only', () => {
    expect(allActions('Authorizer')).toContain('secretsmanager:GetSecretValue');
    for (const role of ['WebSocket', 'Engine', 'SessionCleanup', 'McpServer']) {
      expect(
        allActions(role).some((a) => a.startsWith('secretsmanager:')),
        role,
      ).toBe(false);
    }
  });

  it('tables: gateway functions and the MCP server get the chat tables; notes only the MCP server', () => {
    const tableRefs = (role: string): string =>
      JSON.stringify(statements(role).filter((x) => actionsOf(x).includes('dynamodb:PutItem')));
    for (const role of ['WebSocket', 'Engine', 'SessionCleanup', 'McpServer']) {
      for (const table of ['Sessions', 'Conversations', 'Analytics'])
        expect(tableRefs(role), role).toContain(table);
    }
    expect(tableRefs('McpServer')).toContain('NotesTable');
    for (const role of ['WebSocket', 'Engine', 'SessionCleanup'])
      expect(tableRefs(role)).not.toContain('NotesTable');
    expect(allActions('Authorizer').some((a) => a.startsWith('dynamodb:'))).toBe(false);
  });

  it('every role writes to its own log group only', () => {
    for (const role of ['WebSocket', 'Authorizer', 'Engine', 'SessionCleanup', 'McpServer']) {
      const logs = statements(role).filter((x) => actionsOf(x).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(logs[0]!.Resource).toEqual({
        'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${role}Logs`)), 'Arn'],
      });
    }
  });
});
