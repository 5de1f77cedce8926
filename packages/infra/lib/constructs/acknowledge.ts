import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag renders a policy resource into its finding id with this function; using the same one
// keeps the acknowledgement exact (v3 has no prefix matching) without copying its format.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for one wildcard resource on `scope`.
 * The resource must not contain cross-stack references, which are only resolved later.
 */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  const rendered = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}
