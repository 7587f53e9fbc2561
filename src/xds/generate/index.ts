/** Public surface of the Envoy resource generators. */
export { generateEnvoyConfig } from './generate.js';
export { buildEndpointIndex } from './endpoint-index.js';
export { AdminConfigError } from './admin.js';
export { DEFAULT_KNOWN_INTERNAL_CIDRS, internalAddressesFromCidrs } from './internal-addresses.js';
export { generateSecrets } from './secrets.js';
export { identitySecretName, meshCaSecretName } from './secret-names.js';
export { PROXYLESS_CA_CERTIFICATE, PROXYLESS_CERTIFICATE_PROVIDER, PROXYLESS_IDENTITY_CERTIFICATE } from './tls-contexts.js';
export type {
  Endpoint,
  EndpointIndex,
  EnvoyConfig,
  InternalAddress,
  Locality,
  MeshSnapshot,
  Proxy,
  ProxyMetadata,
  ServiceEndpoints,
} from './types.js';
