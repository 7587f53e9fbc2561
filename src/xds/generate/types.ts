/** Inputs and outputs of the Envoy resource generators. */
import type { Resource } from '../../core/resource.js';
import type { Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import type { ClusterLoadAssignment } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import type { RouteConfiguration } from '../../../gen/envoy/config/route/v3/route_pb.js';
import type { Secret } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import type { OutboundInterface } from './dataplane-view.js';
import type { GenerationMemo } from './generation-memo.js';
import type { Protocol } from './protocol.js';

export interface MeshSnapshot {
  mesh: Resource;
  /** Every Dataplane of the mesh, the proxy's own included. */
  dataplanes: Resource[];
  /** The control plane's zone; an endpoint in another zone gets the remote priority under locality-aware LB. */
  zone?: string;
  /** The mesh's MeshTrafficPermissions; absent means none. */
  meshTrafficPermissions?: Resource[];
  /**
   * Services every proxy of which holds a certificate from the mesh's enabled
   * CA backend (Kuma's ServiceInsight TLS readiness). Only PERMISSIVE meshes
   * read it: clients dial the others in plaintext. Absent = none known yet.
   */
  tlsReadyServices?: ReadonlySet<string>;
  /**
   * The mesh's VIP table (`kuma.io/service` → VIP). Proxies with a transparent
   * proxy (or `feature-bind-outbounds`) get an outbound on `VIP:80` per entry in
   * place of their spec outbounds; absent means not known, and then the spec
   * outbounds stay.
   */
  vips?: ReadonlyMap<string, string>;
  /**
   * Outbounds the platform adds for transparently proxied members, next to the VIP
   * outbounds: on Kubernetes, every mesh Service's `ClusterIP:port` (or a headless
   * Service's endpoints). Filtered per proxy by `reachableServices` and its own inbounds.
   */
  platformOutbounds?: readonly OutboundInterface[];
}

export interface ProxyMetadata {
  /** Envoy admin port; 0 turns the admin resources off. Default 9901. */
  adminPort: number;
  /** Loopback address the admin API listens on: '', 0.0.0.0, 127.0.0.1, :: or ::1. */
  adminAddress?: string;
  /** kuma-dp readiness reporter port. Default 9902. */
  readinessPort?: number;
  /** `feature-*` flags the proxy advertised in its node metadata. */
  features: string[];
  /** A proxyless gRPC client rather than Envoy. */
  proxyless: boolean;
  /** Kuma treats a missing `ipv6Enabled` metadata field as true. */
  ipv6Enabled?: boolean;
}

/** A CIDR Envoy treats as internal when it decides which headers to trust. */
export interface InternalAddress {
  addressPrefix: string;
  prefixLen: number;
}

export interface Proxy {
  dataplane: Resource;
  metadata: ProxyMetadata;
  /**
   * The control plane's `ipam.knownInternalCIDRs`; Kuma's defaults when absent,
   * loopback only when empty.
   */
  internalAddresses?: InternalAddress[];
}

export interface EnvoyConfig {
  listeners: Listener[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  routes: RouteConfiguration[];
  /** SDS secrets; the generators never fill this (they only refer to secrets by name), the caller adds them from `generateSecrets`. */
  secrets?: Secret[];
}

export interface Locality {
  zone: string;
  priority: number;
}

/** One healthy inbound of some Dataplane, seen from the proxies that call it. */
export interface Endpoint {
  address: string;
  port: number;
  /** The inbound's tags, `kuma.io/service` included. */
  tags: Readonly<Record<string, string>>;
  /** The Dataplane's labels. */
  labels: Readonly<Record<string, string>>;
  weight: number;
  locality?: Locality;
}

export interface ServiceEndpoints {
  /** The protocol all endpoints have in common. */
  protocol: Protocol;
  endpoints: readonly Endpoint[];
}

/**
 * What every proxy of one mesh snapshot shares; `memo` holds generated messages
 * that do not depend on the proxy. Treat everything here as immutable.
 */
export interface EndpointIndex {
  mesh: string;
  services: ReadonlyMap<string, ServiceEndpoints>;
  memo: GenerationMemo;
}
