import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnCollection, CfnSecurityPolicy } from 'aws-cdk-lib/aws-opensearchserverless';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.js';

/** The chunk index the MCP server creates at first use (its `OPENSEARCH_INDEX`). */
export const CHUNK_INDEX = 'chatbot-chunks';

/** Properties of {@link SearchStack}. */
export interface SearchStackProps extends StackProps {
  config: InfraConfig;
}

/**
 * The OpenSearch Serverless vector collection with its encryption and network policies. The
 * data-access policy names the function roles, so it is created with them (see
 * `CollectionAccessPolicy` in the lambda stack). No index is created here: the MCP server
 * creates `chatbot-chunks` (knn_vector of the configured dimension, text fields) and
 * `chatbot-chunks-documents` on first use and checks an existing one's dimension and embedder.
 */
export class SearchStack extends Stack {
  readonly collection: CfnCollection;

  constructor(scope: Construct, id: string, props: SearchStackProps) {
    super(scope, id, props);
    const name = props.config.collectionName;
    const resource = [`collection/${name}`];

    // An AWS-owned key: encryption at rest at no extra cost; a customer-managed key would add a
    // KMS key policy the collection and every reader must be granted.
    const encryption = new CfnSecurityPolicy(this, 'EncryptionPolicy', {
      name: `${name}-enc`,
      type: 'encryption',
      description: 'Encrypts the chatbot vector collection with an AWS-owned key',
      policy: JSON.stringify({
        Rules: [{ ResourceType: 'collection', Resource: resource }],
        AWSOwnedKey: true,
      }),
    });

    // A public endpoint: a VPC endpoint would put every function in a VPC (NAT, ENIs, cost).
    // Every request is still SigV4-signed and must pass the IAM policy and the data-access
    // policy, which name only this app's roles. No dashboards access.
    const network = new CfnSecurityPolicy(this, 'NetworkPolicy', {
      name: `${name}-net`,
      type: 'network',
      description: 'Chatbot vector collection: public endpoint, IAM-authorized',
      policy: JSON.stringify([
        { Rules: [{ ResourceType: 'collection', Resource: resource }], AllowFromPublic: true },
      ]),
    });

    this.collection = new CfnCollection(this, 'Collection', {
      name,
      type: 'VECTORSEARCH',
      description: 'Document chunks and embeddings for the chatbot (RAG)',
      standbyReplicas: props.config.collectionStandbyReplicas ? 'ENABLED' : 'DISABLED',
    });
    // The collection cannot be created before a policy covers its name.
    this.collection.addResourceDependency(encryption);
    this.collection.addResourceDependency(network);
    this.collection.applyRemovalPolicy(props.config.removalPolicy);

    new CfnOutput(this, 'CollectionEndpoint', { value: this.collection.attrCollectionEndpoint });
  }
}
