/**
 * Upload on AWS (`config.json`: `upload: {mode: "presigned"}`): the page asks the WebSocket's
 * `upload-form` route for a presigned POST form for one file, POSTs the file to the private
 * bucket with it (XHR, for its upload progress), and shows the `upload-result` frame the ingest
 * function posts to this connection when the file is stored or refused.
 */
import type { UploadFormFrame, UploadResultFrame } from '../../src/uploads/upload-frames.js';
import { newClientId } from './ids.js';
import { showOutcome, type FileSender, type UploadReport } from './upload.js';

/** How long to wait for the ingest function's report after the file reached the bucket. */
const RESULT_WAIT_MS = 5 * 60_000;

export class PresignedUploads {
  private readonly forms = new Map<string, (frame: UploadFormFrame) => void>();
  private readonly waiting = new Map<string, (frame: UploadResultFrame) => void>();
  /** Results that came before their POST finished (a fast ingest). */
  private readonly early = new Map<string, UploadResultFrame>();

  /** @param send writes one frame to the WebSocket (outside the chat protocol). */
  constructor(private readonly send: (frame: object) => void) {}

  /** Takes the upload frames from the socket; true when `frame` was one of them. */
  handles(frame: { type: string }): boolean {
    if (frame.type === 'upload-form') {
      const form = frame as UploadFormFrame;
      this.forms.get(form.id)?.(form);
      this.forms.delete(form.id);
      return true;
    }
    if (frame.type === 'upload-result') {
      const result = frame as UploadResultFrame;
      const resolve = this.waiting.get(result.uploadId);
      if (resolve) resolve(result);
      else this.early.set(result.uploadId, result);
      this.waiting.delete(result.uploadId);
      return true;
    }
    return false;
  }

  /** The {@link FileSender} that wireUpload uses in presigned mode. */
  readonly sender: FileSender = async (file, progress, status, row, deps) => {
    status.textContent = 'asking to upload';
    const form = await this.requestForm(file);
    if ('error' in form) return showOutcome(row, status, { error: form.error }, deps);
    const result = this.result(form.uploadId);
    status.textContent = 'uploading';
    const posted = await post(form, file, progress);
    if (posted.error) return showOutcome(row, status, posted, deps);
    progress.value = 100;
    status.textContent = 'indexing';
    const frame = await result;
    const report: UploadReport =
      frame.outcome === 'refused'
        ? { error: frame.error }
        : { outcome: frame.outcome, chunks: frame.chunks };
    showOutcome(row, status, report, deps);
  };

  private requestForm(file: File): Promise<UploadFormFrame> {
    const id = newClientId();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.forms.delete(id);
        resolve({ type: 'upload-form', id, error: 'no answer from the chat service; try again' });
      }, 30_000);
      this.forms.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.send({ action: 'upload-form', id, name: file.name, size: file.size });
    });
  }

  private result(uploadId: string): Promise<UploadResultFrame> {
    return new Promise((resolve) => {
      const early = this.early.get(uploadId);
      if (early) {
        this.early.delete(uploadId);
        return resolve(early);
      }
      const timer = setTimeout(() => {
        this.waiting.delete(uploadId);
        resolve({
          type: 'upload-result',
          uploadId,
          source: '',
          outcome: 'refused',
          error: 'no word from the indexer; reopen the documents panel later to see if it is there',
        });
      }, RESULT_WAIT_MS);
      this.waiting.set(uploadId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }
}

/** The browser-based POST upload: the form's fields, then the file last (S3 requires it). */
function post(
  form: Extract<UploadFormFrame, { url: string }>,
  file: File,
  progress: HTMLProgressElement,
): Promise<UploadReport> {
  return new Promise((resolve) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve({});
      const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1];
      resolve({
        error:
          code === 'EntityTooLarge'
            ? `${file.name}: larger than the upload limit`
            : `the storage refused the file (${code ?? `HTTP ${xhr.status}`})`,
      });
    };
    xhr.onerror = () => resolve({ error: 'failed: the storage could not be reached' });
    xhr.send(body);
  });
}
