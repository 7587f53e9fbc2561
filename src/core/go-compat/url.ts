/** Go's net/url.ParseRequestURI (Go 1.26), reduced to acceptance and the parts Kuma reads. */
import { Buffer } from 'node:buffer';
import { parseAddr } from './ip.js';

export interface RequestUri {
  /** lower-cased, as Go stores it */
  scheme: string;
  /** unescaped `host[:port]`; empty for paths and opaque URIs */
  host: string;
  /** what URL.Port() returns */
  port: string;
}

type EscapeMode = 'path' | 'host' | 'zone' | 'userinfo';

const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
const HOST_SAFE = /^[a-zA-Z0-9!$&'()*+,;=:[\]<>"\-_.~]$/;
const USERINFO_CHARS = /^[a-zA-Z0-9\-._:~!$&'()*+,;=%@]*$/;

/** An absolute path, `*`, or an absolute URI; null where Go returns an error. */
export function parseRequestUri(raw: string): RequestUri | null {
  if (CONTROL_CHARS.test(raw) || raw === '') return null;
  if (raw === '*') return { scheme: '', host: '', port: '' };

  const split = splitScheme(raw);
  if (!split) return null;
  const scheme = split.scheme.toLowerCase();
  let rest = split.rest;

  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));

  if (!rest.startsWith('/')) return scheme !== '' ? { scheme, host: '', port: '' } : null; // rootless after a scheme: opaque
  let host = '';
  if (scheme !== '' && rest.startsWith('//')) {
    const authorityEnd = rest.indexOf('/', 2);
    const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
    const parsedHost = parseAuthority(scheme, authority);
    if (parsedHost === null) return null;
    host = parsedHost;
    rest = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  }
  if (unescape(rest, 'path') === null) return null;
  return { scheme, host, port: portOf(host) };
}

/** Go's getScheme: null for a leading colon ("missing protocol scheme"). */
function splitScheme(raw: string): { scheme: string; rest: string } | null {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return null;
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    break;
  }
  return { scheme: '', rest: raw };
}

/** Go's url.unescape: the decoded string, or null when an escape or host character is invalid. */
function unescape(s: string, mode: EscapeMode): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      const byte = parseInt(hex, 16);
      const isPercent = hex === '25';
      // a host may only escape non-ASCII bytes (and % in a zone)
      if (mode === 'host' && byte < 0x80 && !isPercent) return null;
      // a zone may escape anything it could also spell out, plus spaces
      if (mode === 'zone' && !isPercent && byte !== 0x20 && !HOST_SAFE.test(String.fromCharCode(byte))) return null;
      bytes.push(byte);
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && !HOST_SAFE.test(c)) return null;
    bytes.push(...Buffer.from(c, 'utf8'));
    i++;
  }
  return Buffer.from(bytes).toString('utf8');
}

function isOptionalPort(s: string): boolean {
  return /^(:[0-9]*)?$/.test(s);
}

/** The unescaped host, or null when Go rejects it. */
function parseHost(scheme: string, host: string): string | null {
  const open = host.lastIndexOf('[');
  if (open > 0) return null;
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) return null;
    const colonPort = host.slice(close + 1);
    if (!isOptionalPort(colonPort)) return null;
    const hostname = host.slice(1, close);
    const zoneAt = hostname.indexOf('%25');
    const parts =
      zoneAt >= 0
        ? [unescape(hostname.slice(0, zoneAt), 'host'), unescape(hostname.slice(zoneAt), 'zone')]
        : [unescape(hostname, 'host')];
    if (parts.includes(null)) return null;
    const unescaped = parts.join('');
    // brackets hold IPv6 only (IPv4-mapped included)
    const addr = parseAddr(unescaped);
    if (addr === null || addr.is4) return null;
    return `[${unescaped}]${colonPort}`;
  }
  const firstColon = host.indexOf(':');
  if (firstColon !== -1) {
    // only http(s) hosts are strict about a single colon
    const lastColon = host.lastIndexOf(':');
    const portAt = lastColon !== firstColon && scheme !== 'http' && scheme !== 'https' ? lastColon : firstColon;
    if (!isOptionalPort(host.slice(portAt))) return null;
  }
  return unescape(host, 'host');
}

function parseAuthority(scheme: string, authority: string): string | null {
  const at = authority.lastIndexOf('@');
  const host = parseHost(scheme, authority.slice(at + 1));
  if (host === null || at < 0) return host;
  const userinfo = authority.slice(0, at);
  return USERINFO_CHARS.test(userinfo) && unescape(userinfo, 'userinfo') !== null ? host : null;
}

/** URL.Port(): digits after the last colon, when they form a valid port. */
function portOf(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon >= 0 && isOptionalPort(host.slice(colon)) ? host.slice(colon + 1) : '';
}
