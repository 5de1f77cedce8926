import { Stack } from 'aws-cdk-lib';
import { CfnAccessPolicy } from 'aws-cdk-lib/aws-opensearchserverless';
import { Construct } from 'constructs';

/** Properties of {@link CollectionAccessPolicy}. */
export interface CollectionAccessPolicyProps {
  collectionName: string;
  /** Index name prefix the principals may use (the chunk index and its `-documents` twin). */
  indexPrefix: string;
  /** IAM role or user ARNs (tokens allowed). */
  principalArns: string[];
}

/**
 * The collection's data-access policy: only the named principals, only the app's indexes, only
 * what the MCP server's OpenSearch store does (create and describe its indexes at first use, add
 * the `access` mapping to an index that predates it, read and write documents). No
 * delete-index, no aliases, no other index.
 */
export class CollectionAccessPolicy extends Construct {
  readonly policy: CfnAccessPolicy;

  constructor(scope: Construct, id: string, props: CollectionAccessPolicyProps) {
    super(scope, id);
    const { collectionName: name } = props;
    this.policy = new CfnAccessPolicy(this, 'Resource', {
      name: `${name}-access`,
      type: 'data',
      description: 'Chatbot MCP server: its indexes only',
      policy: Stack.of(this).toJsonString([
        {
          Rules: [
            {
              ResourceType: 'index',
              Resource: [`index/${name}/${props.indexPrefix}*`],
              Permission: [
                'aoss:CreateIndex',
                'aoss:DescribeIndex',
                // Adds the `access` mapping to an index created before documents had access.
                'aoss:UpdateIndex',
                'aoss:ReadDocument',
                'aoss:WriteDocument',
              ],
            },
            {
              ResourceType: 'collection',
              Resource: [`collection/${name}`],
              Permission: ['aoss:DescribeCollectionItems'],
            },
          ],
          Principal: props.principalArns,
        },
      ]),
    });
  }
}
