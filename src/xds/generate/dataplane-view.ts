/**
 * The parts of a Dataplane spec the generators read, resolved with Kuma's
 * defaults (`api/mesh/v1alpha1/dataplane_helpers.go`).
 */
import { isIP } from 'node:net';
import type { Spec } from '../../core/resource.js';

type Tags = Record<string, string>;

interface InboundSpec {
  port?: number;
  servicePort?: number;
  serviceAddress?: string;
  address?: string;
  tags?: Tags;
  health?: { ready?: boolean };
  state?: string;
  name?: string;
  protocol?: string;
}

interface OutboundSpec {
  address?: string;
  port?: number;
  tags?: Tags;
  backendRef?: unknown;
}

interface NetworkingSpec {
  address?: string;
  advertisedAddress?: string;
  inbound?: InboundSpec[];
  outbound?: OutboundSpec[];
  gateway?: { type?: string; tags?: Tags };
  transparentProxying?: {
    redirectPortInbound?: number;
    redirectPortOutbound?: number;
    ipFamilyMode?: string;
    reachableServices?: string[];
  };
}

/** Port Kuma gives inbounds of workloads that expose no service. */
export const SERVICELESS_PORT = 49151;

export interface InboundInterface {
  /** Where Envoy listens. */
  dataplaneIp: string;
  dataplanePort: number;
  /** What other proxies dial. */
  advertisedIp: string;
  /** Where the application listens. */
  workloadIp: string;
  workloadPort: number;
  sectionName: string;
  tags: Tags;
  /** The `protocol` field, else the `kuma.io/protocol` tag. */
  protocol: string;
  healthy: boolean;
}

export interface OutboundInterface {
  address: string;
  port: number;
  tags: Tags;
}

function networkingOf(spec: Spec): NetworkingSpec {
  return (spec.networking ?? {}) as NetworkingSpec;
}

export function dataplaneAddress(spec: Spec): string {
  return networkingOf(spec).address ?? '';
}

/** Not `NotReady`/`Ignored`, and a `health` block (when present) says ready. */
function isHealthy(inbound: InboundSpec): boolean {
  if ((inbound.state ?? 'Ready') !== 'Ready') return false;
  return inbound.health === undefined || inbound.health.ready === true;
}

export function inboundInterfaces(spec: Spec): InboundInterface[] {
  const networking = networkingOf(spec);
  const address = networking.address ?? '';
  return (networking.inbound ?? []).map((inbound) => {
    const dataplaneIp = inbound.address || address;
    const dataplanePort = inbound.port ?? 0;
    const tags = inbound.tags ?? {};
    return {
      dataplaneIp,
      dataplanePort,
      advertisedIp: networking.advertisedAddress || dataplaneIp,
      workloadIp: inbound.serviceAddress || dataplaneIp,
      workloadPort: inbound.servicePort || dataplanePort,
      sectionName: inbound.name || String(dataplanePort),
      tags,
      protocol: inbound.protocol || tags['kuma.io/protocol'] || '',
      healthy: isHealthy(inbound),
    };
  });
}

/** Tag-based outbounds; `backendRef` outbounds need MeshServices, which Ferry does not have. */
export function outboundInterfaces(spec: Spec): OutboundInterface[] {
  const result: OutboundInterface[] = [];
  for (const outbound of networkingOf(spec).outbound ?? []) {
    if (outbound.backendRef !== undefined || !outbound.tags?.['kuma.io/service']) continue;
    result.push({ address: outbound.address || '127.0.0.1', port: outbound.port ?? 0, tags: outbound.tags });
  }
  return result;
}

/**
 * Kuma's rule for the spec's transparent-proxy block: a redirect port is set,
 * and IPv4-only mode needs an IPv4 address.
 */
export function transparentProxyEnabled(spec: Spec): boolean {
  const networking = networkingOf(spec);
  const tp = networking.transparentProxying;
  if (!tp || (!tp.redirectPortInbound && !tp.redirectPortOutbound)) return false;
  return tp.ipFamilyMode !== 'IPv4' || isIP(networking.address ?? '') === 4;
}

export function reachableServices(spec: Spec): string[] {
  return networkingOf(spec).transparentProxying?.reachableServices ?? [];
}

export interface TransparentProxyConfig {
  /** 0 when inbound traffic is not redirected. */
  redirectPortInbound: number;
  /** 0 when outbound traffic is not redirected. */
  redirectPortOutbound: number;
  /** Every mode but `IPv4` (an unset one included) redirects IPv6 as well. */
  ipv6: boolean;
}

export function transparentProxyConfig(spec: Spec): TransparentProxyConfig | undefined {
  const tp = networkingOf(spec).transparentProxying;
  if (!tp) return undefined;
  return {
    redirectPortInbound: tp.redirectPortInbound ?? 0,
    redirectPortOutbound: tp.redirectPortOutbound ?? 0,
    ipv6: tp.ipFamilyMode !== 'IPv4',
  };
}
