/**
 * An informer-backed cache of one Kubernetes collection (list, then watch from the list's
 * resourceVersion; client-node re-lists after 410 Expired). Reads come from here. Writers wait on
 * it after a write, so the store's own next read sees what it just wrote.
 */
import { makeInformer, type Informer, type KubeConfig, type ObjectCache } from '@kubernetes/client-node';
import { restartOnError, startUntilListed, type Lifecycle } from '../informer-lifecycle.js';
import { RetryTimers } from '../retry-timers.js';
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
  private readonly timers: RetryTimers;
  private readonly life: Lifecycle;
  private listed = false;
  private stopped = false;
  /** Highest version any event of this collection carried. */
  private seenVersion = '0';

  constructor(
    kc: KubeConfig,
    readonly endpoint: Endpoint,
    private readonly logger: ControllerLogger,
    options: CollectionCacheOptions,
    onChange: (event: CacheEvent, obj: KubeObject) => void,
  ) {
    this.informer = makeInformer<KubeObject>(kc, endpoint.path, () => endpoint.list());
    this.timers = new RetryTimers(options.retryBaseMs, options.retryMaxMs);
    this.life = { stopped: () => this.stopped, synced: () => this.listed, timers: this.timers, logger };
    for (const event of ['add', 'update', 'delete'] as const) {
      this.informer.on(event, (obj: KubeObject) => {
        const version = obj.metadata?.resourceVersion;
        if (version !== undefined && atLeast(version, this.seenVersion)) this.seenVersion = version;
        this.wake();
        // The initial list reports what already exists, not changes.
        if (this.listed) onChange(event, obj);
      });
    }
    restartOnError(this.informer, endpoint.path, this.life);
  }

  /** Resolves once the first list is in the cache; retries a failing list with backoff. */
  async start(): Promise<void> {
    await startUntilListed(this.informer, this.endpoint.path, this.life);
    if (!this.stopped) this.listed = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
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
}
