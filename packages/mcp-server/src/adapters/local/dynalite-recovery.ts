import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Why the embedded store needs this: after a failed write (a full disk) LevelDB's log writer is
 * left mid-record. LevelDB neither stops nor repairs it: the next writes are appended after the
 * torn record, succeed, are readable from memory, and are dropped as corrupt when the log is
 * replayed on the next start. So after the first failed write no write reaches LevelDB until the
 * database has been closed and opened again (which replays the log up to the tear, writes it to
 * a table file and starts a fresh log). That reopen is done here, between requests, once the
 * disk has room again; until then writes are refused and reads go on.
 */

/** One request to dynalite's handler: a Node request/response or the direct channel's stand-ins. */
export type DynaliteHandler = (req: unknown, res: DynaliteResponse) => void;

export interface DynaliteResponse {
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(text?: string): unknown;
}

/** Whether the store takes writes now; when not, why (for health checks). */
export type StoreHealth = { writable: true } | { writable: false; reason: string };

/** The LevelDB calls this module needs; put, del and batch are guarded in place. */
export interface ReopenableDb {
  open(): Promise<void>;
  [method: string]: unknown;
}

export interface RecoveryOptions {
  db: ReopenableDb;
  /** Closes LevelDB so that it can be opened again (dynalite's own close is for good). */
  closeForReopen(): Promise<void>;
  /** LevelDB's folder (none: in memory, where a reopen would lose everything). */
  path?: string;
  /** Turns a LevelDB error into the DynamoDB-style error dynalite answers with. */
  asServiceError(error: unknown): unknown;
  /** The refusal while a failed write has not been recovered from: an error dynalite answers. */
  refusal(cause: unknown, detail: string): Error;
  /** The answer body for a request that cannot be served while the database is closed. */
  closedAnswer(cause: unknown): { status: number; body: string };
}

const WRITES = ['put', 'del', 'batch'] as const;
/** Least time between two reopen attempts, so a failing disk is not hammered. */
const RETRY_MS = 1_000;
/** Room LevelDB needs on top of its logs to reopen: a new manifest, log and table headers. */
const HEADROOM_BYTES = 1024 * 1024;
/** A request still running after this long does not hold up a reopen any longer. */
const DRAIN_MS = 10_000;

/**
 * Guards a dynalite store: every LevelDB write goes through `db` (guarded here), every request
 * through `handler` (which waits while the database is reopened).
 */
export class DynaliteRecovery {
  /** The failure that stopped writes; undefined while writes are safe. */
  private failure: unknown;
  /** Bumped on every failed write: a write that started before one cannot be vouched for. */
  private failures = 0;
  private closed = false;
  private reopening: Promise<void> | undefined;
  private lastAttempt = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: RecoveryOptions) {
    this.guardWrites();
  }

  /** Wraps dynalite's request handler: requests wait while the database is being reopened. */
  gate(inner: DynaliteHandler): DynaliteHandler {
    return (req, res) => {
      const run = (): void => this.dispatch(inner, req, res);
      if (this.failure !== undefined && !this.reopening) void this.maybeReopen();
      if (this.reopening) this.waiting.push(run);
      else run();
    };
  }

  /** Writable, or why not; a due reopen is attempted first (so a probe sees a recovered store). */
  async health(): Promise<StoreHealth> {
    if (this.failure !== undefined) await this.maybeReopen();
    if (this.failure === undefined) return { writable: true };
    return { writable: false, reason: this.reason() };
  }

  /** Waits for a reopen under way, so closing does not race it. */
  async settle(): Promise<void> {
    while (this.reopening) await this.reopening;
  }

  private reason(): string {
    const error = this.options.asServiceError(this.failure) as { body?: { message?: string } };
    return error.body?.message ?? String(this.failure);
  }

  private dispatch(inner: DynaliteHandler, req: unknown, res: DynaliteResponse): void {
    if (this.closed) {
      const answer = this.options.closedAnswer(this.failure);
      res.statusCode = answer.status;
      res.setHeader('Content-Type', 'application/x-amz-json-1.0');
      res.end(answer.body);
      return;
    }
    this.inFlight++;
    const end = res.end.bind(res);
    let ended = false;
    res.end = (text?: string) => {
      if (!ended) {
        ended = true;
        if (--this.inFlight === 0) this.drained?.();
      }
      return end(text);
    };
    inner(req, res);
    // The direct channel's request emits its body only once a handler listens.
    (req as { sendBody?: () => void }).sendBody?.();
  }

  private maybeReopen(): Promise<void> {
    if (this.reopening) return this.reopening;
    if (!this.options.path || Date.now() - this.lastAttempt < RETRY_MS) return Promise.resolve();
    const path = this.options.path;
    this.reopening = (async () => {
      try {
        if (!(await hasRoomToReopen(path))) return;
        this.lastAttempt = Date.now();
        await this.drain();
        if (!this.closed) {
          await this.options.closeForReopen();
          this.closed = true;
        }
        await this.options.db.open();
        this.closed = false;
        this.failure = undefined;
      } catch (error) {
        // Still failing (no room after all, or the folder is gone): keep refusing; retried later.
        this.failure = error;
      } finally {
        this.reopening = undefined;
        for (const run of this.waiting.splice(0)) run();
      }
    })();
    return this.reopening;
  }

  private drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_MS);
      this.drained = () => {
        clearTimeout(timer);
        this.drained = undefined;
        resolve();
      };
    });
  }

  private guardWrites(): void {
    const db = this.options.db;
    for (const method of WRITES) {
      const original = db[method];
      if (typeof original !== 'function') continue;
      db[method] = (...args: unknown[]): unknown => {
        const callback = args.at(-1);
        if (typeof callback !== 'function') return original.apply(db, args) as unknown;
        const answer = callback as (...a: unknown[]) => unknown;
        if (this.failure !== undefined) {
          const refused = this.options.refusal(this.failure, 'nothing was written');
          setImmediate(() => answer(refused));
          return undefined;
        }
        const failuresBefore = this.failures;
        return original.apply(db, [
          ...args.slice(0, -1),
          (error: unknown, ...rest: unknown[]) => {
            if (error) {
              this.failure ??= error;
              this.failures++;
              return answer(this.options.asServiceError(error), ...rest);
            }
            // Another write failed meanwhile: this one may sit in the torn log, lost on restart.
            if (this.failures !== failuresBefore) {
              return answer(
                this.options.refusal(
                  this.failure,
                  'this write may not have been saved; check it and write it again once there is room',
                ),
              );
            }
            return answer(null, ...rest);
          },
        ]) as unknown;
      };
    }
  }
}

/** Free space on LevelDB's disk covers its logs (rewritten as a table on open) plus headroom. */
async function hasRoomToReopen(path: string): Promise<boolean> {
  try {
    const fs = await statfs(path);
    let logs = 0;
    for (const name of await readdir(path)) {
      if (name.endsWith('.log')) logs += (await stat(join(path, name))).size;
    }
    return fs.bavail * fs.bsize >= logs + HEADROOM_BYTES;
  } catch {
    // Cannot tell (a file system without statfs): let the reopen itself find out.
    return true;
  }
}
