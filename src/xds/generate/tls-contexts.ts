/**
 * Mesh mTLS transport sockets (`pkg/xds/envoy/tls`). Envoy proxies get SDS
 * references only: the certificate, key and CA travel as separate SDS secrets
 * over the same ADS stream, so no key material ever sits in a Listener or
 * Cluster. Proxyless gRPC clients get certificate provider instances instead,
 * which their bootstrap maps to local files (gRFC A29).
 */
import { toBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import type { TransportSocket } from '../../../gen/envoy/config/core/v3/base_pb.js';
import { TransportSocketSchema } from '../../../gen/envoy/config/core/v3/base_pb.js';
import {
  CertificateProviderPluginInstanceSchema,
  CertificateValidationContextSchema,
  SubjectAltNameMatcher_SanType,
  SubjectAltNameMatcherSchema,
} from '../../../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import { SdsSecretConfigSchema, type SdsSecretConfig } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import {
  CommonTlsContext_CombinedCertificateValidationContextSchema,
  CommonTlsContextSchema,
  DownstreamTlsContextSchema,
  UpstreamTlsContextSchema,
} from '../../../gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
import { StringMatcherSchema } from '../../../gen/envoy/type/matcher/v3/string_pb.js';
import { sortedKeys } from '../../core/go-compat/sort.js';
import { ADS_CONFIG_SOURCE, pack, packEncoded } from './envoy-messages.js';
import { messageFactory } from './message-factory.js';
import { identitySecretName, meshCaSecretName } from './secret-names.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import { encodeUpstreamTlsDestination } from './upstream-tls-encoding.js';

const make = {
  transportSocket: messageFactory(TransportSocketSchema),
  sdsSecretConfig: messageFactory(SdsSecretConfigSchema),
  commonTlsContext: messageFactory(CommonTlsContextSchema),
  combinedValidationContext: messageFactory(CommonTlsContext_CombinedCertificateValidationContextSchema),
  validationContext: messageFactory(CertificateValidationContextSchema),
  sanMatcher: messageFactory(SubjectAltNameMatcherSchema),
  stringMatcher: messageFactory(StringMatcherSchema),
  certificateProvider: messageFactory(CertificateProviderPluginInstanceSchema),
  upstreamTlsContext: messageFactory(UpstreamTlsContextSchema),
  downstreamTlsContext: messageFactory(DownstreamTlsContextSchema),
};

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

/** Sidecars offer this ALPN so a PERMISSIVE inbound can tell Kuma's mTLS from the application's own TLS. */
export const KUMA_ALPN = 'kuma';

/** The bootstrap `certificate_providers` instance proxyless clients must define, and the certificate names asked of it. */
export const PROXYLESS_CERTIFICATE_PROVIDER = 'ferry';
export const PROXYLESS_IDENTITY_CERTIFICATE = 'identity';
export const PROXYLESS_CA_CERTIFICATE = 'ca';

export function serviceSpiffeId(mesh: string, service: string): string {
  return `spiffe://${mesh}/${service}`;
}

export function meshSpiffeIdPrefix(mesh: string): string {
  return `spiffe://${mesh}/`;
}

/**
 * `<service>{k=v,…}` over the tags plus `mesh=<mesh>`, service tag left out,
 * keys in Go's order (`pkg/xds/envoy/tls/sni.go`).
 */
export function meshSni(tags: Readonly<Record<string, string>>, mesh: string): string {
  const withMesh: Record<string, string> = { ...tags, mesh };
  const pairs = sortedKeys(withMesh)
    .filter((key) => key !== SERVICE_TAG)
    .map((key) => `${key}=${withMesh[key]}`);
  return `${tags[SERVICE_TAG] ?? ''}{${pairs.join(',')}}`;
}

function sdsSecret(name: string): SdsSecretConfig {
  return make.sdsSecretConfig({ name, sdsConfig: ADS_CONFIG_SOURCE });
}

function tlsSocket(config: Any): TransportSocket {
  return make.transportSocket({ name: TLS_TRANSPORT_SOCKET, configType: { case: 'typedConfig', value: config } });
}

/**
 * What every sidecar client context of the mesh has in common, encoded: the
 * SDS secrets and the ALPN. The destination's SAN and SNI are appended per
 * cluster (upstream-tls-encoding.ts).
 */
export function encodeSharedUpstreamMeshTls(mesh: string): Uint8Array {
  const common = make.commonTlsContext({
    tlsCertificateSdsSecretConfigs: [sdsSecret(identitySecretName(mesh))],
    validationContextType: {
      case: 'combinedValidationContext',
      value: make.combinedValidationContext({ validationContextSdsSecretConfig: sdsSecret(meshCaSecretName(mesh)) }),
    },
    alpnProtocols: [KUMA_ALPN],
  });
  return toBinary(UpstreamTlsContextSchema, make.upstreamTlsContext({ commonTlsContext: common }));
}

/**
 * A sidecar dialling `service`: the server must be that service of the mesh.
 * `shared` is `encodeSharedUpstreamMeshTls(mesh)`, encoded once per mesh.
 */
export function upstreamMeshTls(shared: Uint8Array, mesh: string, service: string, sni: string): TransportSocket {
  return tlsSocket(packEncoded(UpstreamTlsContextSchema, shared, encodeUpstreamTlsDestination(serviceSpiffeId(mesh, service), sni)));
}

/** An inbound: any client of the mesh, which must present a certificate. */
export function downstreamMeshTls(mesh: string): TransportSocket {
  const clientOfMesh = make.sanMatcher({
    sanType: SubjectAltNameMatcher_SanType.URI,
    matcher: make.stringMatcher({ matchPattern: { case: 'prefix', value: meshSpiffeIdPrefix(mesh) } }),
  });
  const context = make.downstreamTlsContext({
    commonTlsContext: make.commonTlsContext({
      tlsCertificateSdsSecretConfigs: [sdsSecret(identitySecretName(mesh))],
      validationContextType: {
        case: 'combinedValidationContext',
        value: make.combinedValidationContext({
          defaultValidationContext: make.validationContext({ matchTypedSubjectAltNames: [clientOfMesh] }),
          validationContextSdsSecretConfig: sdsSecret(meshCaSecretName(mesh)),
        }),
      },
    }),
    requireClientCertificate: true,
  });
  return tlsSocket(pack(DownstreamTlsContextSchema, context));
}

/**
 * A proxyless gRPC client dialling `service`. grpc-js-xds reads the CA from
 * the validation context's `ca_certificate_provider_instance` and the server
 * check from the older `match_subject_alt_names` (its protos predate the typed
 * matchers); it ignores SNI and ALPN, so neither is set.
 */
export function proxylessUpstreamMeshTls(mesh: string, service: string): TransportSocket {
  const context = make.upstreamTlsContext({
    commonTlsContext: make.commonTlsContext({
      tlsCertificateProviderInstance: make.certificateProvider({
        instanceName: PROXYLESS_CERTIFICATE_PROVIDER,
        certificateName: PROXYLESS_IDENTITY_CERTIFICATE,
      }),
      validationContextType: {
        case: 'validationContext',
        value: make.validationContext({
          caCertificateProviderInstance: make.certificateProvider({
            instanceName: PROXYLESS_CERTIFICATE_PROVIDER,
            certificateName: PROXYLESS_CA_CERTIFICATE,
          }),
          matchSubjectAltNames: [make.stringMatcher({ matchPattern: { case: 'exact', value: serviceSpiffeId(mesh, service) } })],
        }),
      },
    }),
  });
  return tlsSocket(pack(UpstreamTlsContextSchema, context));
}
