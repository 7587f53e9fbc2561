/**
 * Mesh mTLS in the generated resources: client TLS on every mesh cluster,
 * server TLS on every inbound by mode, SDS references only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import { ApiVersion } from '../../../gen/envoy/config/core/v3/config_source_pb.js';
import { SubjectAltNameMatcher_SanType } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import { UpstreamTlsContextSchema } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { SecretSchema } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { envoyRegistry } from '../../../src/envoy/type-registry.js';
import type { Resource } from '../../../src/core/resource.js';
import { buildEndpointIndex, generateEnvoyConfig, type EnvoyConfig, type MeshSnapshot } from '../../../src/xds/generate/index.js';
import { generateSecrets } from '../../../src/xds/generate/secrets.js';
import { destinationClusterName } from '../../../src/xds/generate/subset-cluster-name.js';
import { encodeSharedUpstreamMeshTls, meshSni, upstreamMeshTls } from '../../../src/xds/generate/tls-contexts.js';
import { BUILTIN_MTLS, dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';
import { configViolations } from './config-violations.js';

const svc = (service: string, extra: Record<string, string> = {}) => ({ 'kuma.io/service': service, ...extra });
const BACKEND_US = destinationClusterName(svc('backend', { region: 'us' }));

const OUTBOUNDS = [
  { port: 10001, tags: svc('backend') },
  { port: 10002, tags: svc('backend', { region: 'us' }) },
  { port: 10003, tags: svc('db') },
  { port: 10004, tags: svc('nowhere') },
];

const sidecar = dataplane('web-1', {
  networking: {
    address: '10.0.0.1',
    inbound: [
      { port: 8080, tags: svc('web', { 'kuma.io/protocol': 'http', version: 'v1' }) },
      { port: 8081, servicePort: 9081, tags: svc('web-tcp', { 'kuma.io/protocol': 'tcp' }) },
      { port: 8082, tags: svc('web-grpc', { 'kuma.io/protocol': 'grpc' }) },
    ],
    outbound: OUTBOUNDS,
  },
});
const gateway = dataplane('kong-1', { networking: { address: '10.0.0.2', gateway: { tags: svc('kong') }, outbound: OUTBOUNDS } });
const peers = [
  endpointDataplane('backend-1', '10.0.1.1', 8080, svc('backend', { 'kuma.io/protocol': 'http', region: 'us' })),
  endpointDataplane('backend-2', '10.0.1.2', 8080, svc('backend', { 'kuma.io/protocol': 'http', region: 'eu' })),
  endpointDataplane('db-1', '10.0.2.1', 5432, svc('db', { 'kuma.io/protocol': 'tcp' })),
];

const STRICT = BUILTIN_MTLS;
const PERMISSIVE = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', mode: 'PERMISSIVE' }] };

function snapshotWith(mtls: unknown, extra: Partial<MeshSnapshot> = {}): MeshSnapshot {
  return { mesh: mesh('default', mtls === undefined ? {} : { mtls }), dataplanes: [sidecar, gateway, ...peers], ...extra };
}

function generate(snapshot: MeshSnapshot, dp = sidecar, meta = {}) {
  return generateEnvoyConfig(snapshot, proxyOf(dp, { adminPort: 9901, ...meta }));
}

const isMeshCluster = (name: string) => !/^(localhost|kuma):/.test(name);
const SDS_ADS = { ads: {}, resourceApiVersion: 'V3' };

function upstreamTls(service: string, sni: string) {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      commonTlsContext: {
        alpnProtocols: ['kuma'],
        combinedValidationContext: {
          defaultValidationContext: { matchTypedSubjectAltNames: [{ matcher: { exact: `spiffe://default/${service}` }, sanType: 'URI' }] },
          validationContextSdsSecretConfig: { name: 'mesh_ca:secret:default', sdsConfig: SDS_ADS },
        },
        tlsCertificateSdsSecretConfigs: [{ name: 'identity_cert:secret:default', sdsConfig: SDS_ADS }],
      },
      sni,
    },
  };
}

const DOWNSTREAM_TLS = {
  name: 'envoy.transport_sockets.tls',
  typedConfig: {
    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    commonTlsContext: {
      combinedValidationContext: {
        defaultValidationContext: { matchTypedSubjectAltNames: [{ matcher: { prefix: 'spiffe://default/' }, sanType: 'URI' }] },
        validationContextSdsSecretConfig: { name: 'mesh_ca:secret:default', sdsConfig: SDS_ADS },
      },
      tlsCertificateSdsSecretConfigs: [{ name: 'identity_cert:secret:default', sdsConfig: SDS_ADS }],
    },
    requireClientCertificate: true,
  },
};

const inboundNames = ['inbound:10.0.0.1:8080', 'inbound:10.0.0.1:8081', 'inbound:10.0.0.1:8082'];

describe('SNI', () => {
  it('is the service, then mesh and the other tags sorted, the service tag left out', () => {
    assert.equal(meshSni(svc('backend'), 'default'), 'backend{mesh=default}');
    assert.equal(meshSni(svc('backend', { region: 'us' }), 'default'), 'backend{mesh=default,region=us}');
    assert.equal(meshSni(svc('db', { version: 'v2', role: 'master', a: '1' }), 'm1'), 'db{a=1,mesh=m1,role=master,version=v2}');
  });

  it("sorts keys in Go's byte order and lets the mesh win over a tag named mesh", () => {
    // JavaScript's default sort puts U+1F600 (a surrogate pair) before U+FF21; Go's byte order puts it after.
    assert.equal(meshSni(svc('s', { '\u{1F600}': 'x', '\uFF21': 'y' }), 'm'), 's{mesh=m,\uFF21=y,\u{1F600}=x}');
    assert.equal(meshSni(svc('s', { mesh: 'other' }), 'm'), 's{mesh=m}');
  });
});

describe('client TLS context encoding', () => {
  // Built in one piece with protobuf-es's own create(), independently of the generator's factories.
  function reference(mesh: string, service: string, sni: string) {
    const sds = (name: string) => ({ name, sdsConfig: { configSourceSpecifier: { case: 'ads' as const, value: {} }, resourceApiVersion: ApiVersion.V3 } });
    return create(UpstreamTlsContextSchema, {
      sni,
      commonTlsContext: {
        alpnProtocols: ['kuma'],
        tlsCertificateSdsSecretConfigs: [sds(`identity_cert:secret:${mesh}`)],
        validationContextType: {
          case: 'combinedValidationContext',
          value: {
            defaultValidationContext: {
              matchTypedSubjectAltNames: [
                { sanType: SubjectAltNameMatcher_SanType.URI, matcher: { matchPattern: { case: 'exact', value: `spiffe://${mesh}/${service}` } } },
              ],
            },
            validationContextSdsSecretConfig: sds(`mesh_ca:secret:${mesh}`),
          },
        },
      },
    });
  }

  it('the mesh-wide and per-destination parts merge into exactly the context built in one piece', () => {
    const cases: [string, string, string][] = [
      ['default', 'backend', 'backend{mesh=default}'],
      ['m', 'ünï😀', 'ünï😀{mesh=m,zone=é}'],
      ['a-mesh', 'x'.repeat(300), `${'x'.repeat(300)}{mesh=a-mesh,${'k'.repeat(200)}=v}`],
    ];
    for (const [meshName, service, sni] of cases) {
      const socket = upstreamMeshTls(encodeSharedUpstreamMeshTls(meshName), meshName, service, sni);
      assert.equal(socket.name, 'envoy.transport_sockets.tls');
      const any = socket.configType.value!;
      assert.equal(any.typeUrl, `type.googleapis.com/${UpstreamTlsContextSchema.typeName}`);
      const merged = fromBinary(UpstreamTlsContextSchema, any.value);
      const expected = reference(meshName, service, sni);
      assert.deepEqual(toBinary(UpstreamTlsContextSchema, merged), toBinary(UpstreamTlsContextSchema, expected), service);
      assert.deepEqual(toJson(UpstreamTlsContextSchema, merged), toJson(UpstreamTlsContextSchema, expected), service);
    }
  });
});

describe('mTLS off', () => {
  const config = generate(snapshotWith(undefined));
  const out = renderConfig(config);

  it('no cluster or filter chain has a transport socket, and inbounds have one plain chain without RBAC', () => {
    for (const [name, cluster] of out.clusters) assert.equal(cluster.transportSocket, undefined, name);
    for (const name of inboundNames) {
      const listener = out.listeners.get(name);
      assert.equal(listener.listenerFilters, undefined, name);
      assert.equal(listener.filterChains.length, 1, name);
      assert.equal(listener.filterChains[0].transportSocket, undefined, name);
      assert.doesNotMatch(JSON.stringify(listener), /rbac/, name);
    }
  });

  it('an enabledBackend missing from the backends leaves mTLS off', () => {
    const broken = generate(snapshotWith({ enabledBackend: 'gone', backends: [{ name: 'ca-1', type: 'builtin' }] }));
    assert.deepEqual(renderConfig(broken), out);
  });
});

describe('mTLS on: clusters', () => {
  const out = renderConfig(generate(snapshotWith(STRICT)));

  it('every mesh cluster, subsets and services without endpoints included, dials its service over mTLS', () => {
    assert.deepEqual([...out.clusters.keys()].filter(isMeshCluster).sort(), ['backend', BACKEND_US, 'db', 'nowhere'].sort());
    assert.deepEqual(out.clusters.get('backend').transportSocket, upstreamTls('backend', 'backend{mesh=default}'));
    assert.deepEqual(out.clusters.get(BACKEND_US).transportSocket, upstreamTls('backend', 'backend{mesh=default,region=us}'));
    assert.deepEqual(out.clusters.get('db').transportSocket, upstreamTls('db', 'db{mesh=default}'));
    assert.deepEqual(out.clusters.get('nowhere').transportSocket, upstreamTls('nowhere', 'nowhere{mesh=default}'));
  });

  it('local and admin clusters stay plain', () => {
    for (const [name, cluster] of out.clusters) if (!isMeshCluster(name)) assert.equal(cluster.transportSocket, undefined, name);
  });

  it("a delegated gateway's mesh clusters are byte for byte a sidecar's", () => {
    const snapshot = snapshotWith(STRICT);
    const index = buildEndpointIndex(snapshot);
    const clusters = (config: EnvoyConfig) =>
      config.clusters.filter((c) => isMeshCluster(c.name)).map((c) => Buffer.from(toBinary(ClusterSchema, c)).toString('base64'));
    const ofGateway = clusters(generateEnvoyConfig(snapshot, proxyOf(gateway), index));
    assert.equal(ofGateway.length, 4);
    assert.deepEqual(ofGateway, clusters(generateEnvoyConfig(snapshot, proxyOf(sidecar), index)));
    const gatewayOut = renderConfig(generateEnvoyConfig(snapshot, proxyOf(gateway), index));
    assert.deepEqual(gatewayOut.clusters.get(BACKEND_US).transportSocket, upstreamTls('backend', 'backend{mesh=default,region=us}'));
  });

  it('a delegated gateway has no inbound listener, so no server-side TLS', () => {
    const gatewayOut = renderConfig(generate(snapshotWith(STRICT), gateway));
    assert.deepEqual([...gatewayOut.listeners.keys()].filter((n) => n.startsWith('inbound:')), []);
    for (const [name, listener] of gatewayOut.listeners) {
      for (const chain of listener.filterChains) assert.equal(chain.transportSocket, undefined, name);
    }
  });

  it('the mesh name goes into the SNI, SAN and secret names', () => {
    const other = (dp: ReturnType<typeof dataplane>) => dataplane(dp.meta.name, dp.spec, { mesh: 'payments' });
    const snapshot = { mesh: mesh('payments', { mtls: STRICT }), dataplanes: [other(sidecar), ...peers.map(other)] };
    const tls = renderConfig(generateEnvoyConfig(snapshot, proxyOf(other(sidecar)))).clusters.get(BACKEND_US).transportSocket.typedConfig;
    assert.equal(tls.sni, 'backend{mesh=payments,region=us}');
    const common = tls.commonTlsContext;
    assert.equal(common.combinedValidationContext.defaultValidationContext.matchTypedSubjectAltNames[0].matcher.exact, 'spiffe://payments/backend');
    assert.equal(common.combinedValidationContext.validationContextSdsSecretConfig.name, 'mesh_ca:secret:payments');
    assert.equal(common.tlsCertificateSdsSecretConfigs[0].name, 'identity_cert:secret:payments');
  });
});

describe('mTLS on: inbounds', () => {
  it('STRICT: one chain requiring a mesh client certificate, no TLS inspector', () => {
    const out = renderConfig(generate(snapshotWith(STRICT)));
    for (const name of inboundNames) {
      const listener = out.listeners.get(name);
      assert.equal(listener.listenerFilters, undefined, name);
      assert.equal(listener.filterChains.length, 1, name);
      assert.equal(listener.filterChains[0].filterChainMatch, undefined, name);
      assert.deepEqual(listener.filterChains[0].transportSocket, DOWNSTREAM_TLS, name);
    }
  });

  it('STRICT: apart from the transport socket (and RBAC) the chain is the plain one', () => {
    const plain = renderConfig(generate(snapshotWith(undefined)));
    const strict = renderConfig(generate(snapshotWith(STRICT)));
    for (const name of inboundNames) {
      const chain = structuredClone(strict.listeners.get(name).filterChains[0]);
      delete chain.transportSocket;
      chain.filters = chain.filters.filter((f: any) => f.name !== 'envoy.filters.network.rbac');
      for (const f of chain.filters) {
        if (f.typedConfig.httpFilters) f.typedConfig.httpFilters = f.typedConfig.httpFilters.filter((h: any) => h.name !== 'envoy.filters.http.rbac');
      }
      assert.deepEqual(chain, plain.listeners.get(name).filterChains[0], name);
    }
  });

  it('PERMISSIVE: TLS inspector, then plaintext, foreign TLS and Kuma mTLS (ALPN kuma) chains; only the last terminates TLS', () => {
    const plain = renderConfig(generate(snapshotWith(undefined)));
    const out = renderConfig(generate(snapshotWith(PERMISSIVE)));
    for (const name of inboundNames) {
      const listener = out.listeners.get(name);
      assert.deepEqual(listener.listenerFilters, [
        {
          name: 'envoy.filters.listener.tls_inspector',
          typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' },
        },
      ]);
      const chains = listener.filterChains;
      assert.deepEqual(
        chains.map((c: any) => c.filterChainMatch),
        [{ transportProtocol: 'raw_buffer' }, { transportProtocol: 'tls' }, { applicationProtocols: ['kuma'], transportProtocol: 'tls' }],
        name,
      );
      const plainFilters = plain.listeners.get(name).filterChains[0].filters;
      assert.deepEqual(chains[0].filters, plainFilters, name);
      assert.deepEqual(chains[1].filters, plainFilters, name);
      assert.equal(chains[0].transportSocket, undefined, name);
      assert.equal(chains[1].transportSocket, undefined, name);
      assert.deepEqual(chains[2].transportSocket, DOWNSTREAM_TLS, name);
    }
  });

  it('PERMISSIVE: clients dial plaintext until the service is known to be TLS-ready', () => {
    const notReady = renderConfig(generate(snapshotWith(PERMISSIVE)));
    for (const [name, cluster] of notReady.clusters) assert.equal(cluster.transportSocket, undefined, name);
    const ready = renderConfig(generate(snapshotWith(PERMISSIVE, { tlsReadyServices: new Set(['backend']) })));
    assert.deepEqual(ready.clusters.get('backend').transportSocket, upstreamTls('backend', 'backend{mesh=default}'));
    assert.deepEqual(ready.clusters.get(BACKEND_US).transportSocket, upstreamTls('backend', 'backend{mesh=default,region=us}'));
    assert.equal(ready.clusters.get('db').transportSocket, undefined);
  });

  it('STRICT ignores TLS readiness', () => {
    const out = renderConfig(generate(snapshotWith(STRICT, { tlsReadyServices: new Set() })));
    assert.ok(out.clusters.get('db').transportSocket);
  });
});

describe('mTLS on: inbound RBAC (MeshTrafficPermission)', () => {
  const NETWORK_RBAC = 'envoy.filters.network.rbac';
  const HTTP_RBAC = 'envoy.filters.http.rbac';
  const filterNames = (chain: any) => chain.filters.map((f: any) => f.name);
  const httpFilterNames = (chain: any) => chain.filters[0].typedConfig.httpFilters.map((f: any) => f.name);

  function permission(name: string, spec: unknown): Resource {
    const time = new Date('2024-01-01T00:00:00Z');
    return { type: 'MeshTrafficPermission', meta: { name, mesh: 'default', version: '1', labels: {}, creationTime: time, modificationTime: time }, spec: spec as any };
  }

  it('STRICT without permissions: network RBAC ahead of tcp_proxy, HTTP RBAC first in the connection manager, all denying everyone', () => {
    const out = renderConfig(generate(snapshotWith(STRICT)));
    const tcp = out.listeners.get('inbound:10.0.0.1:8081').filterChains[0];
    assert.deepEqual(filterNames(tcp), [NETWORK_RBAC, 'envoy.filters.network.tcp_proxy']);
    assert.deepEqual(tcp.filters[0].typedConfig, {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC',
      rules: {},
      statPrefix: 'inbound_10_0_0_1_8081.',
    });
    const http = out.listeners.get('inbound:10.0.0.1:8080').filterChains[0];
    assert.deepEqual(filterNames(http), ['envoy.filters.network.http_connection_manager']);
    assert.deepEqual(httpFilterNames(http), [HTTP_RBAC, 'envoy.filters.http.router']);
    assert.deepEqual(http.filters[0].typedConfig.httpFilters[0].typedConfig, {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
      rules: {},
    });
    const grpc = out.listeners.get('inbound:10.0.0.1:8082').filterChains[0];
    assert.deepEqual(httpFilterNames(grpc), [HTTP_RBAC, 'envoy.filters.http.grpc_stats', 'envoy.filters.http.router']);
  });

  it('PERMISSIVE: only the chain terminating Kuma mTLS carries RBAC', () => {
    const out = renderConfig(generate(snapshotWith(PERMISSIVE)));
    const [plain, foreignTls, meshTls] = out.listeners.get('inbound:10.0.0.1:8081').filterChains;
    assert.deepEqual(filterNames(plain), ['envoy.filters.network.tcp_proxy']);
    assert.deepEqual(filterNames(foreignTls), ['envoy.filters.network.tcp_proxy']);
    assert.deepEqual(filterNames(meshTls), [NETWORK_RBAC, 'envoy.filters.network.tcp_proxy']);
    const chains = out.listeners.get('inbound:10.0.0.1:8080').filterChains;
    assert.deepEqual(chains.map(httpFilterNames), [['envoy.filters.http.router'], ['envoy.filters.http.router'], [HTTP_RBAC, 'envoy.filters.http.router']]);
  });

  it('a MeshTrafficPermission shows in the RBAC of the inbound it selects, and only there', () => {
    const allowFrontend = permission('allow-frontend', {
      targetRef: { kind: 'MeshService', name: 'web-tcp' },
      from: [{ targetRef: { kind: 'MeshService', name: 'frontend' }, default: { action: 'Allow' } }],
    });
    const out = renderConfig(generate(snapshotWith(STRICT, { meshTrafficPermissions: [allowFrontend] })));
    const rbac = out.listeners.get('inbound:10.0.0.1:8081').filterChains[0].filters[0].typedConfig;
    assert.deepEqual(rbac.rules, {
      policies: {
        MeshTrafficPermission: {
          permissions: [{ any: true }],
          principals: [{ authenticated: { principalName: { exact: 'spiffe://default/frontend' } } }],
        },
      },
    });
    const http = out.listeners.get('inbound:10.0.0.1:8080').filterChains[0];
    assert.deepEqual(http.filters[0].typedConfig.httpFilters[0].typedConfig.rules, {});
  });

  it('mTLS off: permissions are ignored', () => {
    const allowAll = permission('allow-all', { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] });
    const json = JSON.stringify([...renderConfig(generate(snapshotWith(undefined, { meshTrafficPermissions: [allowAll] }))).listeners.values()]);
    assert.doesNotMatch(json, /rbac/);
  });
});

describe('mTLS changes with a carried-over index', () => {
  it('turning mTLS on, to PERMISSIVE and off again regenerates the clusters (the memo keeps no stale TLS)', () => {
    const off = snapshotWith(undefined);
    const on = snapshotWith(STRICT);
    const permissive = snapshotWith(PERMISSIVE);
    const offIndex = buildEndpointIndex(off);
    const tlsOf = (snapshot: MeshSnapshot, index: ReturnType<typeof buildEndpointIndex>) =>
      renderConfig(generateEnvoyConfig(snapshot, proxyOf(sidecar), index)).clusters.get('backend').transportSocket;
    assert.equal(tlsOf(off, offIndex), undefined);
    const onIndex = buildEndpointIndex(on, offIndex);
    assert.deepEqual(tlsOf(on, onIndex), upstreamTls('backend', 'backend{mesh=default}'));
    const permissiveIndex = buildEndpointIndex(permissive, onIndex);
    assert.equal(tlsOf(permissive, permissiveIndex), undefined);
    assert.equal(tlsOf(off, buildEndpointIndex(off, permissiveIndex)), undefined);
    assert.ok(tlsOf(on, buildEndpointIndex(on, permissiveIndex)));
  });
});

describe('no key material in listeners or clusters', () => {
  const PEM = {
    certPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    keyPem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  };
  // Inline data would show as PEM text, or base64 of it in protojson bytes fields.
  const LEAK = /BEGIN|PRIVATE KEY|LS0tLS1CRUdJT|inlineBytes|inlineString/;

  it('finds the PEMs in the secrets (so the scan can fail)', () => {
    const json = JSON.stringify(generateSecrets('default', PEM, PEM.certPem).map((s) => toJson(SecretSchema, s, { registry: envoyRegistry })));
    assert.match(json, LEAK);
  });

  for (const [label, mtls] of [
    ['STRICT', STRICT],
    ['PERMISSIVE', PERMISSIVE],
  ] as const) {
    it(`${label}: nothing in any generated resource, as JSON or bytes`, () => {
      for (const dp of [sidecar, gateway]) {
        const config = generate(snapshotWith(mtls, { tlsReadyServices: new Set(['backend', 'db']) }), dp);
        assert.doesNotMatch(JSON.stringify([...Object.values(renderConfig(config))].map((m) => [...m.values()])), LEAK);
        const bytes = Buffer.concat([...config.listeners.map((l) => toBinary(ListenerSchema, l)), ...config.clusters.map((c) => toBinary(ClusterSchema, c))]);
        assert.ok(!bytes.includes('BEGIN') && !bytes.includes('PRIVATE KEY'));
        assert.equal(config.secrets, undefined);
      }
    });
  }
});

describe('every resource passes validate.rules with mTLS on', () => {

  for (const [label, mtls] of [
    ['STRICT', STRICT],
    ['PERMISSIVE', PERMISSIVE],
  ] as const) {
    for (const [kind, dp, meta] of [
      ['sidecar', sidecar, {}],
      ['delegated gateway', gateway, {}],
      ['proxyless client', sidecar, { proxyless: true }],
    ] as const) {
      it(`${label}, ${kind}`, () => {
        const config = generate(snapshotWith(mtls, { tlsReadyServices: new Set(['backend']) }), dp, meta);
        assert.ok(config.clusters.length > 0);
        assert.deepEqual(configViolations(config), []);
      });
    }
  }

  it('the check reaches into the TLS context: an SNI over 255 bytes is reported', () => {
    const dp = dataplane('long', { networking: { address: '10.0.0.9', outbound: [{ port: 10009, tags: svc('backend', { note: 'x'.repeat(250) }) }] } });
    const config = generateEnvoyConfig({ ...snapshotWith(STRICT), dataplanes: [dp, ...peers] }, proxyOf(dp));
    assert.match(configViolations(config).join('\n'), /sni/);
  });
});
