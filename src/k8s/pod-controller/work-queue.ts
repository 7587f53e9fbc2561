/**
 * A deduplicating queue of keys worked one at a time; a failed key is retried after an
 * exponential backoff even if no further event arrives for it.
 */
export interface WorkQueueOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  onError(key: string, err: unknown): void;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private working = false;
  private open = false;
  private stopped = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly options: WorkQueueOptions,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    void this.drain();
  }

  /** Keys added before this wait until the caches they are read from are filled. */
  start(): void {
    this.open = true;
    void this.drain();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  /** Delay before retry number `attempt` (1-based). */
  backoff(attempt: number): number {
    return Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private async drain(): Promise<void> {
    if (this.working || !this.open) return;
    this.working = true;
    try {
      while (!this.stopped && this.pending.size > 0) {
        const key = this.pending.values().next().value as string;
        this.pending.delete(key);
        try {
          await this.work(key);
          this.failures.delete(key);
        } catch (err) {
          if (this.stopped) return;
          const attempt = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, attempt);
          this.options.onError(key, err);
          this.later(this.backoff(attempt), () => this.add(key));
        }
      }
    } finally {
      this.working = false;
    }
  }
}
