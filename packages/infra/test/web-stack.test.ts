import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resolveWebDir } from '../lib/web-assets.js';
import { resourcesOf, templates } from './support/templates.js';

type Props = Record<string, unknown>;
const only = (t: ReturnType<typeof templates>['web'], type: string): Props => {
  const all = Object.values(resourcesOf(t, type));
  expect(all, type).toHaveLength(1);
  return all[0]!.Properties;
};

/** The local gateway's CSP directives, read from its source (the page's one policy). */
function localCspDirectives(): string[] {
  const source = readFileSync(
    new URL('../../chat-gateway/src/transports/local/static-files.ts', import.meta.url),
    'utf8',
  );
  const block = /CONTENT_SECURITY_POLICY = \[([\s\S]*?)\]\.join/.exec(source)?.[1] ?? '';
  return [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

describe('web stack (the chat page on CloudFront)', () => {
  const t = templates().web;

  it('a private bucket: public access blocked, S3-managed encryption, no website, SSL-only policy', () => {
    const bucket = only(t, 'AWS::S3::Bucket');
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          // Reads only by this distribution, through Origin Access Control.
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: {
              StringEquals: { 'AWS:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('CloudFront: OAC on the S3 origin, index.html as root, HTTPS redirect, GET/HEAD only', () => {
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const { DistributionConfig: config } = only(t, 'AWS::CloudFront::Distribution') as {
      DistributionConfig: Props & { Origins: Props[]; DefaultCacheBehavior: Props };
    };
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: expect.stringMatching(/^PageHeaders/) as string },
    });
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]).toMatchObject({
      OriginAccessControlId: {
        'Fn::GetAtt': [
          Object.keys(resourcesOf(t, 'AWS::CloudFront::OriginAccessControl'))[0],
          'Id',
        ],
      },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    // The default certificate: no aliases, no minimum protocol to set (nag CFR4 acknowledged).
    expect(config.Aliases).toBeUndefined();
    expect(config.Logging).toBeUndefined();
  });

  it("response headers: the local gateway's CSP with the WebSocket API's origin in connect-src, HSTS, nosniff, no framing, no referrer", () => {
    const { ResponseHeadersPolicyConfig: policy } = only(
      t,
      'AWS::CloudFront::ResponseHeadersPolicy',
    ) as { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: Record<string, Props> } };
    const headers = policy.SecurityHeadersConfig;
    const value = headers.ContentSecurityPolicy!.ContentSecurityPolicy as {
      'Fn::Join': [string, unknown[]];
    };
    const [before, endpoint] = value['Fn::Join'][1];
    // The API's endpoint (wss://{id}.execute-api.{region}.amazonaws.com) from ChatbotApi.
    expect(before).toMatch(/connect-src 'self' $/);
    expect(endpoint).toMatchObject({
      'Fn::GetStackOutput': {
        StackName: 'ChatbotApi',
        OutputName: expect.stringMatching(/ApiEndpoint/) as string,
      },
    });
    const csp = JSON.stringify(value);
    const local = localCspDirectives();
    expect(local).toContain("connect-src 'self'");
    for (const directive of local.filter((d) => !d.startsWith('connect-src'))) {
      expect(csp).toContain(directive);
    }
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
    });
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('uploads the built page (scripts 5 min, pruned) and index.html + config.json never cached, with the WebSocket URL and no secret', () => {
    const deployments = Object.values(resourcesOf(t, 'Custom::CDKBucketDeployment')).map(
      (r) => r.Properties,
    );
    expect(deployments).toHaveLength(2);
    const assets = deployments.find((d) => d.Prune === true)!;
    expect(assets).toMatchObject({
      Exclude: ['index.html', 'config.json'],
      SystemMetadata: { 'cache-control': 'public, max-age=300' },
      DistributionPaths: ['/*'],
    });
    const entry = deployments.find((d) => d.Prune === false)!;
    expect(entry).toMatchObject({
      Exclude: ['*'],
      Include: ['index.html', 'config.json'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    // config.json's tokens, resolved by the deployment: the stage URL from ChatbotApi.
    const markers = JSON.stringify(entry.SourceMarkers);
    expect(markers).toContain('"StackName":"ChatbotApi"');
    expect(markers).not.toMatch(/Secret/i);
    const json = Object.values(t.toJSON().Resources as Record<string, Props>);
    expect(JSON.stringify(json)).not.toMatch(/ChatAuthToken/);
  });

  it('the page bucket and its files are kept on stack deletion unless destroyOnRemoval', () => {
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    const kept = Object.values(resourcesOf(t, 'Custom::CDKBucketDeployment'));
    for (const d of kept) expect(d.Properties.RetainOnDelete).not.toBe(false);
    const dev = templates({ destroyOnRemoval: 'true' }).web;
    dev.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    const gone = Object.values(resourcesOf(dev, 'Custom::CDKBucketDeployment'));
    expect(gone.map((d) => d.Properties.RetainOnDelete)).toEqual([false, false]);
  });

  it('outputs the page URL', () => {
    t.hasOutput('PageUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] },
            '/',
          ],
        ],
      },
    });
  });

  it('custom domain from context: alias, the certificate, TLS 1.2 minimum, and the URL on the domain', () => {
    const custom = templates({
      webDomainName: 'chat.example.com',
      webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
      webAccessLogs: 'true',
    }).web;
    custom.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Aliases: ['chat.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
        Logging: { Prefix: 'cloudfront/' },
      },
    });
    custom.hasOutput('PageUrl', { Value: 'https://chat.example.com/' });
    custom.resourceCountIs('AWS::S3::Bucket', 2);
    custom.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 's3/' },
    });
  });
});

describe('resolveWebDir', () => {
  it('names the missing files and says to run pnpm build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html>');
      expect(() => resolveWebDir(dir)).toThrow(/app\.js, app\.css missing.*Run `pnpm build`/);
      writeFileSync(join(dir, 'app.js'), '');
      writeFileSync(join(dir, 'app.css'), '');
      expect(resolveWebDir(dir)).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
