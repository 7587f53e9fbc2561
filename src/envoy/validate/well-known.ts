/**
 * The `well_known` string formats. IP checks follow Envoy's C++ validator
 * (inet_pton: no zone ids, no leading zeros); email and URI follow the Go
 * validator approximately, since the C++ one does not implement them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { KnownRegex } from '../../../gen/validate/validate_pb.js';

export function isIp(s: string): boolean {
  return isIPv4(s) || isIpv6(s);
}

export function isIpv4(s: string): boolean {
  return isIPv4(s);
}

export function isIpv6(s: string): boolean {
  return !s.includes('%') && isIPv6(s);
}

const hostnameLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** RFC 1034 host name, one trailing dot allowed, no IDNs. */
export function isHostname(s: string): boolean {
  if (s.length > 253) return false;
  const host = (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  for (const label of host.split('.')) {
    if (label.length === 0 || label.length > 63 || !hostnameLabel.test(label)) return false;
  }
  return true;
}

export function isAddress(s: string): boolean {
  return isHostname(s) || isIp(s);
}

const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(s: string): boolean {
  return uuidPattern.test(s);
}

const atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const dotAtomLocal = new RegExp(`^${atext}(\\.${atext})*$`);
const quotedLocal = /^"([^"\\\r\n]|\\.)*"$/;
const displayNameForm = /^[^<>]*<([^<>]+)>$/;

/** An RFC 5322 address, optionally with a display name, whose domain is a host name. */
export function isEmail(s: string): boolean {
  const named = displayNameForm.exec(s.trim());
  const addr = named ? named[1] : s;
  if (addr.length > 254) return false;
  const at = addr.lastIndexOf('@');
  if (at <= 0) return false;
  const local = addr.slice(0, at);
  if (local.length > 64) return false;
  if (!dotAtomLocal.test(local) && !quotedLocal.test(local)) return false;
  return isHostname(addr.slice(at + 1));
}

const controlChar = /[\x00-\x1f\x7f]/;
const badEscape = /%(?![0-9A-Fa-f]{2})/;
const schemePrefix = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const hostChars = /^[A-Za-z0-9\-._~!$&'()*+,;=%[\]:]*$/;

/** Parses like Go's url.Parse would accept it; returns whether a scheme is present, or undefined when invalid. */
function parseUri(s: string): { absolute: boolean } | undefined {
  if (controlChar.test(s)) return undefined;
  const hash = s.indexOf('#');
  const beforeFragment = hash < 0 ? s : s.slice(0, hash);
  if (hash >= 0 && badEscape.test(s.slice(hash + 1))) return undefined;
  const q = beforeFragment.indexOf('?');
  let rest = q < 0 ? beforeFragment : beforeFragment.slice(0, q);
  if (rest.startsWith(':')) return undefined;
  const scheme = schemePrefix.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
  } else {
    const firstSegment = rest.split('/', 1)[0];
    if (firstSegment.includes(':')) return undefined;
  }
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/\//);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    if (!hostChars.test(hostPort)) return undefined;
    const port = /:([^\]:]*)$/.exec(hostPort);
    if (port && !/^\d*$/.test(port[1])) return undefined;
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  if (badEscape.test(rest)) return undefined;
  return { absolute: scheme !== null };
}

export function uriProblem(s: string, mustBeAbsolute: boolean): string | undefined {
  const parsed = parseUri(s);
  if (!parsed) return 'value must be a valid URI';
  if (mustBeAbsolute && !parsed.absolute) return 'value must be absolute';
  return undefined;
}

// RFC 7230 token (optionally a pseudo-header), field-value, and the loose form that only bars NUL, CR and LF.
// `+-.` is a range, as in PGV's own pattern, so ',' passes too: Envoy accepts it.
const headerName = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/;
const headerValue = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const headerLoose = /^[^\u0000\u000A\u000D]*$/;

export function headerRegexTest(kind: KnownRegex, strict: boolean): ((s: string) => string | undefined) | undefined {
  switch (kind) {
    case KnownRegex.HTTP_HEADER_NAME: {
      const re = strict ? headerName : headerLoose;
      return (s) => (re.test(s) ? undefined : 'value must be a valid HTTP header name');
    }
    case KnownRegex.HTTP_HEADER_VALUE: {
      const re = strict ? headerValue : headerLoose;
      return (s) => (re.test(s) ? undefined : 'value must be a valid HTTP header value');
    }
    default:
      return undefined;
  }
}
