import { Stack, Validations } from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import type { BucketDeployment } from 'aws-cdk-lib/aws-s3-deployment';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

const ROLE_REASON =
  "BucketDeployment's own function (a CDK-managed custom resource shared by this stack's page uploads): aws-cdk-lib grants it read on the CDK asset objects, write and delete on the page bucket's objects and CloudFront invalidations of this app's distribution; it runs only during a deployment.";

/**
 * Acknowledges what cdk-nag finds on `BucketDeployment`'s function: its role (the basic
 * execution policy, and the wildcards of the grants aws-cdk-lib writes for it) and its runtime,
 * both chosen by aws-cdk-lib rather than this app. Every wildcard is named, read from the
 * role's policy as synthesized, so a grant added later by a new aws-cdk-lib shows up in the
 * nag test instead of being waved through.
 */
export function acknowledgeDeploymentFunction(deployments: BucketDeployment[]): void {
  const roles = new Set(deployments.map((d) => d.handlerRole as unknown as IConstruct));
  for (const role of roles) {
    const fn = role.node.scope!;
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "BucketDeployment's handler runtime is pinned by aws-cdk-lib (it ships the handler code for that runtime); it moves forward with aws-cdk-lib upgrades, not by this app.",
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${ROLE_REASON} The managed policy only lets it write its own CloudWatch logs.`,
    });
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof Policy)) continue;
    for (const id of wildcardFindings(Stack.of(role).resolve(policy.document) as PolicyJson)) {
      Validations.of(role).acknowledge({ id, reason: ROLE_REASON });
    }
  }
}

interface PolicyJson {
  Statement?: { Action?: string | string[]; Resource?: unknown }[];
}

/** The AwsSolutions-IAM5 finding ids of a policy document, as cdk-nag renders them. */
function wildcardFindings(doc: PolicyJson): string[] {
  const ids = new Set<string>();
  for (const statement of doc.Statement ?? []) {
    for (const action of [statement.Action ?? []].flat()) {
      if (action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    }
    for (const resource of [statement.Resource ?? []].flat() as unknown[]) {
      const rendered = flattenCfnReference(resource);
      if (rendered.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${rendered}]`);
    }
  }
  return [...ids];
}
