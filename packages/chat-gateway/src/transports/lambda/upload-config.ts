import { DEFAULT_UPLOAD_MAX_BYTES, groups, uploadMode } from '../../config.js';
import { awsRegion, baseUrl, int, logLevel } from '../../env-parsers.js';
import { GatewayConfigError } from '../../errors.js';
import { lambdaEndpoint, managementEndpointOf } from './lambda-config.js';

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
  const region = awsRegion(env);
  if (!env.UPLOAD_BUCKET)
    throw new GatewayConfigError('UPLOAD_BUCKET: required, the name of the private upload bucket');
  const managementEndpoint = managementEndpointOf(env);
  if (needs.mcp && !env.MCP_SERVER_FUNCTION_NAME)
    throw new GatewayConfigError(
      'MCP_SERVER_FUNCTION_NAME: required, the MCP server function name or ARN (its ingest_document stores the upload)',
    );
  const upload = uploadMode(env.CHAT_UPLOAD);
  const level = logLevel(env.LOG_LEVEL);
  return {
    region,
    bucket: env.UPLOAD_BUCKET,
    ...(env.S3_ENDPOINT && {
      s3Endpoint: baseUrl('S3_ENDPOINT', env.S3_ENDPOINT, 'http://127.0.0.1:9000'),
    }),
    upload,
    ...groups(env, 'CHAT_UPLOAD_GROUPS', 'uploadGroups'),
    maxBytes: int(env, 'CHAT_UPLOAD_MAX_BYTES', DEFAULT_UPLOAD_MAX_BYTES, 1, 100 * 1024 * 1024),
    formTtlSeconds: int(env, 'UPLOAD_FORM_TTL_SECONDS', 300, 10, 3_600),
    managementEndpoint,
    ...(env.MCP_SERVER_FUNCTION_NAME && { mcpFunctionName: env.MCP_SERVER_FUNCTION_NAME }),
    ...(env.LAMBDA_ENDPOINT && { lambdaEndpoint: lambdaEndpoint(env.LAMBDA_ENDPOINT) }),
    logLevel: level,
  };
}
