/** The CIDRs HTTP connection managers treat as internal (`ipam.knownInternalCIDRs`). */
import { isIP } from 'node:net';
import type { InternalAddress } from './types.js';

/** Kuma v2.14.3's default `ipam.knownInternalCIDRs`. */
export const DEFAULT_KNOWN_INTERNAL_CIDRS = [
  '10.0.0.0/8',
  '192.168.0.0/16',
  '172.16.0.0/12',
  'fc00::/7',
  'fd00::/8',
  '127.0.0.1/32',
  '::1/128',
];

/** What Kuma falls back to when the configured list is empty. */
export const LOOPBACK_INTERNAL_ADDRESSES: readonly InternalAddress[] = [
  { addressPrefix: '127.0.0.1', prefixLen: 32 },
  { addressPrefix: '::1', prefixLen: 128 },
];

/** `a.b.c.d/n` → {a.b.c.d, n}; IPv6 prefixes in canonical form. Malformed entries are dropped. */
export function internalAddressesFromCidrs(cidrs: readonly string[]): InternalAddress[] {
  const result: InternalAddress[] = [];
  for (const cidr of cidrs) {
    const slash = cidr.indexOf('/');
    if (slash < 0) continue;
    const ip = cidr.slice(0, slash);
    const bits = cidr.slice(slash + 1);
    const family = isIP(ip);
    const prefixLen = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    if (family === 0 || prefixLen < 0 || prefixLen > (family === 4 ? 32 : 128)) continue;
    result.push({ addressPrefix: family === 6 ? canonicalIPv6(ip) : ip, prefixLen });
  }
  return result;
}

function canonicalIPv6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

export const DEFAULT_INTERNAL_ADDRESSES: readonly InternalAddress[] = internalAddressesFromCidrs(DEFAULT_KNOWN_INTERNAL_CIDRS);

/** The proxy's setting resolved as Kuma does; IPv6 prefixes dropped when the proxy has no IPv6. */
export function effectiveInternalAddresses(
  configured: readonly InternalAddress[] | undefined,
  ipv6Enabled: boolean,
): InternalAddress[] {
  const list = configured === undefined ? DEFAULT_INTERNAL_ADDRESSES : configured.length === 0 ? LOOPBACK_INTERNAL_ADDRESSES : configured;
  // Only a plain IPv6 address counts; a prefix written with its length stays.
  return list.filter((a) => ipv6Enabled || isIP(a.addressPrefix) !== 6);
}
