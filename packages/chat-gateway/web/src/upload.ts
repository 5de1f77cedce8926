/**
 * Upload from the page: files chosen in the picker or dropped on the documents panel go one by
 * one to `POST /upload` (XHR, for its upload progress), each with a row showing its progress
 * and then its outcome (added, replaced, unchanged) or why it was refused.
 */
import { h } from './dom.js';

export interface UploadDeps {
  /** The access token, when the gateway needs one. */
  token: () => string | undefined;
  /** Called after each file that was stored (the list changed). */
  onStored: () => void;
  /** Another way to send a file (AWS: presigned-upload.ts); default `POST /upload`. */
  send?: FileSender;
}

/** Sends one file, showing its progress in `progress` and its state and outcome in `status`. */
export type FileSender = (
  file: File,
  progress: HTMLProgressElement,
  status: HTMLElement,
  row: HTMLElement,
  deps: UploadDeps,
) => Promise<void>;

/** The outcome of one file, as the gateway or the upload-ingest function reports it. */
export interface UploadReport {
  outcome?: string;
  chunks?: number;
  error?: string;
}

/** Shows a file's outcome in its row (`data-outcome` for tests and styles). */
export function showOutcome(
  row: HTMLElement,
  status: HTMLElement,
  report: UploadReport,
  deps: Pick<UploadDeps, 'onStored'>,
): void {
  if (report.outcome && report.outcome !== 'refused' && !report.error) {
    row.dataset['outcome'] = report.outcome;
    status.textContent = `${OUTCOME_TEXT[report.outcome] ?? report.outcome} · ${report.chunks ?? 0} chunk(s)`;
    deps.onStored();
  } else {
    row.dataset['outcome'] = 'refused';
    status.textContent = `refused: ${report.error ?? 'the file was not stored'}`;
  }
}

const OUTCOME_TEXT: Record<string, string> = {
  added: 'added',
  replaced: 'replaced (it was there before)',
  unchanged: 'unchanged (the same content was there already)',
};

export function wireUpload(
  input: HTMLInputElement,
  dropZone: HTMLElement,
  rows: HTMLElement,
  deps: UploadDeps,
): void {
  let queue = Promise.resolve();
  const add = (files: FileList | null): void => {
    for (const file of files ?? []) {
      const row = h('li', { className: 'upload-row', attrs: { 'data-file': file.name } });
      const name = h('span', { className: 'upload-name', text: file.name });
      const progress = h('progress', { attrs: { max: '100', value: '0' } });
      const status = h('span', { className: 'upload-status', text: 'waiting' });
      row.append(name, progress, status);
      rows.append(row);
      queue = queue.then(() => (deps.send ?? sendToGateway)(file, progress, status, row, deps));
    }
  };
  input.addEventListener('change', () => {
    add(input.files);
    input.value = '';
  });
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    add(event.dataTransfer?.files ?? null);
  });
}

/** The local gateway's `POST /upload`. */
export function sendToGateway(
  file: File,
  progress: HTMLProgressElement,
  status: HTMLElement,
  row: HTMLElement,
  deps: UploadDeps,
): Promise<void> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}`);
    const token = deps.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    status.textContent = 'uploading';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    };
    xhr.upload.onload = () => {
      progress.value = 100;
      status.textContent = 'indexing';
    };
    xhr.onload = () => {
      let body: { outcome?: string; chunks?: number; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // Not JSON: the status says enough.
      }
      if (xhr.status === 200 && body.outcome) showOutcome(row, status, body, deps);
      else showOutcome(row, status, { error: body.error ?? `HTTP ${xhr.status}` }, deps);
      resolve();
    };
    xhr.onerror = () => {
      row.dataset['outcome'] = 'refused';
      status.textContent = 'failed: the gateway could not be reached';
      resolve();
    };
    xhr.send(file);
  });
}
