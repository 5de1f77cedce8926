import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { ConfigError } from '../../errors.js';

/** What AwsSigv4Signer asks for: a function resolving AWS credentials. */
export type OpenSearchCredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}>;

export interface OpenSearchClientConfig {
  /** The domain or collection endpoint, e.g. https://search-docs-abc.us-east-1.es.amazonaws.com. */
  node: string;
  /**
   * Sign requests with SigV4 for this region; omit for an unsigned client (a local OpenSearch,
   * or a test server).
   */
  region?: string;
  /** `es` for an OpenSearch Service domain, `aoss` for an OpenSearch Serverless collection. */
  service?: 'es' | 'aoss';
  /** By default the Node.js provider chain: environment, SSO, profile, container, instance role. */
  credentials?: OpenSearchCredentialsProvider;
  requestTimeoutMs?: number;
}

/** An OpenSearch client, SigV4-signed when a region is given. */
export function createOpenSearchClient(config: OpenSearchClientConfig): Client {
  try {
    new URL(config.node);
  } catch {
    throw new ConfigError(
      `OpenSearch node: must be a URL such as https://search-docs-abc.us-east-1.es.amazonaws.com, not ${JSON.stringify(config.node)}`,
    );
  }
  const common = {
    node: config.node,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
  };
  if (config.region === undefined) return new Client(common);
  const signer = AwsSigv4Signer({
    region: config.region,
    service: config.service ?? 'es',
    getCredentials: config.credentials ?? defaultProvider(),
  });
  return new Client({ ...common, ...signer });
}
