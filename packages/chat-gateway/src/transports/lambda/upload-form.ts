import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from 'chatbot-mcp-server/core';
import {
  ApiGatewayConnections,
  type WebSocketConnections,
} from '../../adapters/aws/apigw-connections.js';
import {
  checkUploadName,
  formatBytes,
  uploadTypeOf,
  UPLOAD_TYPES_TEXT,
} from '../../uploads/ingest-upload.js';
import { S3UploadBucket } from '../../adapters/aws/s3-upload-bucket.js';
import type { UploadBucket } from '../../ports/upload-bucket.js';
import { uploadKey } from '../../uploads/upload-keys.js';
import type { UploadFormFrame } from '../../uploads/upload-frames.js';
import { callerOf } from '../../ports/tool-client.js';
import { uploaderMeta } from '../../uploads/uploader-meta.js';
import { mayUpload } from '../../uploads/upload-permission.js';
import { identityFromAuthorizer } from './connect-identity.js';
import { loadUploadLambdaConfig, type UploadLambdaConfig } from './upload-config.js';
import { frameText, type WebSocketEvent, type WebSocketResult } from './ws-events.js';

interface Deps {
  config: UploadLambdaConfig;
  bucket: UploadBucket;
  connections: WebSocketConnections;
  logger: Logger;
}

let deps: Deps | undefined;

function build(): Deps {
  const config = loadUploadLambdaConfig(process.env);
  return {
    config,
    bucket: new S3UploadBucket({
      bucket: config.bucket,
      region: config.region,
      ...(config.s3Endpoint && { endpoint: config.s3Endpoint }),
    }),
    connections: new ApiGatewayConnections({
      endpoint: config.managementEndpoint,
      region: config.region,
    }),
    logger: createLogger(config.logLevel),
  };
}

/**
 * The WebSocket route `upload-form` (API Gateway routes `{"action":"upload-form"}` here, not to
 * `$default`): checks the file and the caller, and posts back a presigned POST form for one
 * object in the upload bucket, keyed under a fresh upload id, with the connection id as its
 * metadata so the ingest function can report to this page.
 */
export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  deps ??= build();
  const { connections, logger } = deps;
  const connectionId = event.requestContext.connectionId;
  const frame = await answer(event, deps);
  await connections.post(connectionId, JSON.stringify(frame)).catch((error: unknown) => {
    logger.warn('could not post the upload form', { message: String(error) });
  });
  if ('error' in frame) logger.info('upload refused', { reason: frame.error });
  return { statusCode: 200 };
}

async function answer(event: WebSocketEvent, d: Deps): Promise<UploadFormFrame> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(frameText(event));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // reported below: no id, no name
  }
  const id = typeof body['id'] === 'string' ? body['id'].slice(0, 64) : '';
  const refuse = (error: string): UploadFormFrame => ({ type: 'upload-form', id, error });
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
    return refuse("id: send the page's id for this file (1-64 letters, digits, _ or -)");
  const allowed = mayUpload(
    d.config.upload,
    { authorizer: authorizerOf(event) },
    d.config.uploadGroups,
  );
  if (!allowed.ok) return refuse(allowed.error);
  const name = typeof body['name'] === 'string' ? body['name'].trim() : '';
  const nameError = checkUploadName(name);
  if (nameError || name.includes('/'))
    return refuse(nameError ?? 'name: a file name, without folders');
  const type = uploadTypeOf(name);
  if (!type) return refuse(`${name}: ${UPLOAD_TYPES_TEXT}`);
  const size = body['size'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    return refuse(`${name}: the file is empty`);
  if (size > d.config.maxBytes)
    return refuse(`${name}: larger than ${formatBytes(d.config.maxBytes)} (CHAT_UPLOAD_MAX_BYTES)`);
  const uploadId = randomBytes(16).toString('base64url');
  const form = await d.bucket.presign({
    key: uploadKey(uploadId, name),
    contentType: type,
    connectionId: event.requestContext.connectionId,
    uploader: uploaderMeta(callerOf(identityFromAuthorizer(authorizerOf(event)))),
    maxBytes: d.config.maxBytes,
    expiresInSeconds: d.config.formTtlSeconds,
  });
  return {
    type: 'upload-form',
    id,
    uploadId,
    url: form.url,
    fields: form.fields,
    expiresInSeconds: d.config.formTtlSeconds,
  };
}

/** Tests: forget the container (environment changes between suites). */
export function resetForTests(): void {
  deps?.bucket.destroy();
  deps = undefined;
}

/** The `$connect` authorizer's context, which API Gateway passes with every message. */
function authorizerOf(event: WebSocketEvent): Record<string, unknown> {
  return (event.requestContext as { authorizer?: Record<string, unknown> }).authorizer ?? {};
}
