import { access, constants, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppError, UpstreamError } from '../../errors.js';
import { errorFields, type Logger } from '../../logger.js';

/** Folders looked at, at most: an index has a handful (tables, versions, data, journal). */
const MAX_FOLDERS = 500;
/** The file system refuses writes: permissions (EACCES, EPERM) or a read-only mount (EROFS). */
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Refuses up front, with what to do, a document index folder this process cannot write. LanceDB
 * and the journal would otherwise fail (or stall) deep inside a write with a generic error. Each
 * folder of the index is checked (`access(W_OK)`: permission bits for a user, a read-only mount
 * also for root); files are only ever added, replaced or deleted in them, never rewritten.
 */
export async function checkWritableFolder(dir: string): Promise<void> {
  const queue = [dir];
  for (let seen = 0; queue.length > 0 && seen < MAX_FOLDERS; seen++) {
    const folder = queue.shift()!;
    try {
      await access(folder, constants.W_OK);
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) queue.push(join(folder, entry.name));
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // created on first use (or gone meanwhile)
      if (code && NOT_WRITABLE.has(code)) throw notWritable(dir, folder, code, error);
      throw error;
    }
  }
}

/** A failed write's cause as the error to answer, when it says the folder is not writable. */
export function notWritableError(dir: string, error: unknown): UpstreamError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && NOT_WRITABLE.has(code)) {
      const path = (e as NodeJS.ErrnoException).path;
      return notWritable(dir, path ?? dir, code, error);
    }
    const text = /read-only file system|permission denied/i.exec(e.message);
    if (text) return notWritable(dir, dir, text[0].toLowerCase(), error);
  }
  return undefined;
}

function notWritable(dir: string, folder: string, code: string, cause: unknown): UpstreamError {
  const readOnlyMount = code === 'EROFS' || code === 'read-only file system';
  return new UpstreamError(
    `the document index folder ${dir} is read-only (${folder}: ${readOnlyMount ? 'read-only file system' : 'permission denied'}), so the document tools cannot use it. ${
      readOnlyMount
        ? 'Remount it read-write'
        : 'Make it writable by the user running the server (e.g. chmod -R u+w on it)'
    }, or start with another --data-dir; the record tools are unaffected`,
    { cause },
  );
}

/**
 * The index folder's health as its writers see it. A step that fails because the folder is
 * read-only or full marks it so, and later writes are refused at once (`checkStillWritable`)
 * while it still is: the journal's open file would take them, but nothing could be flushed or
 * reopened.
 */
export class FolderGuard {
  private notWritable: AppError | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Throws the last not-writable error while the folder still cannot be written. */
  async checkStillWritable(): Promise<void> {
    if (!this.notWritable) return;
    await checkWritableFolder(this.dir);
    this.notWritable = undefined;
  }

  /** Runs one step of the index; a failure is logged and thrown as what the caller can act on. */
  async run<T>(action: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      this.logger.error(`document index failed while ${action}`, errorFields(error));
      const readOnly = this.failed(error);
      throw (
        readOnly ??
        new UpstreamError(`the document index failed while ${action}; see the server log`, {
          cause: error,
        })
      );
    }
  }

  /** Records a failure; the not-writable error it is, if it is one. */
  failed(error: unknown): UpstreamError | undefined {
    const readOnly = notWritableError(this.dir, error);
    if (readOnly) this.notWritable = readOnly;
    return readOnly;
  }
}
