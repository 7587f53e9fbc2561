/** Pure allocation step: keep what still holds, give new services the lowest free addresses. */
import { cidrContains, formatIpv4, parseIpv4, type Ipv4Cidr } from './cidr.js';
import type { ServiceAddresses } from './vip-config.js';

export interface Allocation {
  entries: ServiceAddresses;
  /** Wanted services the pool had no room for. */
  unallocated: string[];
}

/**
 * `wanted` must be sorted: new addresses go out in that order. Services no longer wanted
 * release their address; an address outside the pool (the CIDR changed) or claimed twice is
 * reallocated, as Kuma only reserves in-pool addresses on reload.
 */
export function allocate(previous: ServiceAddresses, wanted: readonly string[], pool: Ipv4Cidr): Allocation {
  const used = new Set<number>();
  const kept = new Map<string, string>();
  for (const service of wanted) {
    const address = previous.get(service);
    const value = address === undefined ? undefined : parseIpv4(address);
    if (value === undefined || !cidrContains(pool, value) || used.has(value)) continue;
    used.add(value);
    kept.set(service, formatIpv4(value));
  }

  const entries: ServiceAddresses = new Map();
  const unallocated: string[] = [];
  let next = pool.first;
  const end = pool.first + pool.size;
  for (const service of wanted) {
    const address = kept.get(service);
    if (address !== undefined) {
      entries.set(service, address);
      continue;
    }
    while (next < end && used.has(next)) next++;
    if (next >= end) {
      entries.set(service, undefined);
      unallocated.push(service);
      continue;
    }
    used.add(next);
    entries.set(service, formatIpv4(next));
  }
  return { entries, unallocated };
}
