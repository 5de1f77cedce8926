/** One presigned POST form for one object. */
export interface PresignedUpload {
  key: string;
  url: string;
  fields: Record<string, string>;
}

export interface PresignUploadInput {
  key: string;
  /** The only Content-Type the form accepts. */
  contentType: string;
  /** Stored as the object's metadata, so the ingest function can report to the uploader. */
  connectionId: string;
  /**
   * Who uploads, fixed by the form (S3 refuses a changed value) so the ingest function runs as
   * them: `uploaderMeta(caller)`.
   */
  uploader: string;
  maxBytes: number;
  expiresInSeconds: number;
}

/** An uploaded object as the ingest function reads it. */
export interface UploadedObject {
  size: number;
  /** Undefined when larger than the `maxBytes` the read was given (not downloaded). */
  data?: Uint8Array;
  connectionId?: string;
  /** The form's `uploader` value, as stored. */
  uploader?: string;
}

/** Where page uploads wait to be ingested (on AWS: a private S3 bucket). */
export interface UploadBucket {
  presign(input: PresignUploadInput): Promise<PresignedUpload>;
  read(key: string, maxBytes: number): Promise<UploadedObject>;
  remove(key: string): Promise<void>;
  destroy(): void;
}
