import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  CHAT_TABLES,
  DEFAULT_TABLE_NAMES,
  EXAMPLE_TABLES,
  type TableKeySchema,
} from 'chatbot-mcp-server/tables';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.js';
import { ChatTable } from '../constructs/chat-table.js';

/** The table aliases this app deploys: the chat's three plus the example `notes` table. */
export type TableAlias = keyof typeof DEFAULT_TABLE_NAMES;

/** Properties of {@link DatabaseStack}. */
export interface DatabaseStackProps extends StackProps {
  config: InfraConfig;
}

/**
 * The DynamoDB tables. Physical names are the MCP server's defaults (`chatbot-sessions`, ...)
 * so a local server pointed at the account finds them without configuration; `tableNamePrefix`
 * gives a second copy in the same account another set of names.
 */
export class DatabaseStack extends Stack {
  readonly tables: Record<TableAlias, ITable>;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    // AWS-managed by default: encrypted with KMS and logged in CloudTrail, without a key policy
    // to maintain or a per-key monthly charge. A customer-managed key is for accounts that must
    // control or revoke the key themselves.
    const encryptionKey =
      config.tableEncryption === 'customer-managed'
        ? new Key(this, 'TableKey', {
            description: 'Encrypts the chatbot DynamoDB tables',
            enableKeyRotation: true,
            removalPolicy:
              config.removalPolicy === RemovalPolicy.DESTROY
                ? RemovalPolicy.DESTROY
                : RemovalPolicy.RETAIN,
          })
        : undefined;
    const schemas: Record<TableAlias, TableKeySchema> = { ...CHAT_TABLES, ...EXAMPLE_TABLES };
    const tables = {} as Record<TableAlias, ITable>;
    for (const alias of Object.keys(schemas) as TableAlias[]) {
      const tableName = config.tableNamePrefix
        ? `${config.tableNamePrefix}-${alias}`
        : DEFAULT_TABLE_NAMES[alias];
      const { table } = new ChatTable(this, `${capitalize(alias)}Table`, {
        tableName,
        schema: schemas[alias],
        removalPolicy: config.removalPolicy,
        ...(encryptionKey && { encryptionKey }),
      });
      tables[alias] = table;
      new CfnOutput(this, `${capitalize(alias)}TableName`, { value: table.tableName });
    }
    this.tables = tables;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
