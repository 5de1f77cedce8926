import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type {
  PresignedUpload,
  PresignUploadInput,
  UploadBucket,
  UploadedObject,
} from '../../ports/upload-bucket.js';

/** The object metadata field naming the uploader's WebSocket connection. */
export const CONNECTION_META = 'x-amz-meta-connection-id';
/** The object metadata field naming the uploader (see `uploads/uploader-meta.ts`). */
export const UPLOADER_META = 'x-amz-meta-uploader';

export interface S3UploadBucketOptions {
  bucket: string;
  region: string;
  /** A local stand-in for S3 (tests): path-style addressing. */
  endpoint?: string;
  /** Tests and callers with their own client (credentials, retries). */
  client?: S3Client;
}

/** The upload bucket on S3: presigned POST forms, GetObject, DeleteObject. */
export class S3UploadBucket implements UploadBucket {
  private readonly client: S3Client;

  constructor(private readonly options: S3UploadBucketOptions) {
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        ...(options.endpoint && { endpoint: options.endpoint, forcePathStyle: true }),
      });
  }

  /**
   * A form for exactly one object: its key, its content type, 1 byte to `maxBytes`, and the
   * connection id as metadata; S3 refuses a form that changes any of them or comes too late.
   */
  async presign(input: PresignUploadInput): Promise<PresignedUpload> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.options.bucket,
      Key: input.key,
      Conditions: [
        ['content-length-range', 1, input.maxBytes],
        ['eq', '$Content-Type', input.contentType],
        ['eq', `$${CONNECTION_META}`, input.connectionId],
        ['eq', `$${UPLOADER_META}`, input.uploader],
      ],
      Fields: {
        'Content-Type': input.contentType,
        [CONNECTION_META]: input.connectionId,
        [UPLOADER_META]: input.uploader,
      },
      Expires: input.expiresInSeconds,
    });
    return { key: input.key, url, fields };
  }

  async read(key: string, maxBytes: number): Promise<UploadedObject> {
    const object = await this.client.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
    );
    const size = object.ContentLength ?? 0;
    const connectionId = object.Metadata?.['connection-id'];
    const uploader = object.Metadata?.['uploader'];
    const base = { size, ...(connectionId && { connectionId }), ...(uploader && { uploader }) };
    if (size > maxBytes) {
      await object.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      return base;
    }
    const data = await object.Body?.transformToByteArray();
    return { ...base, ...(data && { data }) };
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
