/** The DNS table ferry-dp serves, derived from a mesh's VIPs. */
import { DEFAULT_DNS_DOMAIN, vipHostnames } from './hostnames.js';
import { compareNames, type VipTable } from './vip-table.js';

export interface DnsRecord {
  name: string;
  ips: string[];
}

/**
 * One record per hostname, sorted by name. When two services claim one name
 * (`a_b` and `a.b` both give `a.b.mesh`) the later service in name order wins, as in Kuma.
 * Callers filter `vips` to what the proxy may reach before calling.
 */
export function dnsRecordsFor(vips: VipTable, domain = DEFAULT_DNS_DOMAIN): DnsRecord[] {
  const byName = new Map<string, string>();
  for (const service of [...vips.keys()].sort(compareNames)) {
    for (const name of vipHostnames(service, domain)) byName.set(name, vips.get(service)!);
  }
  return [...byName.keys()].sort(compareNames).map((name) => ({ name, ips: [byName.get(name)!] }));
}
