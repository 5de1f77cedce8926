import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { CollectionAccessPolicy } from '../lib/constructs/collection-access-policy.js';

it('lets the MCP server add the access mapping to its existing indexes, and nothing wider', () => {
  const stack = new Stack(new App(), 'Policy');
  new CollectionAccessPolicy(stack, 'Access', {
    collectionName: 'chatbot',
    indexPrefix: 'chatbot-chunks',
    principalArns: ['arn:aws:iam::123456789012:role/mcp'],
  });
  const [resource] = Object.values(
    Template.fromStack(stack).findResources('AWS::OpenSearchServerless::AccessPolicy'),
  ) as { Properties: { Policy: string } }[];
  const [statement] = JSON.parse(resource!.Properties.Policy) as {
    Rules: { ResourceType: string; Resource: string[]; Permission: string[] }[];
  }[];
  const index = statement!.Rules.find((rule) => rule.ResourceType === 'index')!;
  expect(index.Resource).toEqual(['index/chatbot/chatbot-chunks*']);
  expect(index.Permission).toContain('aoss:UpdateIndex');
  expect(index.Permission).not.toContain('aoss:DeleteIndex');
});
