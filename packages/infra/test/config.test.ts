import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InfraConfigError, loadInfraConfig, profileRegionsFor } from '../lib/config.js';

const load = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadInfraConfig({ tryGetContext: (key: string) => context[key] }, env);

describe('loadInfraConfig', () => {
  it('defaults: us-east-1, Claude Sonnet 4.5 via the US profile, 1024 dimensions, retained', () => {
    const config = load({});
    expect(config).toMatchObject({
      region: 'us-east-1',
      claudeModelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      profileRegions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
      embeddingDimensions: 1024,
      logRetention: 30,
      stageName: 'prod',
      removalPolicy: RemovalPolicy.RETAIN,
      tableEncryption: 'aws-managed',
      collectionStandbyReplicas: true,
      mcpFunctionUrl: false,
      allowedOrigins: [],
    });
    expect(config.account).toBeUndefined();
  });

  it('takes the account from context, else from the CDK CLI', () => {
    expect(load({}, { CDK_DEFAULT_ACCOUNT: '111111111111' }).account).toBe('111111111111');
    expect(load({ account: '222222222222' }, { CDK_DEFAULT_ACCOUNT: '111111111111' }).account).toBe(
      '222222222222',
    );
  });

  it('accepts lists as JSON arrays (cdk.json) or comma-separated strings (-c)', () => {
    expect(load({ allowedOrigins: ['https://a.example.com'] }).allowedOrigins).toEqual([
      'https://a.example.com',
    ]);
    expect(
      load({ allowedOrigins: 'https://a.example.com/, http://localhost:8080' }).allowedOrigins,
    ).toEqual(['https://a.example.com', 'http://localhost:8080']);
  });

  it.each([
    [{ embeddingDimensions: '768' }, /embeddingDimensions: must be one of 256, 512, 1024/],
    [{ region: 'mars' }, /region: "mars" is not valid/],
    [{ logRetentionDays: '31' }, /logRetentionDays: CloudWatch accepts/],
    [{ allowedOrigins: 'chat.example.com' }, /allowedOrigins: "chat.example.com" is not an origin/],
    [{ destroyOnRemoval: 'maybe' }, /destroyOnRemoval: must be true or false/],
    [{ collectionName: 'Chatbot_Docs' }, /collectionName/],
    [{ throttleRateLimit: '0' }, /throttleRateLimit: must be a whole number from 1/],
    [{ collectionReaderArns: 'me' }, /collectionReaderArns/],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => load(context)).toThrow(InfraConfigError);
    expect(() => load(context)).toThrow(message);
  });
});

describe('profileRegionsFor', () => {
  it('a geographic profile routes within its geography; a plain model stays in the region', () => {
    expect(
      profileRegionsFor('eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'eu-west-1'),
    ).toContain('eu-central-1');
    expect(profileRegionsFor('anthropic.claude-3-5-haiku-20241022-v1:0', 'eu-west-1')).toEqual([
      'eu-west-1',
    ]);
  });

  it('a global profile needs its regions spelled out', () => {
    expect(() =>
      profileRegionsFor('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us-east-1'),
    ).toThrow(/profileRegions/);
  });

  it('the page: custom domain and certificate together, a us-east-1 certificate, logs off by default', () => {
    expect(load({}).webAccessLogs).toBe(false);
    expect(() => load({ webDomainName: 'chat.example.com' })).toThrow(
      /webDomainName and webCertificateArn go together/,
    );
    expect(() =>
      load({
        webDomainName: 'chat.example.com',
        webCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd',
      }),
    ).toThrow(/webCertificateArn.*us-east-1 only/);
    expect(
      load({
        webDomainName: 'Chat.Example.com',
        webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd',
        webAccessLogs: 'true',
      }),
    ).toMatchObject({ webDomainName: 'chat.example.com', webAccessLogs: true });
  });
});
