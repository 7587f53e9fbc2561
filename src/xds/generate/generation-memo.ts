/**
 * Generated messages that do not depend on the proxy, memoised in the endpoint
 * index so that proxies of one snapshot share them, and carried over to the
 * next snapshot's index while still valid: a mesh change then only regenerates
 * what it touched.
 */
import type { Endpoint } from './types.js';

interface Entry {
  /** The service the value belongs to; undefined for values shared by all. */
  service: string | undefined;
  /** Whether the value depends on the service's endpoints, not just its name. */
  endpoints: boolean;
  value: unknown;
}

type ServiceEndpointsMap = ReadonlyMap<string, { endpoints: readonly Endpoint[] }>;

export class GenerationMemo {
  // kind → key → entry; flat, because thousands of services each with a few entries are the norm.
  private readonly kinds = new Map<string, Map<string, Entry>>();
  private internCount = 0;

  /** A short token standing for a long key, so keys built from it hash quickly. */
  intern(longKey: string): string {
    return this.shared('intern', longKey, () => `#${this.internCount++}`);
  }

  /** For values that depend on no service. */
  shared<T>(kind: string, key: string, build: () => T): T {
    return this.remember(undefined, false, kind, key, build);
  }

  /** For values that depend on the service's name (and the key) only. */
  byName<T>(service: string, kind: string, key: string, build: () => T): T {
    return this.remember(service, false, kind, key, build);
  }

  /** For values that depend on the service's endpoints. */
  byEndpoints<T>(service: string, kind: string, key: string, build: () => T): T {
    return this.remember(service, true, kind, key, build);
  }

  /**
   * A memo for the next snapshot: shared entries and the name-only entries of
   * services that still have endpoints carry over, endpoint entries only where
   * those endpoints are unchanged.
   */
  carryOver(previous: ServiceEndpointsMap, next: ServiceEndpointsMap): GenerationMemo {
    const memo = new GenerationMemo();
    memo.internCount = this.internCount;
    const unchanged = new Map<string, boolean>();
    const keep = (entry: Entry): boolean => {
      if (entry.service === undefined) return true;
      const now = next.get(entry.service);
      if (!now) return false;
      if (!entry.endpoints) return true;
      let same = unchanged.get(entry.service);
      if (same === undefined) {
        same = sameEndpoints(previous.get(entry.service)?.endpoints ?? [], now.endpoints);
        unchanged.set(entry.service, same);
      }
      return same;
    };
    for (const [kind, entries] of this.kinds) {
      const kept = new Map<string, Entry>();
      for (const [key, entry] of entries) if (keep(entry)) kept.set(key, entry);
      memo.kinds.set(kind, kept);
    }
    return memo;
  }

  private remember<T>(service: string | undefined, endpoints: boolean, kind: string, key: string, build: () => T): T {
    let entries = this.kinds.get(kind);
    if (!entries) {
      entries = new Map();
      this.kinds.set(kind, entries);
    }
    const hit = entries.get(key);
    // Keys are unique per service by construction; the check keeps a freak name clash correct.
    if (hit !== undefined && hit.service === service) return hit.value as T;
    const value = build();
    entries.set(key, { service, endpoints, value });
    return value;
  }
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
