/**
 * Transparent proxying: the catch-all passthrough listeners and clusters
 * against Kuma v2.14.3's transparent-proxy goldens, and the VIP outbounds that
 * replace a redirected proxy's spec outbounds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { buildEndpointIndex, generateEnvoyConfig, type EnvoyConfig, type MeshSnapshot } from '../../../src/xds/generate/index.js';
import { conformanceFile } from '../../helpers/conformance.js';
import { BUILTIN_MTLS, clone, configBytes, dataplane, endpointDataplane, goldenByType, mesh, pick, proxyOf, renderConfig, TYPE } from './fixtures.js';
import { configViolations } from './config-violations.js';

const GOLDENS = 'pkg/xds/generator/testdata/transparent-proxy';
const TP = { redirectPortOutbound: 15001, redirectPortInbound: 15006 };
const NO_DESTINATION = 'self_transparentproxy_no_destination_inbound';

const isCatchAll = (name: string) => name.includes(':passthrough:') || name === NO_DESTINATION;
const svc = (service: string, extra: Record<string, string> = {}) => ({ 'kuma.io/service': service, ...extra });

function golden(name: string): any {
  return parseYaml(conformanceFile(`${GOLDENS}/${name}`));
}

function names(config: EnvoyConfig) {
  return {
    listeners: config.listeners.map((l) => l.name),
    clusters: config.clusters.map((c) => c.name),
    endpoints: config.endpoints.map((e) => e.clusterName),
  };
}


const peers = [
  endpointDataplane('backend-1', '192.168.0.4', 8080, svc('backend', { 'kuma.io/protocol': 'http' })),
  endpointDataplane('db-1', '192.168.0.5', 5432, svc('db', { 'kuma.io/protocol': 'tcp' })),
  endpointDataplane('web-1', '192.168.0.6', 8080, svc('web')),
];
const VIPS = new Map([
  ['backend', '240.0.0.1'],
  ['db', '240.0.0.2'],
  ['web', '240.0.0.3'],
]);

function gateway(transparentProxying: Record<string, unknown> = TP, extra: Record<string, unknown> = {}) {
  return dataplane('kong', {
    networking: { address: '10.0.0.9', gateway: { type: 'DELEGATED', tags: svc('kong') }, transparentProxying, ...extra },
  });
}

function sidecar(transparentProxying: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return dataplane('web-2', {
    networking: {
      address: '10.0.0.7',
      inbound: [{ port: 8080, tags: svc('web') }],
      outbound: [{ port: 18080, tags: svc('backend') }],
      ...(transparentProxying ? { transparentProxying } : {}),
      ...extra,
    },
  });
}

describe('transparent-proxy/02 (DualStack passthrough, legacy names)', () => {
  const expected = golden('02.envoy.golden.yaml');
  const dp = dataplane('side-car', { networking: { address: '10.0.0.1', transparentProxying: { ...TP, ipFamilyMode: 'DualStack' } } });
  const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp] }, proxyOf(dp)));

  it('listeners match the golden exactly', () => {
    const listeners = goldenByType(expected, TYPE.listener);
    assert.equal(listeners.size, 4);
    assert.deepEqual(pick(out.listeners, isCatchAll), listeners);
  });

  it('clusters match the golden exactly', () => {
    const clusters = goldenByType(expected, TYPE.cluster);
    assert.equal(clusters.size, 5);
    assert.deepEqual(pick(out.clusters, isCatchAll), clusters);
  });

  it('feature-reuse-port turns reuse on for the inbound passthrough only', () => {
    const reuse = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp] }, proxyOf(dp, { features: ['feature-reuse-port'] })));
    assert.equal(reuse.listeners.get('inbound:passthrough:ipv4').enableReusePort, true);
    assert.equal(reuse.listeners.get('inbound:passthrough:ipv6').enableReusePort, true);
    assert.equal(reuse.listeners.get('outbound:passthrough:ipv4').enableReusePort, undefined);
  });
});

describe('transparent-proxy/09 (delegated gateway, strict inbound ports, STRICT mTLS)', () => {
  const expected = golden('09.envoy.golden.yaml');
  // The Go test's gateway has only an `app` tag; the golden uses unified naming, Ferry legacy names.
  const dp = dataplane('side-car', {
    networking: {
      address: '10.0.0.1',
      gateway: { type: 'DELEGATED', tags: { app: 'test-gateway' } },
      transparentProxying: { ...TP, ipFamilyMode: 'DualStack' },
    },
  });
  const features = ['feature-unified-naming', 'feature-strict-inbound-ports'];
  const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default', { mtls: BUILTIN_MTLS }), dataplanes: [dp] }, proxyOf(dp, { features })));

  /** `self_transparentproxy_passthrough_inbound_ipv4` → `inbound:passthrough:ipv4`. */
  const legacyName = (unified: string) => unified.replace(/^self_transparentproxy_passthrough_(inbound|outbound)_(ipv[46])$/, '$1:passthrough:$2');
  const sanitize = (name: string) => name.replace(/[^a-zA-Z_\-0-9]/g, '_');

  /** The golden in legacy naming: other names, stat prefixes from them, no listener-level stat prefix (unified naming only). */
  function inLegacyNaming(resources: Map<string, any>): Map<string, any> {
    const result = new Map<string, any>();
    for (const [unified, resource] of clone(resources)) {
      const name = legacyName(unified);
      resource.name = name;
      delete resource.statPrefix;
      for (const chain of resource.filterChains ?? []) {
        for (const filter of chain.filters) {
          filter.typedConfig.cluster = legacyName(filter.typedConfig.cluster);
          filter.typedConfig.statPrefix = sanitize(name);
        }
      }
      result.set(name, resource);
    }
    return result;
  }

  it('the gateway inbound passthrough has exactly one catch-all filter chain', () => {
    for (const name of ['inbound:passthrough:ipv4', 'inbound:passthrough:ipv6']) {
      const chains = out.listeners.get(name).filterChains;
      assert.equal(chains.length, 1, name);
      assert.equal(chains[0].filterChainMatch, undefined, name);
      assert.equal(chains[0].filters[0].typedConfig.cluster, name);
    }
  });

  it('listeners match the golden apart from the naming scheme', () => {
    assert.deepEqual(pick(out.listeners, isCatchAll), inLegacyNaming(goldenByType(expected, TYPE.listener)));
  });

  it('clusters match the golden apart from the naming scheme (legacy names add altStatName)', () => {
    const ours = clone(pick(out.clusters, isCatchAll));
    for (const [name, cluster] of ours) if (name !== NO_DESTINATION) delete cluster.altStatName;
    assert.deepEqual(ours, inLegacyNaming(goldenByType(expected, TYPE.cluster)));
  });
});

describe('strict inbound ports on a sidecar', () => {
  const dp = dataplane('app', {
    networking: {
      address: '10.0.0.2',
      inbound: [
        { port: 8080, tags: svc('app') },
        { port: 8080, address: '10.0.0.3', tags: svc('app') },
        { port: 49151, tags: svc('tags-only') },
        { port: 9000, tags: svc('app-admin') },
      ],
      transparentProxying: TP,
    },
  });
  const features = ['feature-strict-inbound-ports'];
  const generate = (mtls: unknown) =>
    renderConfig(generateEnvoyConfig({ mesh: mesh('default', mtls ? { mtls } : {}), dataplanes: [dp] }, proxyOf(dp, { features })));

  it('STRICT mTLS: one chain per distinct inbound port; the serviceless port goes nowhere', () => {
    const chains = generate(BUILTIN_MTLS).listeners.get('inbound:passthrough:ipv4').filterChains;
    assert.deepEqual(
      chains.map((c: any) => [c.filterChainMatch.destinationPort, c.filters[0].typedConfig.cluster]),
      [
        [8080, 'inbound:passthrough:ipv4'],
        [49151, NO_DESTINATION],
        [9000, 'inbound:passthrough:ipv4'],
      ],
    );
  });

  it('PERMISSIVE mTLS or mTLS off: a single catch-all chain', () => {
    for (const mtls of [{ ...BUILTIN_MTLS, backends: [{ ...BUILTIN_MTLS.backends[0], mode: 'PERMISSIVE' }] }, undefined]) {
      const chains = generate(mtls).listeners.get('inbound:passthrough:ipv4').filterChains;
      assert.equal(chains.length, 1);
      assert.equal(chains[0].filterChainMatch, undefined);
    }
  });
});

describe('VIP outbounds under a transparent proxy', () => {
  it('a delegated gateway with no outbounds reaches each service on VIP:80, plus the 15001 passthrough', () => {
    const gw = gateway();
    const snapshot: MeshSnapshot = { mesh: mesh('default'), dataplanes: [gw, ...peers], vips: VIPS };
    const config = generateEnvoyConfig(snapshot, proxyOf(gw));
    const out = renderConfig(config);
    const backend = out.listeners.get('outbound:240.0.0.1:80');
    assert.ok(backend, 'outbound:240.0.0.1:80');
    assert.equal(backend.bindToPort, false);
    assert.deepEqual(backend.address, { socketAddress: { address: '240.0.0.1', portValue: 80 } });
    assert.deepEqual(backend.metadata.filterMetadata['io.kuma.tags'], svc('backend'));
    assert.equal(backend.filterChains[0].filters[0].name, 'envoy.filters.network.http_connection_manager');
    const virtual = out.listeners.get('outbound:passthrough:ipv4');
    assert.deepEqual(virtual.address, { socketAddress: { address: '0.0.0.0', portValue: 15001 } });
    assert.equal(virtual.useOriginalDst, true);
    assert.deepEqual(names(config), {
      listeners: [
        'inbound:passthrough:ipv4',
        'inbound:passthrough:ipv6',
        // VIP:80 for every service, and VIP:<port> for the ports its endpoints listen on
        'outbound:240.0.0.1:80',
        'outbound:240.0.0.1:8080',
        'outbound:240.0.0.2:5432',
        'outbound:240.0.0.2:80',
        'outbound:240.0.0.3:80',
        'outbound:240.0.0.3:8080',
        'outbound:passthrough:ipv4',
        'outbound:passthrough:ipv6',
      ],
      clusters: [
        'backend',
        'db',
        'inbound:passthrough:ipv4',
        'inbound:passthrough:ipv6',
        'outbound:passthrough:ipv4',
        'outbound:passthrough:ipv6',
        NO_DESTINATION,
        'web',
      ],
      endpoints: ['backend', 'db', 'web'],
    });
    assert.deepEqual(
      out.endpoints.get('backend').endpoints[0].lbEndpoints.map((e: any) => e.endpoint.address.socketAddress),
      [{ address: '192.168.0.4', portValue: 8080 }],
    );
    assert.deepEqual(configViolations(config), []);
  });

  it('VIP outbounds replace the spec outbounds, and share clusters and load assignments with explicit outbounds', () => {
    const withTp = sidecar(TP);
    const withoutTp = dataplane('web-3', { networking: { address: '10.0.0.8', outbound: [{ port: 18080, tags: svc('backend') }] } });
    const snapshot: MeshSnapshot = { mesh: mesh('default'), dataplanes: [withTp, withoutTp, ...peers], vips: VIPS };
    const index = buildEndpointIndex(snapshot);
    const redirected = generateEnvoyConfig(snapshot, proxyOf(withTp), index);
    const explicit = generateEnvoyConfig(snapshot, proxyOf(withoutTp), index);
    const listenerNames = redirected.listeners.map((l) => l.name);
    assert.ok(!listenerNames.includes('outbound:127.0.0.1:18080'));
    assert.ok(listenerNames.includes('outbound:240.0.0.1:80'));
    // Without a transparent proxy the VIP table is not used.
    assert.deepEqual(
      explicit.listeners.map((l) => l.name),
      ['outbound:127.0.0.1:18080'],
    );
    assert.equal(redirected.clusters.find((c) => c.name === 'backend'), explicit.clusters.find((c) => c.name === 'backend'));
    assert.equal(redirected.endpoints.find((e) => e.clusterName === 'backend'), explicit.endpoints.find((e) => e.clusterName === 'backend'));
  });

  it('proxies of one snapshot share the VIP listener', () => {
    const a = gateway();
    const b = dataplane('kong-2', { networking: { address: '10.0.0.10', gateway: { type: 'DELEGATED', tags: svc('kong') }, transparentProxying: TP } });
    const snapshot: MeshSnapshot = { mesh: mesh('default'), dataplanes: [a, b, ...peers], vips: VIPS };
    const index = buildEndpointIndex(snapshot);
    const listener = (dp: typeof a) => generateEnvoyConfig(snapshot, proxyOf(dp), index).listeners.find((l) => l.name === 'outbound:240.0.0.1:80');
    assert.ok(listener(a));
    assert.equal(listener(a), listener(b));
  });

  it('reachableServices narrows the VIP outbounds', () => {
    const gw = gateway({ ...TP, reachableServices: ['db', 'unknown'] });
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw, ...peers], vips: VIPS }, proxyOf(gw));
    assert.deepEqual(
      config.listeners.map((l) => l.name).filter((n) => !n.includes(':passthrough:')),
      ['outbound:240.0.0.2:5432', 'outbound:240.0.0.2:80'],
    );
    assert.deepEqual(
      config.clusters.map((c) => c.name).filter((n) => !isCatchAll(n)),
      ['db'],
    );
  });

  it('a VIP:80 that is one of the proxy\'s own inbounds is left out', () => {
    const dp = dataplane('headless', {
      networking: { address: '10.0.0.4', inbound: [{ port: 80, tags: svc('headless') }], transparentProxying: TP },
    });
    const vips = new Map([...VIPS, ['headless', '10.0.0.4']]);
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp, ...peers], vips }, proxyOf(dp));
    const listenerNames = config.listeners.map((l) => l.name);
    assert.ok(listenerNames.includes('inbound:10.0.0.4:80'));
    assert.ok(!listenerNames.includes('outbound:10.0.0.4:80'));
    assert.ok(listenerNames.includes('outbound:240.0.0.3:80'));
  });

  it('without a VIP table the spec outbounds stay', () => {
    const dp = sidecar(TP);
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp, ...peers] }, proxyOf(dp));
    const listenerNames = config.listeners.map((l) => l.name);
    assert.ok(listenerNames.includes('outbound:127.0.0.1:18080'));
    assert.ok(!listenerNames.some((n) => n.startsWith('outbound:240.')));
  });

  it('feature-bind-outbounds: VIP listeners bind, and there are no catch-alls', () => {
    const gw = gateway();
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw, ...peers], vips: VIPS }, proxyOf(gw, { features: ['feature-bind-outbounds'] }));
    const out = renderConfig(config);
    assert.equal(out.listeners.get('outbound:240.0.0.1:80').bindToPort, undefined);
    assert.deepEqual([...out.listeners.keys(), ...out.clusters.keys()].filter(isCatchAll), []);
  });

  it('output does not depend on the order of the VIP table', () => {
    const gw = gateway();
    const generate = (vips: Map<string, string>) =>
      configBytes(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw, ...peers], vips }, proxyOf(gw)));
    const first = generate(VIPS);
    assert.ok(first.equals(generate(new Map([...VIPS].reverse()))));
    assert.ok(first.equals(generate(new Map(VIPS))));
  });
});

describe('passthrough settings', () => {
  it('Mesh networking.outbound.passthrough false drops the outbound passthrough clusters only', () => {
    const gw = gateway();
    const config = generateEnvoyConfig({ mesh: mesh('default', { networking: { outbound: { passthrough: false } } }), dataplanes: [gw] }, proxyOf(gw));
    const { listeners, clusters } = names(config);
    assert.deepEqual(clusters, ['inbound:passthrough:ipv4', 'inbound:passthrough:ipv6', NO_DESTINATION]);
    assert.ok(listeners.includes('outbound:passthrough:ipv4'));
    assert.ok(listeners.includes('inbound:passthrough:ipv4'));
    assert.deepEqual(configViolations(config), []);
  });

  it('an explicit passthrough true is the same as none', () => {
    const gw = gateway();
    const on = generateEnvoyConfig({ mesh: mesh('default', { networking: { outbound: { passthrough: true } } }), dataplanes: [gw] }, proxyOf(gw));
    const unset = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw] }, proxyOf(gw));
    assert.ok(configBytes(on).equals(configBytes(unset)));
    assert.ok(names(on).clusters.includes('outbound:passthrough:ipv4'));
  });

  it('IPv4 mode has no IPv6 catch-alls', () => {
    const gw = gateway({ ...TP, ipFamilyMode: 'IPv4' });
    const { listeners, clusters } = names(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw] }, proxyOf(gw)));
    assert.deepEqual(listeners, ['inbound:passthrough:ipv4', 'outbound:passthrough:ipv4']);
    assert.deepEqual(clusters, ['inbound:passthrough:ipv4', 'outbound:passthrough:ipv4', NO_DESTINATION]);
  });

  it('no outbound redirect port: no catch-alls', () => {
    const gw = gateway({ redirectPortInbound: 15006 });
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [gw] }, proxyOf(gw));
    assert.deepEqual([...config.listeners, ...config.clusters].map((r) => r.name).filter(isCatchAll), []);
  });

  it('every resource of a transparently proxied sidecar with mTLS and VIPs passes validate.rules', () => {
    const dp = sidecar({ ...TP, ipFamilyMode: 'DualStack' });
    const config = generateEnvoyConfig(
      { mesh: mesh('default', { mtls: BUILTIN_MTLS }), dataplanes: [dp, ...peers], vips: VIPS },
      proxyOf(dp, { adminPort: 9901, features: ['feature-strict-inbound-ports', 'feature-reuse-port'] }),
    );
    assert.ok(config.listeners.length > 6);
    assert.deepEqual(configViolations(config), []);
  });
});
