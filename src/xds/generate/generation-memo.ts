/**
 * Generated messages that do not depend on the proxy, memoised in the endpoint
 * index so that proxies of one snapshot share them, and carried over to the
 * next snapshot's index while still valid: a mesh change then only regenerates
 * what it touched.
 */
import type { Endpoint } from './types.js';

interface ServiceEntries {
  /** Depends on the service's name alone. */
  byName: Map<string, unknown>;
  /** Depends on the service's endpoints as well. */
  byEndpoints: Map<string, unknown>;
}

export class GenerationMemo {
  private readonly sharedEntries = new Map<string, unknown>();
  private readonly serviceEntries = new Map<string, ServiceEntries>();

  /** For values that depend on no service. */
  shared<T>(key: string, build: () => T): T {
    return remember(this.sharedEntries, key, build);
  }

  /** For values that depend on the service's name (and the key) only. */
  byName<T>(service: string, key: string, build: () => T): T {
    return remember(this.entriesOf(service).byName, key, build);
  }

  /** For values that depend on the service's endpoints. */
  byEndpoints<T>(service: string, key: string, build: () => T): T {
    return remember(this.entriesOf(service).byEndpoints, key, build);
  }

  /**
   * A memo for the next snapshot: shared entries and the name-only entries of
   * services that still exist carry over, endpoint entries only where the
   * service's endpoints are unchanged.
   */
  carryOver(
    previousEndpoints: ReadonlyMap<string, { endpoints: readonly Endpoint[] }>,
    nextEndpoints: ReadonlyMap<string, { endpoints: readonly Endpoint[] }>,
  ): GenerationMemo {
    const next = new GenerationMemo();
    for (const [key, value] of this.sharedEntries) next.sharedEntries.set(key, value);
    for (const [service, entries] of this.serviceEntries) {
      const now = nextEndpoints.get(service);
      if (!now) continue;
      const unchanged = sameEndpoints(previousEndpoints.get(service)?.endpoints ?? [], now.endpoints);
      next.serviceEntries.set(service, { byName: entries.byName, byEndpoints: unchanged ? entries.byEndpoints : new Map() });
    }
    return next;
  }

  private entriesOf(service: string): ServiceEntries {
    let entries = this.serviceEntries.get(service);
    if (!entries) {
      entries = { byName: new Map(), byEndpoints: new Map() };
      this.serviceEntries.set(service, entries);
    }
    return entries;
  }
}

function remember<T>(map: Map<string, unknown>, key: string, build: () => T): T {
  const hit = map.get(key);
  if (hit !== undefined) return hit as T;
  const value = build();
  map.set(key, value);
  return value;
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.address !== y.address || x.port !== y.port || x.weight !== y.weight) return false;
    if (x.locality?.zone !== y.locality?.zone || x.locality?.priority !== y.locality?.priority) return false;
    if (!sameRecord(x.tags, y.tags) || !sameRecord(x.labels, y.labels)) return false;
  }
  return true;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
