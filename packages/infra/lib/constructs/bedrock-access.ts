import { Aws, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The only embedding model the MCP server supports (Titan Text Embeddings V2). */
export const EMBEDDING_MODEL_ID = 'amazon.titan-embed-text-v2:0';

const GEO_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/**
 * The resources `bedrock:InvokeModel*` must name to call `modelId` from `region`.
 *
 * A plain model id is one foundation-model ARN in the calling region. A cross-region inference
 * profile (`us.anthropic...`) is authorized twice: on the profile ARN in the calling region,
 * and on the underlying foundation model in every region the profile may route the request to,
 * because Bedrock checks the caller's permission again in the region that serves the request.
 */
export function bedrockModelArns(
  scope: Construct,
  modelId: string,
  region: string,
  profileRegions: string[],
): string[] {
  const partition = Aws.PARTITION;
  const match = GEO_PREFIX.exec(modelId);
  if (!match) return [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`];
  const baseModel = modelId.slice(match[0].length);
  const profileArn = Stack.of(scope).formatArn({
    service: 'bedrock',
    region,
    resource: 'inference-profile',
    resourceName: modelId,
  });
  return [
    profileArn,
    ...profileRegions.map((r) => `arn:${partition}:bedrock:${r}::foundation-model/${baseModel}`),
  ];
}

/** Allows invoking (and streaming from) exactly the given model or inference profile. */
export function invokeModelStatement(resources: string[], stream: boolean): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: stream
      ? ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']
      : ['bedrock:InvokeModel'],
    resources,
  });
}
