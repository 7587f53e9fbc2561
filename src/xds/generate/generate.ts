/**
 * (mesh snapshot, proxy) → Envoy resources, with Kuma v2.14.3's names and
 * layout. Pure: no I/O, no clock; equal input gives equal, name-sorted output.
 * Secrets are only referred to by name; their contents come from `generateSecrets`.
 */
import { generateAdmin } from './admin.js';
import { buildEndpointIndex } from './endpoint-index.js';
import { generateInbounds } from './inbound.js';
import { effectiveInternalAddresses } from './internal-addresses.js';
import { meshMtls } from './mesh-mtls.js';
import { generateOutbounds } from './outbound.js';
import { proxyOutbounds } from './proxy-outbounds.js';
import { generateProxyless } from './proxyless.js';
import { ResourceCollector } from './resource-collector.js';
import { generateTransparentProxy } from './transparent-proxy.js';
import type { EndpointIndex, EnvoyConfig, MeshSnapshot, Proxy } from './types.js';

/**
 * Pass the index built once for the snapshot when generating for many proxies;
 * it must come from the same snapshot.
 */
export function generateEnvoyConfig(snapshot: MeshSnapshot, proxy: Proxy, index: EndpointIndex = buildEndpointIndex(snapshot)): EnvoyConfig {
  const out = new ResourceCollector();
  const mtls = meshMtls(snapshot.mesh);
  if (proxy.metadata.proxyless) {
    // A gRPC client has no admin API and receives no inbound traffic through us.
    generateProxyless(proxy, index, mtls, out);
    return out.toConfig();
  }
  const internalAddresses = effectiveInternalAddresses(proxy.internalAddresses, proxy.metadata.ipv6Enabled ?? true);
  generateAdmin(proxy, out);
  generateTransparentProxy(snapshot, proxy, index, mtls, out);
  generateInbounds(snapshot, proxy, { internalAddresses, mtls }, out);
  const internalAddressesKey = index.memo.intern(JSON.stringify(internalAddresses));
  generateOutbounds(proxy, proxyOutbounds(snapshot, proxy, index), index, { internalAddresses, internalAddressesKey, mtls, tlsReadyServices: snapshot.tlsReadyServices }, out);
  return out.toConfig();
}
