/** Where uploads wait for the ingest function: `uploads/{uploadId}/{file name}`. */
export const UPLOAD_PREFIX = 'uploads/';

export function uploadKey(uploadId: string, name: string): string {
  return `${UPLOAD_PREFIX}${uploadId}/${name}`;
}

/** The upload id and file name of a key the upload-form function handed out; else undefined. */
export function parseUploadKey(key: string): { uploadId: string; name: string } | undefined {
  const match = /^uploads\/([A-Za-z0-9_-]{8,64})\/([^/]+)$/.exec(key);
  return match ? { uploadId: match[1]!, name: match[2]! } : undefined;
}
