/**
 * The names this proxy answers itself, indexed for lookup. Table names are matched without regard to
 * case or a trailing dot. With IPv6 enabled each IPv4 VIP is also offered as its IPv4-mapped IPv6
 * address, the form the control plane publishes for dual-stack proxies.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamilyMode = 'IPv4' | 'IPv6' | 'DualStack';

export interface DnsRecord {
  name: string;
  ips: string[];
}

export interface Addresses {
  a: string[];
  aaaa: string[];
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function isIPv4Mapped(ip: string): boolean {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip);
}

export function addressesFor(ips: readonly string[], mode: IpFamilyMode): Addresses {
  const v4 = ips.filter((ip) => isIPv4(ip));
  const v6 = ips.filter((ip) => isIPv6(ip) && !isIPv4Mapped(ip));
  const mapped = mode === 'IPv4' ? [] : [...ips.filter((ip) => isIPv6(ip) && isIPv4Mapped(ip)), ...v4.map((ip) => `::ffff:${ip}`)];
  const aaaa = [...new Set([...v6, ...mapped.map((ip) => ip.toLowerCase())])];
  // an IPv6-only proxy cannot reach IPv4 VIPs, so it is not offered them
  return { a: mode === 'IPv6' ? [] : v4, aaaa };
}

export function buildAnswerTable(records: readonly DnsRecord[], mode: IpFamilyMode): Map<string, Addresses> {
  const table = new Map<string, Addresses>();
  for (const record of records) {
    const key = normalizeName(record.name);
    const previous = table.get(key);
    const next = addressesFor(record.ips, mode);
    table.set(key, previous ? { a: [...new Set([...previous.a, ...next.a])], aaaa: [...new Set([...previous.aaaa, ...next.aaaa])] } : next);
  }
  return table;
}
