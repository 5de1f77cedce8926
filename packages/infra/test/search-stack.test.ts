import { describe, expect, it } from 'vitest';
import { resourcesOf, templates } from './support/templates.js';

function policy(type: string, t = templates()): unknown {
  const found = Object.values(
    resourcesOf(t.search, 'AWS::OpenSearchServerless::SecurityPolicy'),
  ).filter((p) => p.Properties.Type === type);
  expect(found).toHaveLength(1);
  return JSON.parse(found[0]!.Properties.Policy as string) as unknown;
}

describe('search stack', () => {
  it('one VECTORSEARCH collection with standby replicas, retained', () => {
    const t = templates().search;
    t.resourceCountIs('AWS::OpenSearchServerless::Collection', 1);
    const [collection] = Object.values(
      t.findResources('AWS::OpenSearchServerless::Collection') as Record<
        string,
        Record<string, unknown>
      >,
    );
    expect(collection).toMatchObject({
      Properties: { Name: 'chatbot-docs', Type: 'VECTORSEARCH', StandbyReplicas: 'ENABLED' },
      DeletionPolicy: 'Retain',
      // A collection cannot be created before an encryption policy covers its name.
      DependsOn: [
        expect.stringMatching(/^EncryptionPolicy/),
        expect.stringMatching(/^NetworkPolicy/),
      ],
    });
  });

  it('development: standby replicas off halves the minimum OCUs', () => {
    templates({ collectionStandbyReplicas: 'false', destroyOnRemoval: 'true' }).search.hasResource(
      'AWS::OpenSearchServerless::Collection',
      { Properties: { StandbyReplicas: 'DISABLED' }, DeletionPolicy: 'Delete' },
    );
  });

  it('encryption policy: this collection, encrypted with an AWS-owned key', () => {
    expect(policy('encryption')).toEqual({
      Rules: [{ ResourceType: 'collection', Resource: ['collection/chatbot-docs'] }],
      AWSOwnedKey: true,
    });
  });

  it('network policy: this collection only, no dashboards', () => {
    expect(policy('network')).toEqual([
      {
        Rules: [{ ResourceType: 'collection', Resource: ['collection/chatbot-docs'] }],
        AllowFromPublic: true,
      },
    ]);
  });

  it('data-access policy: only the MCP server role, only the chunk indexes, no delete', () => {
    const t = templates();
    const policies = Object.values(
      resourcesOf(t.lambda, 'AWS::OpenSearchServerless::AccessPolicy'),
    );
    expect(policies).toHaveLength(1);
    const doc = t.stacks.lambda.resolve(policies[0]!.Properties.Policy) as unknown;
    // toJsonString renders a Fn::Join; joining the literal parts shows the policy's shape.
    const text = JSON.stringify(doc);
    expect(text).toContain('index/chatbot-docs/chatbot-chunks*');
    expect(text).toContain('McpServerRole');
    for (const role of ['EngineRole', 'WebSocketRole', 'AuthorizerRole', 'SessionCleanupRole']) {
      expect(text).not.toContain(role);
    }
    expect(text).not.toMatch(/DeleteIndex|aoss:\*|index\/\*|"\*"/);
  });

  it('collectionReaderArns adds principals (e.g. a local MCP server) to the data-access policy', () => {
    const arn = 'arn:aws:iam::123456789012:role/local-mcp';
    const t = templates({ collectionReaderArns: arn });
    const policies = Object.values(
      resourcesOf(t.lambda, 'AWS::OpenSearchServerless::AccessPolicy'),
    );
    expect(JSON.stringify(policies[0]!.Properties.Policy)).toContain(arn);
  });
});
