/** Latency summary of one timed series of calls. */
export interface LatencySummary {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

/** Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** `totalMs` is the wall time of the whole sequential series, so calls/s includes client time. */
export function summarize(samples: readonly number[], totalMs: number): LatencySummary {
  return {
    calls: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    callsPerSecond: samples.length / (totalMs / 1000),
  };
}

/**
 * One tool's timed calls, gathered in chunks that run interleaved with the other tools' chunks,
 * so that a change in machine load during the run hits every tool alike.
 */
export class Series {
  private readonly samples: number[] = [];
  private wallMs = 0;

  /** Runs `count` sequential calls, timing each one and the chunk as a whole. */
  async run(count: number, call: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await call();
      this.samples.push(performance.now() - t0);
    }
    this.wallMs += performance.now() - started;
  }

  summary(): LatencySummary {
    return summarize(this.samples, this.wallMs);
  }
}
