/** Go's netip.ParseAddr and net.ParseIP, with the net.IP comparisons Kuma uses. */

const V4_IN_V6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
const IPV4_ZERO = [...V4_IN_V6_PREFIX, 0, 0, 0, 0];

export interface ParsedAddr {
  /** 16 bytes; IPv4 is held IPv4-mapped, as Go does. */
  bytes: number[];
  is4: boolean;
  zone: string;
}

/** netip.ParseAddr: IPv4 dotted quads or IPv6 (zones allowed), else null. */
export function parseAddr(s: string): ParsedAddr | null {
  for (const c of s) {
    if (c === '.') {
      const octets = parseIPv4(s);
      return octets && { bytes: [...V4_IN_V6_PREFIX, ...octets], is4: true, zone: '' };
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return null;
  }
  return null;
}

/** net.ParseIP: the 16-byte form, or null (zones are rejected). */
export function parseIP(s: string): number[] | null {
  const addr = parseAddr(s);
  return addr && addr.zone === '' ? addr.bytes : null;
}

export function isIP(s: string): boolean {
  return parseIP(s) !== null;
}

/** net.IP.IsUnspecified: 0.0.0.0 or ::. */
export function isUnspecifiedIP(ip: number[]): boolean {
  return ip.every((byte) => byte === 0) || equalIP(ip, IPV4_ZERO);
}

export function equalIP(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function parseIPv4(s: string): number[] | null {
  const fields = s.split('.');
  if (fields.length !== 4) return null;
  const octets: number[] = [];
  for (const field of fields) {
    // no leading zeros: Go refuses them as possibly octal
    if (!/^[0-9]{1,3}$/.test(field) || (field.length > 1 && field[0] === '0')) return null;
    const n = Number(field);
    if (n > 255) return null;
    octets.push(n);
  }
  return octets;
}

function parseIPv6(input: string): ParsedAddr | null {
  let s = input;
  let zone = '';
  const percent = s.indexOf('%');
  if (percent !== -1) {
    zone = s.slice(percent + 1);
    s = s.slice(0, percent);
    if (zone === '') return null;
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: ip, is4: false, zone };
  }
  let i = 0;
  while (i < 16) {
    const group = /^[0-9a-fA-F]*/.exec(s)![0];
    if (group.length === 0 || group.length > 4) return null;
    if (s[group.length] === '.') {
      // an embedded IPv4 address must end the string and fill the last four bytes
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const octets = parseIPv4(s);
      if (!octets) return null;
      ip.splice(i, 4, ...octets);
      s = '';
      i += 4;
      break;
    }
    const value = parseInt(group, 16);
    ip[i] = value >> 8;
    ip[i + 1] = value & 0xff;
    i += 2;
    s = s.slice(group.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const gap = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + gap] = ip[j];
    ip.fill(0, ellipsis, ellipsis + gap);
  } else if (ellipsis >= 0) {
    return null;
  }
  return { bytes: ip, is4: false, zone };
}
