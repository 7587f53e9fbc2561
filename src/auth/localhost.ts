/**
 * Kuma's "localhost is admin" test: the request must come straight from a loopback address to a
 * loopback Host, through no proxy, and not be a cross-site browser request — so a web page
 * open on the same machine cannot borrow admin rights.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseIP } from '../core/go-compat/ip.js';

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function isLoopbackIP(bytes: number[]): boolean {
  const v4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (v4Mapped) return bytes[12] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}

function canonicalHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const ip = parseIP(h);
  return ip ? `ip:${ip.join('.')}` : h;
}

export function isLoopbackHost(host: string): boolean {
  let h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  const ip = parseIP(h);
  return ip !== null && isLoopbackIP(ip);
}

/** Host and port of `host[:port]` as a URL authority (default port by scheme), or undefined when it is not one. */
function parseAuthority(scheme: string, hostport: string): { host: string; hostname: string; port: string } | undefined {
  if (hostport === '' || hostport.endsWith(':') || /[/?#@\s\\]/.test(hostport)) return undefined;
  let hostname: string;
  let port = '';
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return undefined;
    hostname = hostport.slice(1, end);
    const rest = hostport.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      port = rest.slice(1);
    }
  } else {
    const colon = hostport.lastIndexOf(':');
    hostname = colon < 0 ? hostport : hostport.slice(0, colon);
    if (colon >= 0) port = hostport.slice(colon + 1);
    if (hostname.includes(':')) return undefined;
  }
  if (port === '') port = scheme === 'http' ? '80' : scheme === 'https' ? '443' : '';
  if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
  const host = canonicalHost(hostname);
  if (host === '') return undefined;
  return { host, hostname, port: String(Number(port)) };
}

function isSameOriginLoopback(origin: string, requestHost: string): boolean {
  if (origin === '') return true;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)$/.exec(origin);
  if (!m) return false;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return false;
  const o = parseAuthority(scheme, m[2]);
  if (!o || !isLoopbackHost(o.hostname)) return false;
  const r = parseAuthority(scheme, requestHost);
  return r !== undefined && o.host === r.host && o.port === r.port;
}

export interface RequestOrigin {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

export function isDirectLoopbackRequest(req: RequestOrigin): boolean {
  if (!req.remoteAddress || !isLoopbackHost(req.remoteAddress)) return false;
  if (header(req.headers, 'forwarded') || header(req.headers, 'x-forwarded-for') || header(req.headers, 'x-real-ip')) return false;
  const host = header(req.headers, 'host');
  const authority = parseAuthority('http', host);
  if (!authority || !isLoopbackHost(authority.hostname)) return false;
  const fetchSite = header(req.headers, 'sec-fetch-site');
  if (fetchSite !== '' && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  return isSameOriginLoopback(header(req.headers, 'origin'), host);
}
