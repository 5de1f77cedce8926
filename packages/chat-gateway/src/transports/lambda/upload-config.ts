import { DEFAULT_UPLOAD_MAX_BYTES, groups } from '../../config.js';
import { GatewayConfigError } from '../../errors.js';

type Env = Record<string, string | undefined>;

/** The upload-form and upload-ingest functions' settings (AWS path of page uploads). */
export interface UploadLambdaConfig {
  region: string;
  /** The private bucket uploads land in (UPLOAD_BUCKET). */
  bucket: string;
  /** A local stand-in for S3 (tests); path-style addressing. */
  s3Endpoint?: string;
  /** CHAT_UPLOAD, as on the local gateway: whoever may connect (`anyone`) or nobody (`off`). */
  upload: 'anyone' | 'off';
  /** CHAT_UPLOAD_GROUPS, as on the local gateway: only their members upload. None: anyone. */
  uploadGroups?: string[];
  /** CHAT_UPLOAD_MAX_BYTES: the presigned form's content-length-range upper bound. */
  maxBytes: number;
  /** UPLOAD_FORM_TTL_SECONDS: how long a presigned form is valid (default 300). */
  formTtlSeconds: number;
  /** API Gateway's management endpoint, to post the answers to the uploader's connection. */
  managementEndpoint: string;
  /** The MCP server function whose ingest_document the ingest function calls. */
  mcpFunctionName?: string;
  /** A local Lambda Invoke emulator instead of AWS (tests). */
  lambdaEndpoint?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Read once per container by the two upload functions; fails naming the variable. */
export function loadUploadLambdaConfig(
  env: Env = process.env,
  needs: { mcp?: boolean } = {},
): UploadLambdaConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new GatewayConfigError('AWS_REGION: required (Lambda sets it; e.g. us-east-1)');
  if (!env.UPLOAD_BUCKET)
    throw new GatewayConfigError('UPLOAD_BUCKET: required, the name of the private upload bucket');
  if (!env.WS_MANAGEMENT_ENDPOINT)
    throw new GatewayConfigError(
      'WS_MANAGEMENT_ENDPOINT: required, the WebSocket stage callback URL https://{api-id}.execute-api.{region}.amazonaws.com/{stage}',
    );
  if (needs.mcp && !env.MCP_SERVER_FUNCTION_NAME)
    throw new GatewayConfigError(
      'MCP_SERVER_FUNCTION_NAME: required, the MCP server function name or ARN (its ingest_document stores the upload)',
    );
  const upload = env.CHAT_UPLOAD ?? 'anyone';
  if (upload !== 'anyone' && upload !== 'off' && upload !== '')
    throw new GatewayConfigError(
      `CHAT_UPLOAD: must be "anyone" (whoever may connect may upload; the default) or "off", not ${JSON.stringify(upload.slice(0, 40))}`,
    );
  const level = env.LOG_LEVEL ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error')
    throw new GatewayConfigError(
      `LOG_LEVEL: must be debug, info, warn or error, not ${JSON.stringify(level)}`,
    );
  return {
    region,
    bucket: env.UPLOAD_BUCKET,
    ...(env.S3_ENDPOINT && { s3Endpoint: url('S3_ENDPOINT', env.S3_ENDPOINT) }),
    upload: upload === 'off' ? 'off' : 'anyone',
    ...groups(env, 'CHAT_UPLOAD_GROUPS', 'uploadGroups'),
    maxBytes: int(env, 'CHAT_UPLOAD_MAX_BYTES', DEFAULT_UPLOAD_MAX_BYTES, 1, 100 * 1024 * 1024),
    formTtlSeconds: int(env, 'UPLOAD_FORM_TTL_SECONDS', 300, 10, 3_600),
    managementEndpoint: url('WS_MANAGEMENT_ENDPOINT', env.WS_MANAGEMENT_ENDPOINT),
    ...(env.MCP_SERVER_FUNCTION_NAME && { mcpFunctionName: env.MCP_SERVER_FUNCTION_NAME }),
    ...(env.LAMBDA_ENDPOINT && { lambdaEndpoint: url('LAMBDA_ENDPOINT', env.LAMBDA_ENDPOINT) }),
    logLevel: level,
  };
}

function url(name: string, value: string): string {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new GatewayConfigError(`${name}: must be a URL, not ${JSON.stringify(value)}`);
  }
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new GatewayConfigError(
      `${name}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`,
    );
  return n;
}
