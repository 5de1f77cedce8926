import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { KeyAttribute, TableKeySchema } from 'chatbot-mcp-server/tables';
import { Construct } from 'constructs';

/** Properties of {@link ChatTable}. */
export interface ChatTableProps {
  tableName: string;
  /** The key schema from the shared table model (`chatbot-mcp-server/tables`). */
  schema: TableKeySchema;
  removalPolicy: RemovalPolicy;
  /** Encrypts with this customer-managed key; without it, the AWS-managed key (aws/dynamodb). */
  encryptionKey?: IKey;
}

/**
 * One DynamoDB table of the chat's data model: keys and TTL attribute come from the shared
 * model, so the server, the gateway and this stack cannot disagree on a key name. On-demand
 * (chat traffic is bursty and small), point-in-time recovery on, encrypted with a KMS key.
 */
export class ChatTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ChatTableProps) {
    super(scope, id);
    const { schema } = props;
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: attribute(schema.partitionKey),
      ...(schema.sortKey && { sortKey: attribute(schema.sortKey) }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: schema.ttlAttribute,
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      removalPolicy: props.removalPolicy,
      // A retained table is also protected from deletion by hand until someone turns this off.
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    });
  }
}

/** Maps the model's scalar type ('S' or 'N') to the CDK attribute type. */
export function attribute(key: KeyAttribute): { name: string; type: AttributeType } {
  return { name: key.name, type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING };
}
