/** Where a turn waits for the user's answer to a `confirm-request`. */
export interface ApprovalGate {
  /**
   * Resolves true when approved; false when refused, timed out or aborted. `toolCallId` is the
   * id the gateway minted for this call (unique per gateway), never a model's id.
   */
  wait(sessionId: string, toolCallId: string, signal: AbortSignal): Promise<boolean>;
}

/**
 * Destructive tool calls waiting for the user's `confirm`, in this process (the local server;
 * on AWS the `confirm` arrives at another function, so the gate there reads the store). A
 * pending call is keyed by its session and its id together: a confirmation is accepted only
 * from the session that owns the call, and one session's call never displaces another's. An
 * unanswered request is refused after the timeout.
 */
export class PendingApprovals implements ApprovalGate {
  private readonly pending = new Map<string, (approved: boolean) => void>();

  constructor(private readonly timeoutMs: number) {}

  /** Resolves true when approved; false when refused, timed out or aborted. */
  wait(sessionId: string, toolCallId: string, signal: AbortSignal): Promise<boolean> {
    const key = pendingKey(sessionId, toolCallId);
    // An id already waiting is never replaced (the first waiter would hang): the new call is refused.
    if (this.pending.has(key)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (approved: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.pending.get(key) === done) this.pending.delete(key);
        resolve(approved);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), this.timeoutMs);
      timer.unref?.();
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(key, done);
    });
  }

  /** False when no call with this id waits in this session (another session's id included). */
  settle(sessionId: string, toolCallId: string, approved: boolean): boolean {
    const resolve = this.pending.get(pendingKey(sessionId, toolCallId));
    if (!resolve) return false;
    resolve(approved);
    return true;
  }
}

function pendingKey(sessionId: string, toolCallId: string): string {
  return `${sessionId}\n${toolCallId}`;
}
