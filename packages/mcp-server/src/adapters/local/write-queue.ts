/**
 * Runs async tasks one at a time, in order. LanceDB retries conflicting commits, but a
 * replace is read-then-write (is this source new?), which only a queue keeps race-free.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue moves on whether the task succeeded or not; the caller sees the outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
