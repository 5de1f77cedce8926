import { Match } from 'aws-cdk-lib/assertions';
import { CHAT_TABLES, DEFAULT_TABLE_NAMES, EXAMPLE_TABLES } from 'chatbot-mcp-server/tables';
import { describe, expect, it } from 'vitest';
import { resourcesOf, templates } from './support/templates.js';

const MODEL = { ...CHAT_TABLES, ...EXAMPLE_TABLES } as Record<
  keyof typeof DEFAULT_TABLE_NAMES,
  {
    partitionKey: { name: string; type: string };
    sortKey?: { name: string; type: string };
    ttlAttribute: string;
  }
>;

describe('database stack', () => {
  it('has exactly the four tables of the shared model', () => {
    const tables = resourcesOf(templates().database, 'AWS::DynamoDB::Table');
    const names = Object.values(tables)
      .map((t) => t.Properties.TableName)
      .sort();
    expect(names).toEqual(Object.values(DEFAULT_TABLE_NAMES).sort());
  });

  it.each(Object.keys(MODEL) as (keyof typeof MODEL)[])(
    '%s: keys and TTL from the shared model',
    (alias) => {
      const schema = MODEL[alias];
      const keys = [
        { AttributeName: schema.partitionKey.name, KeyType: 'HASH' },
        ...(schema.sortKey ? [{ AttributeName: schema.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      const attributes = [schema.partitionKey, ...(schema.sortKey ? [schema.sortKey] : [])].map(
        (k) => ({
          AttributeName: k.name,
          AttributeType: k.type,
        }),
      );
      templates().database.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: DEFAULT_TABLE_NAMES[alias],
        KeySchema: keys,
        AttributeDefinitions: Match.arrayWith(attributes),
        TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true },
      });
    },
  );

  // SSEEnabled without a key is DynamoDB's KMS encryption under the AWS-managed aws/dynamodb key.
  it('every table: on-demand, point-in-time recovery, AWS-managed KMS encryption, retained and protected', () => {
    const t = templates().database;
    for (const [id, table] of Object.entries(resourcesOf(t, 'AWS::DynamoDB::Table'))) {
      expect(table.Properties, id).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.Properties.SSESpecification).not.toHaveProperty('KMSMasterKeyId');
    }
    t.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('destroyOnRemoval (development) deletes tables and drops deletion protection', () => {
    const t = templates({ destroyOnRemoval: 'true' }).database;
    t.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    for (const table of Object.values(resourcesOf(t, 'AWS::DynamoDB::Table'))) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
  });

  it('customer-managed encryption: one rotating key used by every table', () => {
    const t = templates({ tableEncryption: 'customer-managed', tableNamePrefix: 'dev' }).database;
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'dev-sessions' });
  });

  it('outputs every table name', () => {
    // PublishOutput* are CDK's cross-stack (Fn::GetStackOutput) outputs.
    const outputs = Object.keys(templates().database.findOutputs('*')).filter(
      (o) => !o.startsWith('PublishOutput'),
    );
    expect(outputs.sort()).toEqual([
      'AnalyticsTableName',
      'ConversationsTableName',
      'NotesTableName',
      'SessionsTableName',
    ]);
  });
});
