/** IPv4 CIDR arithmetic for the VIP pool (Kuma's default pool is 240.0.0.0/4). */

export interface Ipv4Cidr {
  /** First address as an unsigned 32-bit number. */
  first: number;
  /** Number of addresses, network and broadcast included (Kuma hands out both). */
  size: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Ipv4Cidr {
  const [addr, bits, extra] = text.split('/');
  const base = addr === undefined ? undefined : parseIpv4(addr);
  const prefix = bits !== undefined && /^[0-9]{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (base === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new Error(`invalid IPv4 CIDR "${text}"`);
  }
  const size = 2 ** (32 - prefix);
  return { first: base - (base % size), size };
}

export function cidrContains(cidr: Ipv4Cidr, value: number): boolean {
  return value >= cidr.first && value < cidr.first + cidr.size;
}
