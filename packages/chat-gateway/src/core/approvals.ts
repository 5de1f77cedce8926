/** Where a turn waits for the user's answer to a `confirm-request`. */
export interface ApprovalGate {
  /** Resolves true when approved; false when refused, timed out or aborted. */
  wait(sessionId: string, toolCallId: string, signal: AbortSignal): Promise<boolean>;
}

/**
 * Destructive tool calls waiting for the user's `confirm`, in this process (the local server;
 * on AWS the `confirm` arrives at another function, so the gate there reads the store). A confirmation is accepted only from
 * the session that owns the call; an unanswered request is refused after the timeout.
 */
export class PendingApprovals implements ApprovalGate {
  private readonly pending = new Map<
    string,
    { sessionId: string; resolve: (approved: boolean) => void }
  >();

  constructor(private readonly timeoutMs: number) {}

  /** Resolves true when approved; false when refused, timed out or aborted. */
  wait(sessionId: string, toolCallId: string, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (approved: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(toolCallId);
        resolve(approved);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), this.timeoutMs);
      timer.unref?.();
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(toolCallId, { sessionId, resolve: done });
    });
  }

  /** False when no call with this id waits in this session (another session's id included). */
  settle(sessionId: string, toolCallId: string, approved: boolean): boolean {
    const entry = this.pending.get(toolCallId);
    if (!entry || entry.sessionId !== sessionId) return false;
    entry.resolve(approved);
    return true;
  }
}
