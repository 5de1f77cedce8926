/**
 * The frames of a presigned upload on AWS. They travel on the WebSocket but outside the chat
 * protocol (`protocol/frames.ts`): the request is routed by API Gateway on its `action` key to
 * the upload-form function, and the answers are posted to the connection by the functions.
 */

/** Page → API Gateway route `upload-form`: may I upload this file? */
export interface UploadFormRequest {
  action: 'upload-form';
  /** The page's id for this file, echoed in the answer. */
  id: string;
  name: string;
  size: number;
}

/** Answer to {@link UploadFormRequest}: a presigned POST form, or why not. */
export type UploadFormFrame =
  | {
      type: 'upload-form';
      id: string;
      uploadId: string;
      /** POST the fields and then the file (`file` field, last) as multipart/form-data here. */
      url: string;
      fields: Record<string, string>;
      expiresInSeconds: number;
    }
  | { type: 'upload-form'; id: string; error: string };

/** Posted by the ingest function when the uploaded file was ingested or refused. */
export type UploadResultFrame =
  | {
      type: 'upload-result';
      uploadId: string;
      source: string;
      outcome: 'added' | 'replaced' | 'unchanged';
      chunks: number;
    }
  | { type: 'upload-result'; uploadId: string; source: string; outcome: 'refused'; error: string };
