/** Kuma publishes only names the proxy may reach: with `reachableServices`, just those services' names. */
import type { Resource } from '../core/resource.js';
import type { DnsRecord } from './dns-records.js';
import { vipHostnames } from './hostnames.js';

export function reachableRecords(records: DnsRecord[], dataplane: Resource | undefined): DnsRecord[] {
  const reachable = (dataplane?.spec.networking as { transparentProxying?: { reachableServices?: string[] } } | undefined)?.transparentProxying
    ?.reachableServices;
  if (!reachable || reachable.length === 0) return records;
  const names = new Set(reachable.flatMap((s) => vipHostnames(s)));
  return records.filter((r) => names.has(r.name));
}
