/**
 * SPIFFE ID syntax as go-spiffe's `spiffeid.FromString` checks it; the returned
 * reason is the text Kuma puts after "must be a valid Spiffe ID: ".
 */

const SCHEME = 'spiffe://';

function isTrustDomainChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-' || c === '.' || c === '_';
}

function isPathSegmentChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '.' || c === '_';
}

function pathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  if (path[0] !== '/') return 'path must have a leading slash';
  let segmentStart = 0;
  let i = 0;
  for (; i < path.length; i++) {
    const c = path[i];
    if (c === '/') {
      const segment = path.slice(segmentStart, i);
      if (segment === '/') return 'path cannot contain empty segments';
      if (segment === '/.' || segment === '/..') return 'path cannot contain dot segments';
      segmentStart = i;
      continue;
    }
    if (!isPathSegmentChar(c)) return 'path segment characters are limited to letters, numbers, dots, dashes, and underscores';
  }
  const last = path.slice(segmentStart, i);
  if (last === '/') return 'path cannot have a trailing slash';
  if (last === '/.' || last === '/..') return 'path cannot contain dot segments';
  return undefined;
}

/** Why `id` is not a SPIFFE ID, or undefined when it is one. */
export function spiffeIdProblem(id: string): string | undefined {
  if (id === '') return 'cannot be empty';
  if (!id.startsWith(SCHEME)) return 'scheme is missing or invalid';
  let end = SCHEME.length;
  for (; end < id.length && id[end] !== '/'; end++) {
    if (!isTrustDomainChar(id[end])) {
      return 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores';
    }
  }
  if (end === SCHEME.length) return 'trust domain is missing';
  return pathProblem(id.slice(end));
}
