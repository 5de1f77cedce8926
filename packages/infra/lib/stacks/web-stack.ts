import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.js';
import { acknowledgeDeploymentFunction } from '../constructs/bucket-deployment-acks.js';
import { CognitoSignIn, cognitoDomainOrigin } from '../constructs/cognito-sign-in.js';
import { uploadBucketOrigin } from '../constructs/document-uploads.js';
import { pageContentSecurityPolicy } from '../constructs/page-csp.js';

/** Properties of {@link WebStack}. */
export interface WebStackProps extends StackProps {
  config: InfraConfig;
  /** The built page folder (see `resolveWebDir`). */
  webDir: string;
  /** `wss://{api}.execute-api.{region}.amazonaws.com/{stage}`, written to config.json. */
  webSocketUrl: string;
  /** `wss://{api}.execute-api.{region}.amazonaws.com`: the CSP's connect-src. */
  webSocketOrigin: string;
}

/** Not hashed (app.js, app.css keep their names): a modest TTL, and an invalidation per deploy. */
const ASSET_MAX_AGE = Duration.minutes(5);

/**
 * The chat page on CloudFront: a private bucket read through Origin Access Control, the same
 * strict headers the local gateway sends (CSP widened to the WebSocket API's origin), and a
 * `config.json` written at deploy time that tells the page where the API is and that it needs
 * the token. The API is deployed first; this stack only reads its URL.
 */
export class WebStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://{distribution or custom domain}/` */
  readonly pageUrl: string;
  /** `https://{distribution or custom domain}`: the Origin the page's WebSocket sends. */
  readonly pageOrigin: string;
  /** With `-c auth=cognito`: the user pool, its page client and hosted UI. */
  readonly signIn?: CognitoSignIn;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logs = config.webAccessLogs ? this.logBucket(config) : undefined;

    this.bucket = new Bucket(this, 'PageBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: false,
      ...(logs && { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 's3/' }),
    });
    if (!logs) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Holds only the public chat page (index.html, app.js, app.css, config.json), written by the deployment; reads go through CloudFront. S3 server access logs are on with -c webAccessLogs=true.',
      });
    }

    const headers = new ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: 'Chatbot page: strict CSP (connect-src: the WebSocket API), HSTS, nosniff',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: pageContentSecurityPolicy(
            props.webSocketOrigin,
            ...(config.cognito
              ? [cognitoDomainOrigin(config.cognito.domainPrefix, this.region)]
              : []),
            ...(config.uploads ? [uploadBucketOrigin(this, config.tableNamePrefix)] : []),
          ),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Cross-Origin-Resource-Policy', value: 'same-origin', override: true },
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=()',
            override: true,
          },
        ],
      },
    });

    const domain = config.webDomainName;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Chatbot page',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      ...(domain &&
        config.webCertificateArn && {
          domainNames: [domain],
          certificate: Certificate.fromCertificateArn(
            this,
            'Certificate',
            config.webCertificateArn,
          ),
          minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
        }),
      ...(logs && { enableLogging: true, logBucket: logs, logFilePrefix: 'cloudfront/' }),
    });
    this.acknowledgeDistribution(config, Boolean(logs));
    this.pageOrigin = `https://${domain ?? this.distribution.distributionDomainName}`;
    this.pageUrl = `${this.pageOrigin}/`;
    // Here because its callback URL is this distribution's, and config.json needs its ids.
    if (config.cognito)
      this.signIn = new CognitoSignIn(this, 'SignIn', {
        config: config.cognito,
        pageUrl: this.pageUrl,
        removalPolicy: config.removalPolicy,
      });

    // Two uploads: the page's scripts and styles with a modest TTL (pruned of old files), and
    // index.html with config.json never cached, so a deploy takes effect at the next load.
    // With destroyOnRemoval the uploads delete their files, so the emptied bucket can go too.
    const retainOnDelete = config.removalPolicy !== RemovalPolicy.DESTROY;
    const assets = new BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      sources: [Source.asset(props.webDir)],
      exclude: ['index.html', 'config.json'],
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(ASSET_MAX_AGE)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
      retainOnDelete,
    });
    const entry = new BucketDeployment(this, 'DeployEntry', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(props.webDir),
        // Resolved at deploy time; never the token itself (the page asks for it), and no
        // secret for sign-in (the page is a public PKCE client).
        Source.jsonData('config.json', {
          webSocketUrl: props.webSocketUrl,
          auth: this.signIn ? 'cognito' : 'token',
          ...(this.signIn && { cognito: this.signIn.pageSettings(this.pageUrl) }),
          ...(config.webTitle && { title: config.webTitle }),
          // The page asks the upload-form route for a presigned POST (DocumentUploads).
          ...(config.uploads && {
            upload: { mode: 'presigned', maxBytes: config.uploadMaxBytes },
          }),
        }),
      ],
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 256,
      retainOnDelete,
    });
    entry.node.addDependency(assets);
    acknowledgeDeploymentFunction([assets, entry]);

    new CfnOutput(this, 'PageUrl', {
      value: this.pageUrl,
      description: this.signIn
        ? 'Open this to chat (it sends you to the sign-in page)'
        : 'Open this to chat (it asks for the token from AuthTokenSecretArn)',
    });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: 'CNAME target for webDomainName',
    });
  }

  /** CloudFront standard logs and S3 server access logs; expire with the log retention. */
  private logBucket(config: InfraConfig): IBucket {
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront's standard logging writes with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: config.removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(config.logRetention) }],
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This is the access-log bucket of the page and its distribution; logging a log bucket's own accesses into itself would loop, and into another bucket only moves the question.",
    });
    return logs;
  }

  private acknowledgeDistribution(config: InfraConfig, logged: boolean): void {
    const ack = (id: string, reason: string): void =>
      Validations.of(this.distribution).acknowledge({ id, reason });
    ack(
      'AwsSolutions-CFR1',
      'The chat page is a static page for whoever holds the token; where it may be used is decided by who gets the token, not by country.',
    );
    ack(
      'AwsSolutions-CFR2',
      'Serves four static files from S3 with GET/HEAD only; the chat itself is on the WebSocket API (token authorizer, stage throttling). A web ACL (billed per month and per request) can be attached when needed.',
    );
    if (!logged) {
      ack(
        'AwsSolutions-CFR3',
        'The page is static and public to anyone with the URL; CloudFront standard logs (and S3 server access logs) are on with -c webAccessLogs=true.',
      );
    }
    if (!config.webDomainName) {
      ack(
        'AwsSolutions-CFR4',
        'With the default *.cloudfront.net certificate CloudFront does not allow setting the minimum TLS version; deploy with -c webDomainName=... -c webCertificateArn=... to get TLSv1.2_2021 as the minimum (README: custom domain).',
      );
    }
  }
}
