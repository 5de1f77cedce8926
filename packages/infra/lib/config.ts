import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/** Embedding sizes Titan Text Embeddings V2 produces (and the MCP server accepts). */
export const EMBEDDING_DIMENSIONS = [256, 512, 1024] as const;

/** Who holds the key that encrypts the tables at rest. */
export type TableEncryptionChoice = 'aws-managed' | 'customer-managed';

/** How WebSocket clients prove who they are: the shared token, or Cognito sign-in. */
export type AuthChoice = 'token' | 'cognito';

/** Cognito sign-in (`-c auth=cognito`); see `CognitoSignIn`. */
export interface CognitoConfig {
  /** The hosted UI's prefix: `https://{prefix}.auth.{region}.amazoncognito.com`. */
  domainPrefix: string;
  /** Off by default: an administrator creates users (README). */
  selfSignUp: boolean;
  mfa: 'off' | 'optional' | 'required';
  /** `plus` adds threat protection (advanced security), billed per active user. */
  featurePlan: 'essentials' | 'plus';
  /** Sign-in through an external OpenID Connect provider, beside the pool's own users. */
  federation?: {
    issuer: string;
    clientId: string;
    /** Name of the Secrets Manager secret holding the provider's client secret (plain text). */
    clientSecretName: string;
    /** Shown on the sign-in page's button. */
    providerName: string;
  };
}

/** Everything the stacks are parameterized by; read once from CDK context in `loadInfraConfig`. */
export interface InfraConfig {
  /** Deployment account; undefined synthesizes account-agnostic templates. */
  account?: string;
  region: string;
  /** Claude model or inference-profile id the engine calls. */
  claudeModelId: string;
  /** Regions a cross-region inference profile may route to (its foundation-model ARNs). */
  profileRegions: string[];
  embeddingDimensions: (typeof EMBEDDING_DIMENSIONS)[number];
  /** Browser origins allowed to open the WebSocket (checked by the authorizer). */
  allowedOrigins: string[];
  logRetention: RetentionDays;
  sessionTimeoutMinutes: number;
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** RETAIN unless `destroyOnRemoval` is set (development accounts). */
  removalPolicy: RemovalPolicy;
  tableEncryption: TableEncryptionChoice;
  tableNamePrefix?: string;
  collectionName: string;
  /** Standby replicas double the collection's minimum OCUs; off is for development. */
  collectionStandbyReplicas: boolean;
  /** Extra IAM principals (ARNs) given data access to the collection, e.g. a local MCP server. */
  collectionReaderArns: string[];
  /** Subscribes this address to the alarm topic; no topic without it. */
  alarmEmail?: string;
  /** A Function URL (IAM auth) on the MCP server, for remote MCP hosts that sign SigV4. */
  mcpFunctionUrl: boolean;
  /** Sets API Gateway's account-level CloudWatch role (needed once per account and region). */
  apiGatewayAccountRole: boolean;
  /** Tests only: a folder of stand-in entry files (see `resolveEntries`). */
  entryFixtures?: string;
  /** The chat page's custom domain on CloudFront; set with `webCertificateArn`. */
  webDomainName?: string;
  /** ACM certificate (us-east-1) for `webDomainName`; enables TLS 1.2+ as the minimum. */
  webCertificateArn?: string;
  /** CloudFront standard logs and the page bucket's S3 server access logs, in a log bucket. */
  webAccessLogs: boolean;
  /** Written to the page's config.json as its heading until the gateway names the chat. */
  webTitle?: string;
  /** Tests only: the built page folder (default `packages/chat-gateway/dist/web`). */
  webDir?: string;
  auth: AuthChoice;
  /** Set when `auth` is `cognito`. */
  cognito?: CognitoConfig;
  /** Upload from the page (presigned POST to a private bucket, ingested by a function). */
  uploads: boolean;
  /** Largest uploaded file (CHAT_UPLOAD_MAX_BYTES of the functions); default 10 MB. */
  uploadMaxBytes: number;
  /** Only members of these groups (the token's groups, e.g. cognito:groups) upload; none: anyone. */
  uploadGroups?: string;
}

/** Destination regions of the system-defined cross-region inference profiles, by prefix. */
export const PROFILE_REGIONS: Record<string, string[]> = {
  us: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  eu: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'],
  apac: [
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-southeast-1',
    'ap-southeast-2',
  ],
};

export const DEFAULT_CLAUDE_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** Thrown for a context value that is wrong; names the key and what to pass instead. */
export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
}

/**
 * Reads the app's parameters from CDK context (`cdk.json` or `-c key=value`) and, for the
 * account only, the CLI's `CDK_DEFAULT_ACCOUNT`. The only place that reads either.
 */
export function loadInfraConfig(
  node: Pick<Node, 'tryGetContext'>,
  env: Record<string, string | undefined> = process.env,
): InfraConfig {
  const ctx = (key: string): unknown => node.tryGetContext(key) as unknown;
  const claudeModelId = str(ctx('claudeModelId')) ?? DEFAULT_CLAUDE_MODEL;
  const region = str(ctx('region')) ?? 'us-east-1';
  const alarmEmail = str(ctx('alarmEmail'));
  const tableNamePrefix = str(ctx('tableNamePrefix'));
  const entryFixtures = str(ctx('entryFixtures'));
  const webDomainName = str(ctx('webDomainName'));
  const webCertificateArn = str(ctx('webCertificateArn'));
  const webTitle = str(ctx('webTitle'));
  const webDir = str(ctx('webDir'));
  if ((webDomainName === undefined) !== (webCertificateArn === undefined)) {
    throw new InfraConfigError(
      'webDomainName and webCertificateArn go together: pass both (an ACM certificate in us-east-1 covering the domain) or neither',
    );
  }
  const account = str(ctx('account')) ?? env.CDK_DEFAULT_ACCOUNT;
  const auth = oneOf('auth', ctx('auth'), 'token', ['token', 'cognito'] as const);
  const cognito = auth === 'cognito' ? cognitoConfig(ctx) : undefined;
  return {
    auth,
    ...(cognito && { cognito }),
    ...(account && { account }),
    region: pattern('region', region, /^[a-z]{2}(-[a-z]+)+-\d$/, 'us-east-1'),
    claudeModelId,
    profileRegions: list(ctx('profileRegions')) ?? profileRegionsFor(claudeModelId, region),
    embeddingDimensions: oneOf(
      'embeddingDimensions',
      ctx('embeddingDimensions'),
      1024,
      EMBEDDING_DIMENSIONS,
    ),
    allowedOrigins: (list(ctx('allowedOrigins')) ?? []).map(origin),
    logRetention: retention(ctx('logRetentionDays')),
    sessionTimeoutMinutes: int(
      'sessionTimeoutMinutes',
      ctx('sessionTimeoutMinutes'),
      30,
      1,
      10_080,
    ),
    stageName: pattern(
      'stageName',
      str(ctx('stageName')) ?? 'prod',
      /^[A-Za-z0-9_-]{1,64}$/,
      'prod',
    ),
    throttleRateLimit: int('throttleRateLimit', ctx('throttleRateLimit'), 50, 1, 10_000),
    throttleBurstLimit: int('throttleBurstLimit', ctx('throttleBurstLimit'), 100, 1, 5_000),
    removalPolicy: bool('destroyOnRemoval', ctx('destroyOnRemoval'), false)
      ? RemovalPolicy.DESTROY
      : RemovalPolicy.RETAIN,
    tableEncryption: oneOf('tableEncryption', ctx('tableEncryption'), 'aws-managed', [
      'aws-managed',
      'customer-managed',
    ] as const),
    ...(tableNamePrefix && {
      tableNamePrefix: pattern(
        'tableNamePrefix',
        tableNamePrefix,
        /^[A-Za-z0-9_.-]{1,200}$/,
        'dev',
      ),
    }),
    collectionName: pattern(
      'collectionName',
      str(ctx('collectionName')) ?? 'chatbot-docs',
      /^[a-z][a-z0-9-]{2,27}$/,
      'chatbot-docs',
    ),
    collectionStandbyReplicas: bool(
      'collectionStandbyReplicas',
      ctx('collectionStandbyReplicas'),
      true,
    ),
    collectionReaderArns: (list(ctx('collectionReaderArns')) ?? []).map((arn) =>
      pattern(
        'collectionReaderArns',
        arn,
        /^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/,
        'arn:aws:iam::123456789012:role/me',
      ),
    ),
    ...(alarmEmail && {
      alarmEmail: pattern('alarmEmail', alarmEmail, /^[^@\s]+@[^@\s]+$/, 'ops@example.com'),
    }),
    mcpFunctionUrl: bool('mcpFunctionUrl', ctx('mcpFunctionUrl'), false),
    apiGatewayAccountRole: bool('apiGatewayAccountRole', ctx('apiGatewayAccountRole'), true),
    ...(entryFixtures && { entryFixtures }),
    ...(webDomainName && {
      webDomainName: pattern(
        'webDomainName',
        webDomainName.toLowerCase(),
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'chat.example.com',
      ),
    }),
    ...(webCertificateArn && {
      webCertificateArn: pattern(
        'webCertificateArn',
        webCertificateArn,
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234 (CloudFront takes certificates from us-east-1 only)',
      ),
    }),
    webAccessLogs: bool('webAccessLogs', ctx('webAccessLogs'), false),
    ...(webTitle && { webTitle: webTitle.slice(0, 200) }),
    ...(webDir && { webDir }),
    uploads: bool('uploads', ctx('uploads'), true),
    uploadMaxBytes: int(
      'uploadMaxBytes',
      ctx('uploadMaxBytes'),
      10 * 1024 * 1024,
      1,
      100 * 1024 * 1024,
    ),
    ...(str(ctx('uploadGroups')) && { uploadGroups: str(ctx('uploadGroups')) }),
  };
}

function cognitoConfig(ctx: (key: string) => unknown): CognitoConfig {
  const prefix = str(ctx('cognitoDomainPrefix'));
  if (!prefix)
    throw new InfraConfigError(
      'cognitoDomainPrefix: required with -c auth=cognito, the hosted sign-in page prefix (unique in the region), e.g. -c cognitoDomainPrefix=acme-chat',
    );
  const issuer = str(ctx('oidcIssuer'));
  const clientId = str(ctx('oidcClientId'));
  const clientSecretName = str(ctx('oidcClientSecretName'));
  const federationKeys = [issuer, clientId, clientSecretName].filter(Boolean).length;
  if (federationKeys !== 0 && federationKeys !== 3)
    throw new InfraConfigError(
      'oidcIssuer, oidcClientId and oidcClientSecretName go together: pass all three (the external provider, its client id, and the name of the Secrets Manager secret holding its client secret) or none',
    );
  if (issuer && !/^https:\/\/[^\s/]+/.test(issuer))
    throw new InfraConfigError(
      `oidcIssuer: ${JSON.stringify(issuer)} is not an https issuer URL; e.g. -c oidcIssuer=https://login.example.com`,
    );
  return {
    // Cognito's rule: lowercase letters, digits and hyphens, not starting or ending with one,
    // and no "aws", "amazon" or "cognito" in it.
    domainPrefix: pattern(
      'cognitoDomainPrefix',
      prefix,
      /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      'acme-chat (lowercase letters, digits, hyphens; not containing aws, amazon or cognito)',
    ),
    selfSignUp: bool('cognitoSelfSignUp', ctx('cognitoSelfSignUp'), false),
    mfa: oneOf('cognitoMfa', ctx('cognitoMfa'), 'optional', [
      'off',
      'optional',
      'required',
    ] as const),
    featurePlan: oneOf('cognitoFeaturePlan', ctx('cognitoFeaturePlan'), 'essentials', [
      'essentials',
      'plus',
    ] as const),
    ...(issuer &&
      clientId &&
      clientSecretName && {
        federation: {
          issuer,
          clientId,
          clientSecretName: pattern(
            'oidcClientSecretName',
            clientSecretName,
            /^[A-Za-z0-9/_+=.@-]{1,512}$/,
            'chatbot/oidc-client-secret',
          ),
          providerName: pattern(
            'oidcProviderName',
            str(ctx('oidcProviderName')) ?? 'SSO',
            /^[A-Za-z0-9_ -]{1,32}$/,
            'Okta',
          ),
        },
      }),
  };
}

/**
 * A `us.`/`eu.`/`apac.` model id is a cross-region inference profile: it may run the model in
 * any of its destination regions. A plain model id runs in the deployment region only.
 */
export function profileRegionsFor(modelId: string, region: string): string[] {
  const prefix = /^([a-z]+)\./.exec(modelId)?.[1];
  if (prefix === undefined || !(prefix in PROFILE_REGIONS)) {
    if (prefix === 'global') {
      throw new InfraConfigError(
        'claudeModelId: global inference profiles route to any commercial region; pass the regions with -c profileRegions=... to scope the IAM policy',
      );
    }
    return [region];
  }
  return PROFILE_REGIONS[prefix] ?? [region];
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(value);
}

/** Context values are strings from `-c`, JSON values from cdk.json. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return `${value}`;
  return JSON.stringify(value);
}

/** A JSON array from cdk.json, or a comma-separated string from `-c`. */
function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value.map(text) : text(value).split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

function pattern(key: string, value: string, re: RegExp, example: string): string {
  if (!re.test(value)) {
    throw new InfraConfigError(
      `${key}: ${JSON.stringify(value)} is not valid; e.g. -c ${key}=${example}`,
    );
  }
  return value;
}

function int(key: string, value: unknown, fallback: number, min: number, max: number): number {
  if (str(value) === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InfraConfigError(
      `${key}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function bool(key: string, value: unknown, fallback: boolean): boolean {
  if (str(value) === undefined) return fallback;
  if (value === true || /^(true|1|yes)$/i.test(text(value))) return true;
  if (value === false || /^(false|0|no)$/i.test(text(value))) return false;
  throw new InfraConfigError(`${key}: must be true or false, not ${JSON.stringify(value)}`);
}

function oneOf<T extends string | number>(
  key: string,
  value: unknown,
  fallback: T,
  allowed: readonly T[],
): T {
  if (str(value) === undefined) return fallback;
  const match = allowed.find((a) => `${a}` === text(value));
  if (match === undefined) {
    throw new InfraConfigError(
      `${key}: must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
    );
  }
  return match;
}

function retention(value: unknown): RetentionDays {
  const days = int('logRetentionDays', value, RetentionDays.ONE_MONTH, 1, 3653);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new InfraConfigError(
      `logRetentionDays: CloudWatch accepts ${allowed.join(', ')}, not ${days}`,
    );
  }
  return days;
}

function origin(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {
    // reported below
  }
  throw new InfraConfigError(
    `allowedOrigins: ${JSON.stringify(value)} is not an origin; e.g. https://chat.example.com`,
  );
}
