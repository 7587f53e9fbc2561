/** Backoff delays and the timers waiting on them, all cancelled at once when their owner stops. */
export class RetryTimers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly retryBaseMs: number,
    private readonly retryMaxMs: number,
  ) {}

  /** Delay before retry number `attempt` (1-based): doubling from the base, capped. */
  backoff(attempt: number): number {
    return Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
