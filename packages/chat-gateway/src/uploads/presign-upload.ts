import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { uploadTypeOf } from './ingest-upload.js';

/** Where uploads wait for the ingest function: `uploads/{uploadId}/{file name}`. */
export const UPLOAD_PREFIX = 'uploads/';

/** The object metadata field naming the uploader's WebSocket connection. */
export const CONNECTION_META = 'x-amz-meta-connection-id';

export interface PresignUploadInput {
  bucket: string;
  name: string;
  /** Random, URL-safe: the per-upload key prefix. */
  uploadId: string;
  connectionId: string;
  maxBytes: number;
  expiresInSeconds: number;
}

export interface PresignedUpload {
  key: string;
  url: string;
  fields: Record<string, string>;
}

/**
 * A presigned POST for exactly one object: its key (under the upload's own prefix), its
 * content type (the one the extension maps to), 1 byte to `maxBytes`, and the uploader's
 * connection id as metadata; S3 refuses a form that changes any of them or comes too late.
 */
export async function presignUpload(
  s3: S3Client,
  input: PresignUploadInput,
): Promise<PresignedUpload> {
  const type = uploadTypeOf(input.name);
  if (!type) throw new Error(`presignUpload: ${input.name} has no accepted type`);
  const key = uploadKey(input.uploadId, input.name);
  const { url, fields } = await createPresignedPost(s3, {
    Bucket: input.bucket,
    Key: key,
    Conditions: [
      ['content-length-range', 1, input.maxBytes],
      ['eq', '$Content-Type', type],
      ['eq', `$${CONNECTION_META}`, input.connectionId],
    ],
    Fields: { 'Content-Type': type, [CONNECTION_META]: input.connectionId },
    Expires: input.expiresInSeconds,
  });
  return { key, url, fields };
}

export function uploadKey(uploadId: string, name: string): string {
  return `${UPLOAD_PREFIX}${uploadId}/${name}`;
}

/** The upload id and file name of a key written by a form from {@link presignUpload}. */
export function parseUploadKey(key: string): { uploadId: string; name: string } | undefined {
  const match = /^uploads\/([A-Za-z0-9_-]{8,64})\/([^/]+)$/.exec(key);
  return match ? { uploadId: match[1]!, name: match[2]! } : undefined;
}
