/** Kuma's legacy Envoy resource names (`pkg/xds/envoy/names`) and stat-name sanitising. */

/** Go's net.JoinHostPort: IPv6 hosts get brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function inboundListenerName(address: string, port: number): string {
  return `inbound:${joinHostPort(address, port)}`;
}

export function outboundListenerName(address: string, port: number): string {
  return `outbound:${joinHostPort(address, port)}`;
}

export function localClusterName(port: number): string {
  return `localhost:${port}`;
}

export function inboundRouteName(service: string): string {
  return `inbound:${service}`;
}

export function outboundRouteName(service: string): string {
  return `outbound:${service}`;
}

/** The section name Kuma falls back to for a tag-less inbound's listener metadata. */
export function contextualInboundName(sectionName: string): string {
  return `self_inbound_dp_${sectionName}`;
}

export function proxylessListenerName(service: string): string {
  return `xds:///${service}`;
}

export const ENVOY_ADMIN_NAME = 'kuma:envoy:admin';
export const READINESS_CLUSTER_NAME = 'kuma:readiness';

// One underscore per code point, as Go's regexp replaces runes.
const ILLEGAL_STAT_CHARS = /[^a-zA-Z_\-0-9]/gu;

/** Stat prefixes may only hold `[a-zA-Z_\-0-9]`; anything else becomes `_`. */
export function sanitizeMetric(name: string): string {
  return name.replace(ILLEGAL_STAT_CHARS, '_');
}

export type IpFamily = 'ipv4' | 'ipv6';

/** Transparent-proxy catch-all listeners and their ORIGINAL_DST clusters share these names. */
export function passthroughName(direction: 'inbound' | 'outbound', family: IpFamily): string {
  return `${direction}:passthrough:${family}`;
}

/** The transparent proxy's cluster without endpoints, which drops what no inbound port claims. */
export const NO_DESTINATION_INBOUND_CLUSTER = 'self_transparentproxy_no_destination_inbound';
