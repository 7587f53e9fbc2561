/**
 * An informer-backed cache of one Kubernetes collection (list, then watch from the list's
 * resourceVersion; client-node re-lists after 410 Expired). Reads come from here. Writers wait on
 * it after a write, so the store's own next read sees what it just wrote.
 */
import { makeInformer, type Informer, type KubeConfig, type ObjectCache } from '@kubernetes/client-node';
import type { ControllerLogger } from '../service-controller.js';
import type { Endpoint } from './endpoints.js';
import type { ObjectKey } from './names.js';
import type { KubeObject } from './objects.js';

export type CacheEvent = 'add' | 'update' | 'delete';

export interface CollectionCacheOptions {
  retryBaseMs: number;
  retryMaxMs: number;
}

interface Waiter {
  done(): boolean;
  resolve(): void;
}

/** Versions are opaque to clients, but etcd's are increasing integers; only used to tell when a cache caught up. */
function atLeast(version: string | undefined, wanted: string): boolean {
  if (version === undefined) return false;
  if (version === wanted) return true;
  if (!/^\d+$/.test(version) || !/^\d+$/.test(wanted)) return false;
  return BigInt(version) >= BigInt(wanted);
}

export class CollectionCache {
  private readonly informer: Informer<KubeObject> & ObjectCache<KubeObject>;
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private listed = false;
  private stopped = false;
  private restartAttempts = 0;
  /** Highest version any event of this collection carried. */
  private seenVersion = '0';

  constructor(
    kc: KubeConfig,
    readonly endpoint: Endpoint,
    private readonly logger: ControllerLogger,
    private readonly options: CollectionCacheOptions,
    onChange: (event: CacheEvent, obj: KubeObject) => void,
  ) {
    this.informer = makeInformer<KubeObject>(kc, endpoint.path, () => endpoint.list());
    for (const event of ['add', 'update', 'delete'] as const) {
      this.informer.on(event, (obj: KubeObject) => {
        const version = obj.metadata?.resourceVersion;
        if (version !== undefined && atLeast(version, this.seenVersion)) this.seenVersion = version;
        this.wake();
        // The initial list reports what already exists, not changes.
        if (this.listed) onChange(event, obj);
      });
    }
    this.informer.on('error', (err: unknown) => {
      if (this.stopped || !this.listed) return;
      this.restartAttempts++;
      this.logger.error({ err, resource: endpoint.path }, `watch of ${endpoint.path} failed, restarting`);
      this.later(this.backoff(this.restartAttempts), () => {
        if (!this.stopped) void this.informer.start().then(() => (this.restartAttempts = 0));
      });
    });
  }

  /** Resolves once the first list is in the cache; retries a failing list with backoff. */
  async start(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      let failure: unknown;
      const onError = (err: unknown): void => {
        failure = err;
      };
      this.informer.on('error', onError);
      await this.informer.start();
      this.informer.off('error', onError);
      if (failure === undefined) {
        this.listed = true;
        return;
      }
      if (this.stopped) return;
      this.logger.error({ err: failure, resource: this.endpoint.path }, `unable to list ${this.endpoint.path}, retrying`);
      await new Promise<void>((resolve) => this.later(this.backoff(attempt), resolve));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
    await this.informer.stop();
  }

  get(key: ObjectKey): KubeObject | undefined {
    return this.informer.get(key.name, key.namespace);
  }

  list(): readonly KubeObject[] {
    return this.informer.list();
  }

  /** Until the cache holds this object at `version` or later (or the timeout passes). */
  waitForVersion(key: ObjectKey, version: string, timeoutMs: number): Promise<void> {
    return this.waitUntil(key, () => atLeast(this.get(key)?.metadata?.resourceVersion, version) || atLeast(this.seenVersion, version), timeoutMs);
  }

  /** Until the cache no longer holds the object with this uid. */
  waitForRemoval(key: ObjectKey, uid: string | undefined, timeoutMs: number): Promise<void> {
    return this.waitUntil(
      key,
      () => {
        const cached = this.get(key);
        return cached === undefined || (uid !== undefined && cached.metadata?.uid !== uid);
      },
      timeoutMs,
    );
  }

  private waitUntil(key: ObjectKey, done: () => boolean, timeoutMs: number): Promise<void> {
    if (this.stopped || done()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const started = Date.now();
      const waiter: Waiter = {
        done,
        resolve: () => {
          this.waiters.delete(waiter);
          clearInterval(poll);
          resolve();
        },
      };
      // A re-list can move the cache past a version without an event for it, so also poll.
      const poll = setInterval(() => {
        if (done()) waiter.resolve();
        else if (Date.now() - started > timeoutMs) {
          this.logger.info({ resource: this.endpoint.path, key }, 'cache did not catch up with a write in time, reads may be stale');
          waiter.resolve();
        }
      }, 25);
      this.waiters.add(waiter);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) if (w.done()) w.resolve();
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
