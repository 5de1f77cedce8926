import { createLogger, pdfToText, type Logger } from 'chatbot-mcp-server/core';
import type { S3Event } from 'aws-lambda';
import { createToolClient } from '../../adapters/create-tool-client.js';
import {
  ApiGatewayConnections,
  type WebSocketConnections,
} from '../../adapters/aws/apigw-connections.js';
import type { ToolClient } from '../../ports/tool-client.js';
import { formatBytes, ingestUpload } from '../../uploads/ingest-upload.js';
import { uploaderFromMeta } from '../../uploads/uploader-meta.js';
import { S3UploadBucket } from '../../adapters/aws/s3-upload-bucket.js';
import type { UploadBucket } from '../../ports/upload-bucket.js';
import { parseUploadKey } from '../../uploads/upload-keys.js';
import type { UploadResultFrame } from '../../uploads/upload-frames.js';
import { loadUploadLambdaConfig, type UploadLambdaConfig } from './upload-config.js';

interface Deps {
  config: UploadLambdaConfig;
  bucket: UploadBucket;
  tools: ToolClient;
  connections: WebSocketConnections;
  logger: Logger;
}

let deps: Deps | undefined;

function build(): Deps {
  const config = loadUploadLambdaConfig(process.env, { mcp: true });
  const logger = createLogger(config.logLevel);
  return {
    config,
    logger,
    bucket: new S3UploadBucket({
      bucket: config.bucket,
      region: config.region,
      ...(config.s3Endpoint && { endpoint: config.s3Endpoint }),
    }),
    tools: createToolClient(
      {
        kind: 'lambda',
        functionName: config.mcpFunctionName!,
        region: config.region,
        ...(config.lambdaEndpoint && { endpoint: config.lambdaEndpoint }),
      },
      { logger },
    ),
    connections: new ApiGatewayConnections({
      endpoint: config.managementEndpoint,
      region: config.region,
    }),
  };
}

/**
 * S3 ObjectCreated on `uploads/`: reads the object, runs the same ingest as the local
 * gateway's `POST /upload` (type by extension, PDF to text, the MCP server's ingest_document,
 * which on AWS embeds with Bedrock and writes to OpenSearch), posts `upload-result` to the
 * uploader's connection, and deletes the object (the bucket's lifecycle rule removes any left).
 */
export async function handler(event: S3Event): Promise<{ results: UploadResultFrame[] }> {
  deps ??= build();
  const results: UploadResultFrame[] = [];
  for (const record of event.Records ?? []) results.push(await ingestRecord(record, deps));
  return { results };
}

async function ingestRecord(
  record: S3Event['Records'][number],
  d: Deps,
): Promise<UploadResultFrame> {
  // S3 event keys are URL-encoded, with + for spaces.
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  const bucket = record.s3.bucket.name;
  const parsed = parseUploadKey(key);
  if (!parsed || bucket !== d.config.bucket) {
    d.logger.warn('not an upload key; left alone', { key: key.slice(0, 300) });
    return {
      type: 'upload-result',
      uploadId: '',
      source: '',
      outcome: 'refused',
      error: 'not an upload',
    };
  }
  const { uploadId, name } = parsed;
  let connectionId: string | undefined;
  let frame: UploadResultFrame;
  try {
    const object = await d.bucket.read(key, d.config.maxBytes);
    connectionId = object.connectionId;
    const data = object.data;
    if (!data) {
      frame = refused(
        uploadId,
        name,
        `${name}: larger than ${formatBytes(d.config.maxBytes)} (CHAT_UPLOAD_MAX_BYTES)`,
      );
    } else {
      const result = await ingestUpload(name, data, {
        tools: d.tools,
        pdfToText,
        caller: uploaderFromMeta(object.uploader),
      });
      frame = result.ok
        ? {
            type: 'upload-result',
            uploadId,
            source: result.source,
            outcome: result.outcome,
            chunks: result.chunks,
          }
        : refused(uploadId, name, result.error);
    }
  } catch (error) {
    d.logger.error('upload ingest failed', { key: key.slice(0, 300), message: String(error) });
    frame = refused(uploadId, name, `${name}: could not be stored now; upload it again later`);
  }
  d.logger.info('upload ingested', { uploadId, outcome: frame.outcome });
  if (connectionId)
    await d.connections
      .post(connectionId, JSON.stringify(frame))
      .catch((error: unknown) =>
        d.logger.info('uploader gone; result not delivered', { uploadId, message: String(error) }),
      );
  await d.bucket
    .remove(key)
    .catch((error: unknown) =>
      d.logger.warn('could not delete the upload', { uploadId, message: String(error) }),
    );
  return frame;
}

function refused(uploadId: string, source: string, error: string): UploadResultFrame {
  return { type: 'upload-result', uploadId, source, outcome: 'refused', error };
}

/** Tests: close what this module's container opened. */
export async function closeForTests(): Promise<void> {
  const d = deps;
  deps = undefined;
  d?.bucket.destroy();
  await d?.tools.close();
}
