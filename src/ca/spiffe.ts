/** SPIFFE IDs for a mesh (the trust domain) and its services, with go-spiffe's rules and error texts. */

const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]*$/;
const PATH_SEGMENT_CHARS = /^[a-zA-Z0-9._-]*$/;

function checkTrustDomain(mesh: string): void {
  if (mesh === '') throw new Error('trust domain is missing');
  if (!TRUST_DOMAIN_CHARS.test(mesh)) {
    throw new Error('trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores');
  }
}

function checkPathSegment(segment: string): void {
  if (segment === '') throw new Error('path cannot contain empty segments');
  if (segment === '.' || segment === '..') throw new Error('path cannot contain dot segments');
  if (!PATH_SEGMENT_CHARS.test(segment)) {
    throw new Error('path segment characters are limited to letters, numbers, dots, dashes, and underscores');
  }
}

/** `spiffe://<mesh>`: the mesh CA's identity. */
export function meshSpiffeId(mesh: string): string {
  checkTrustDomain(mesh);
  return `spiffe://${mesh}`;
}

/** `spiffe://<mesh>/<service>`: a workload's identity. */
export function serviceSpiffeId(mesh: string, service: string): string {
  checkTrustDomain(mesh);
  checkPathSegment(service);
  return `spiffe://${mesh}/${service}`;
}
