/** Who a connecting proxy is, read from its xDS node: Kuma's `<mesh>.<name>` id and node metadata keys. */
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import type { Node } from '../../gen/envoy/config/core/v3/base_pb.js';
import type { ProxyMetadata } from './generate/types.js';

export class ProxyIdentityError extends Error {
  readonly code = 'invalid_argument';
}

export interface ProxyKey {
  mesh: string;
  name: string;
}

/** Splits at the first dot: the name may itself contain dots (`name.namespace`). */
export function parseNodeId(id: string): ProxyKey {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) {
    throw new ProxyIdentityError(`node id "${id}" must be "<mesh>.<name>"`);
  }
  return { mesh: id.slice(0, dot), name: id.slice(dot + 1) };
}

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function port(v: JsonValue | undefined, fallback: number): number {
  const n = Number(str(v));
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : fallback;
}

/** Proxyless gRPC clients (grpc-js-xds, grpc-go, grpc-java) identify themselves by user agent. */
export function isProxylessGrpc(node: Node): boolean {
  const meta = (node.metadata ?? {}) as JsonObject;
  if (meta['ferry.io/proxyless'] === true || meta['ferry.io/proxyless'] === 'true') return true;
  return /^grpc/i.test(node.userAgentName);
}

export interface ProxyDescription {
  key: ProxyKey;
  metadata: ProxyMetadata;
  /** The Dataplane the proxy registers for itself (`dataplane.resource`), as JSON text. */
  dataplaneResource?: string;
  versions: { kumaDp?: JsonObject; envoy?: JsonObject };
}

export function describeProxy(node: Node, defaults: { adminPort: number }): ProxyDescription {
  const meta = (node.metadata ?? {}) as JsonObject;
  const features = Array.isArray(meta.features) ? meta.features.filter((f): f is string => typeof f === 'string') : [];
  const version = (meta.version ?? {}) as JsonObject;
  return {
    key: parseNodeId(node.id),
    metadata: {
      adminPort: port(meta['dataplane.admin.port'], defaults.adminPort),
      adminAddress: str(meta['dataplane.admin.address']) || undefined,
      readinessPort: port(meta['dataplane.readinessReporter.port'], 9902),
      features,
      proxyless: isProxylessGrpc(node),
    },
    dataplaneResource: str(meta['dataplane.resource']) || undefined,
    versions: { kumaDp: (version.kumaDp as JsonObject | undefined) ?? undefined, envoy: (version.envoy as JsonObject | undefined) ?? undefined },
  };
}
