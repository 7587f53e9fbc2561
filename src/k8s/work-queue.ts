/**
 * A deduplicating queue of keys worked one at a time; a failed key is retried after an
 * exponential backoff even if no further event arrives for it.
 */
import { RetryTimers } from './retry-timers.js';

export interface WorkQueueOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  onError(key: string, err: unknown): void;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers: RetryTimers;
  private working = false;
  private open = false;
  private stopped = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    options: WorkQueueOptions,
  ) {
    this.timers = new RetryTimers(options.retryBaseMs, options.retryMaxMs);
    this.onError = options.onError;
  }

  private readonly onError: (key: string, err: unknown) => void;

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
    this.timers.stop();
    this.pending.clear();
  }

  backoff(attempt: number): number {
    return this.timers.backoff(attempt);
  }

  later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
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
          this.onError(key, err);
          this.later(this.backoff(attempt), () => this.add(key));
        }
      }
    } finally {
      this.working = false;
    }
  }
}
