/** Service protocols and the protocol a set of endpoints has in common (`pkg/core/metadata/protocol.go`). */

export type Protocol = 'tcp' | 'tls' | 'http' | 'http2' | 'grpc' | 'kafka' | 'mysql' | '<unknown>';

export const UNKNOWN_PROTOCOL: Protocol = '<unknown>';

const KNOWN = new Set<string>(['tcp', 'tls', 'http', 'http2', 'grpc', 'kafka', 'mysql']);

/** Case-insensitive; anything unrecognised (or missing) is unknown. */
export function parseProtocol(value: string | undefined): Protocol {
  const lower = (value ?? '').toLowerCase();
  return KNOWN.has(lower) ? (lower as Protocol) : UNKNOWN_PROTOCOL;
}

export function isHttpBased(protocol: Protocol): boolean {
  return protocol === 'http' || protocol === 'http2' || protocol === 'grpc';
}

// Each protocol with the protocols it can be carried as, most specific first.
const STACKS: Partial<Record<Protocol, Protocol[]>> = {
  grpc: ['grpc', 'http2', 'tcp'],
  http2: ['http2', 'tcp'],
  http: ['http', 'tcp'],
  kafka: ['kafka', 'tcp'],
  tls: ['tcp'],
  tcp: ['tcp'],
};

/** grpc and http2 share http2, http and http2 share tcp; unknown (and mysql) share nothing. */
export function commonProtocol(a: Protocol, b: Protocol): Protocol {
  if (a === b) return a;
  const stackA = STACKS[a];
  const stackB = STACKS[b];
  if (!stackA || !stackB) return UNKNOWN_PROTOCOL;
  return stackA.find((p) => stackB.includes(p)) ?? UNKNOWN_PROTOCOL;
}

/** The common protocol of the endpoints' `kuma.io/protocol` tags; unknown for none. */
export function inferServiceProtocol(protocolTags: readonly (string | undefined)[]): Protocol {
  if (protocolTags.length === 0) return UNKNOWN_PROTOCOL;
  let protocol = parseProtocol(protocolTags[0]);
  for (let i = 1; i < protocolTags.length; i++) protocol = commonProtocol(protocol, parseProtocol(protocolTags[i]));
  return protocol;
}
