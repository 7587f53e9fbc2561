import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { BootstrapSchema, type Bootstrap } from '../../gen/envoy/config/bootstrap/v3/bootstrap_pb.js';
import type { Resource, Spec } from '../../src/core/resource.js';
import { checkMessage } from '../../src/envoy/validate-rules.js';
import {
  accessLogSocketPath,
  bootstrapToJson,
  bootstrapToYaml,
  generateBootstrap,
  kumaSidecarConfiguration,
  type BootstrapParams,
} from '../../src/dp/bootstrap.js';
import { parseBootstrapRequest } from '../../src/dp/bootstrap-request.js';

function resource(type: string, mesh: string, name: string, spec: Spec): Resource {
  const now = new Date();
  return { type, meta: { mesh, name, version: '1', labels: {}, creationTime: now, modificationTime: now }, spec };
}

const sidecar = resource('Dataplane', 'default', 'web-1', {
  networking: {
    address: '10.0.0.5',
    inbound: [
      { port: 8080, tags: { 'kuma.io/service': 'web' } },
      { port: 8081, tags: { 'kuma.io/service': 'api' } },
    ],
  },
});

const gateway = resource('Dataplane', 'default', 'kong-1', {
  networking: { address: '10.0.0.6', gateway: { tags: { 'kuma.io/service': 'kong' } }, admin: { port: 9911 } },
});

function generate(over: Partial<BootstrapParams> & { body?: Record<string, unknown> } = {}): { msg: Bootstrap; json: Record<string, any> } {
  const { body, ...rest } = over;
  const params: BootstrapParams = {
    request: parseBootstrapRequest({ mesh: 'default', name: 'web-1', workdir: '/run/ferry', ...body }),
    dataplane: sidecar,
    xds: { host: 'cp.example', port: 5678, tls: true, caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    defaultAdminPort: 9901,
    ...rest,
  };
  const msg = generateBootstrap(params);
  // every bootstrap Ferry builds must pass Envoy's own field rules
  assert.deepEqual(checkMessage(BootstrapSchema, msg), []);
  return { msg, json: bootstrapToJson(msg) };
}

function cluster(json: Record<string, any>, name: string): Record<string, any> {
  const found = (json.staticResources.clusters as Record<string, any>[]).find((c) => c.name === name);
  assert.ok(found, `cluster ${name}`);
  return found;
}

test('node id is <mesh>.<name>; cluster is the alphabetically first service of a sidecar', () => {
  const { json } = generate();
  assert.equal(json.node.id, 'default.web-1');
  assert.equal(json.node.cluster, 'api');
});

test("a delegated gateway's node cluster is its gateway service; an unknown Dataplane gives 'unknown'", () => {
  assert.equal(generate({ dataplane: gateway, body: { name: 'kong-1' } }).json.node.cluster, 'kong');
  assert.equal(generate({ dataplane: undefined }).json.node.cluster, 'unknown');
});

test('metadata carries what the request sent, with the keys Kuma reads', () => {
  const dpJson = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1' });
  const tp = { ipFamilyMode: 'dualstack', redirect: { inbound: { enabled: true, port: 15006 } } };
  const otel = { services: ['x'] };
  const { json } = generate({
    body: {
      dataplaneResource: dpJson,
      dnsPort: 15054,
      readinessPort: 9902,
      appProbeProxyDisabled: true,
      dynamicMetadata: { HOST_IP: '192.0.2.1' },
      dataplaneConfig: tp,
      otelEnv: otel,
      features: ['feature-a', 'feature-b', 'feature-a'],
      metricsResources: { certPath: '/c.pem', keyPath: '/k.pem' },
      systemCaPath: '/etc/ssl/ca.pem',
      ipv6Enabled: true,
      spireResources: { socketPath: '/spire.sock' },
      version: { kumaDp: { version: '2.14.3' }, envoy: { version: '1.36.0', kumaDpCompatible: true } },
    },
  });
  assert.deepEqual(json.node.metadata, {
    version: { kumaDp: { version: '2.14.3' }, envoy: { version: '1.36.0', kumaDpCompatible: true } },
    features: ['feature-a', 'feature-b'],
    workdir: '/run/ferry',
    metricsCertPath: '/c.pem',
    metricsKeyPath: '/k.pem',
    systemCaPath: '/etc/ssl/ca.pem',
    ipv6Enabled: true,
    'spireAgent.socketPath': '/spire.sock',
    'dataplane.resource': dpJson,
    'dataplane.admin.port': '9901',
    'dataplane.admin.address': '127.0.0.1',
    'dataplane.dns.port': '15054',
    'dataplane.readinessReporter.port': '9902',
    'dataplane.appProbeProxy.enabled': 'true',
    'dataplane.proxyType': 'dataplane',
    dynamicMetadata: { HOST_IP: '192.0.2.1' },
    transparentProxy: tp,
    otelEnvInventory: otel,
  });
});

test('optional metadata is left out when the request does not send it', () => {
  const md = generate().json.node.metadata;
  for (const key of ['dataplane.resource', 'dataplane.dns.port', 'dataplane.readinessReporter.port', 'dataplane.appProbeProxy.enabled', 'dynamicMetadata', 'transparentProxy', 'otelEnvInventory']) {
    assert.ok(!(key in md), key);
  }
  assert.deepEqual(md.version, { kumaDp: {}, envoy: {} });
});

test('ADS is SotW gRPC by default and delta when the proxy advertises feature-delta-grpc', () => {
  assert.equal(generate().json.dynamicResources.adsConfig.apiType, 'GRPC');
  const delta = generate({ body: { features: ['feature-tcp-accesslog-via-named-pipe', 'feature-delta-grpc'] } }).json;
  assert.equal(delta.dynamicResources.adsConfig.apiType, 'DELTA_GRPC');
  assert.equal(delta.dynamicResources.adsConfig.setNodeOnFirstMessageOnly, true);
  assert.equal(delta.dynamicResources.adsConfig.transportApiVersion, 'V3');
  for (const source of ['ldsConfig', 'cdsConfig']) {
    assert.deepEqual(delta.dynamicResources[source], { ads: {}, initialFetchTimeout: '0s', resourceApiVersion: 'V3' });
  }
});

test('the token travels as the authorization initial metadata, and only when present', () => {
  const withToken = generate({ body: { dataplaneToken: 'eyJhbGciOi' } }).json;
  assert.deepEqual(withToken.dynamicResources.adsConfig.grpcServices, [
    { envoyGrpc: { clusterName: 'ads_cluster' }, initialMetadata: [{ key: 'authorization', value: 'eyJhbGciOi' }] },
  ]);
  assert.deepEqual(generate().json.dynamicResources.adsConfig.grpcServices, [{ envoyGrpc: { clusterName: 'ads_cluster' } }]);
});

test('ads_cluster is STRICT_DNS for names and STATIC for IPv4 and IPv6 addresses', () => {
  assert.equal(cluster(generate().json, 'ads_cluster').type, 'STRICT_DNS');
  for (const host of ['127.0.0.1', '::1', 'fd00::10']) {
    const ads = cluster(generate({ xds: { host, port: 5678, tls: true, caPem: 'PEM' } }).json, 'ads_cluster');
    assert.equal(ads.type, 'STATIC', host);
    assert.deepEqual(ads.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress, { address: host, portValue: 5678 });
  }
});

test('with TLS the CP is validated against the CA in cp_validation_ctx, SNI and SANs being the xDS host', () => {
  const { json } = generate();
  const tls = cluster(json, 'ads_cluster').transportSocket;
  assert.equal(tls.name, 'envoy.transport_sockets.tls');
  assert.equal(tls.typedConfig['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
  assert.equal(tls.typedConfig.sni, 'cp.example');
  assert.deepEqual(tls.typedConfig.commonTlsContext.validationContextSdsSecretConfig, { name: 'cp_validation_ctx' });
  const [secret] = json.staticResources.secrets;
  assert.equal(secret.name, 'cp_validation_ctx');
  assert.deepEqual(
    secret.validationContext.matchTypedSubjectAltNames.map((m: any) => [m.sanType, m.matcher.exact]),
    [['DNS', 'cp.example'], ['IP_ADDRESS', 'cp.example']],
  );
  assert.match(Buffer.from(secret.validationContext.trustedCa.inlineBytes, 'base64').toString(), /BEGIN CERTIFICATE/);
});

test("the request's caCert wins over the control plane's own CA", () => {
  const { json } = generate({ body: { caCert: 'FROM-REQUEST' } });
  assert.equal(Buffer.from(json.staticResources.secrets[0].validationContext.trustedCa.inlineBytes, 'base64').toString(), 'FROM-REQUEST');
});

test('a plaintext DP server gives a plaintext ads_cluster and no validation secret', () => {
  const { json } = generate({ xds: { host: '127.0.0.1', port: 5678, tls: false } });
  assert.equal(cluster(json, 'ads_cluster').transportSocket, undefined);
  assert.equal(json.staticResources.secrets, undefined);
});

test('TLS without any CA is refused rather than producing a bootstrap Envoy cannot use', () => {
  assert.throws(() => generateBootstrap({ request: parseBootstrapRequest({ name: 'a' }), xds: { host: 'cp', port: 1, tls: true }, defaultAdminPort: 9901 }), /CA certificate/);
});

test('both static clusters speak HTTP/2 with keepalive', () => {
  const { json } = generate();
  for (const name of ['ads_cluster', 'access_log_sink']) {
    const c = cluster(json, name);
    assert.equal(c.connectTimeout, '1s');
    assert.deepEqual(c.upstreamConnectionOptions, { tcpKeepalive: { keepaliveProbes: 3, keepaliveTime: 10, keepaliveInterval: 10 } });
    assert.deepEqual(c.typedExtensionProtocolOptions['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicitHttpConfig, { http2ProtocolOptions: {} });
  }
});

test('access_log_sink is a unix pipe named after the proxy, split at the first dot of the node id', () => {
  const { json } = generate({ body: { mesh: 'default', name: 'web-1.ns' } });
  const sink = cluster(json, 'access_log_sink');
  assert.equal(sink.type, 'STATIC');
  assert.deepEqual(sink.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address, { pipe: { path: '/run/ferry/kuma-al-web-1.ns-default.sock' } });
  // a dotted mesh name is split as Kuma parses the id back, not as sent
  const dotted = cluster(generate({ body: { mesh: 'team.a', name: 'web' } }).json, 'access_log_sink');
  assert.equal(dotted.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.pipe.path, '/run/ferry/kuma-al-a.web-team.sock');
});

test('socket paths are cut to 98 characters before .sock; workdir slashes are cleaned', () => {
  const long = accessLogSocketPath('/tmp', 'x'.repeat(200), 'default');
  assert.equal(long.length, 98 + '.sock'.length);
  assert.ok(long.startsWith('/tmp/kuma-al-xxx'));
  assert.equal(accessLogSocketPath('/tmp/', 'a', 'm'), '/tmp/kuma-al-a-m.sock');
  assert.equal(accessLogSocketPath('', 'a', 'm'), 'kuma-al-a-m.sock');
});

test("admin listens on 127.0.0.1 at the Dataplane's admin port, else the default", () => {
  const fromDefault = generate().json;
  assert.deepEqual(fromDefault.admin.address, { socketAddress: { address: '127.0.0.1', portValue: 9901 } });
  assert.equal(fromDefault.admin.accessLog[0].typedConfig.path, '/dev/null');
  const fromDataplane = generate({ dataplane: gateway, body: { name: 'kong-1' } }).json;
  assert.equal(fromDataplane.admin.address.socketAddress.portValue, 9911);
  assert.equal(fromDataplane.node.metadata['dataplane.admin.port'], '9911');
});

test('the YAML quotes strings YAML 1.1 readers would take for booleans or numbers', () => {
  const { msg } = generate({ body: { dynamicMetadata: { a: 'yes', b: 'on', c: 'y', d: '0x1F', e: '1_000' } } });
  const text = bootstrapToYaml(msg);
  const back = parseYaml(text, { version: '1.1' });
  assert.deepEqual(back.node.metadata.dynamicMetadata, { a: 'yes', b: 'on', c: 'y', d: '0x1F', e: '1_000' });
  assert.deepEqual(back, bootstrapToJson(msg));
  assert.ok(!text.startsWith('%YAML'));
});

test('a long Dataplane JSON stays on one line, and @type leads every packed config', () => {
  const dpJson = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.5', inbound: [{ port: 1, tags: { 'kuma.io/service': 'x'.repeat(200) } }] } });
  const text = bootstrapToYaml(generate({ body: { dataplaneResource: dpJson } }).msg);
  assert.ok(text.split('\n').some((line) => line.includes('dataplane.resource') && line.includes('x'.repeat(200))));
  const typedConfigs = text.split('\n').flatMap((line, i, lines) => (line.trim() === 'typedConfig:' ? [lines[i + 1].trim()] : []));
  assert.ok(typedConfigs.length >= 3);
  for (const first of typedConfigs) assert.match(first, /^"@type": /);
});

test('kumaSidecarConfiguration: address from the Dataplane, aggregates from the enabled Prometheus backend with DP overrides', () => {
  const mesh = resource('Mesh', '', 'default', {
    metrics: {
      enabledBackend: 'prom',
      backends: [
        {
          name: 'prom',
          type: 'prometheus',
          conf: {
            aggregate: [
              { name: 'b-app', port: 9100, path: '/metrics' },
              { name: 'a-app', port: 9200, path: '/stats', address: '127.0.0.2' },
              { name: 'off', port: 9300, path: '/m', enabled: false },
            ],
          },
        },
      ],
    },
  });
  const dp = resource('Dataplane', 'default', 'web-1', {
    networking: { address: '10.0.0.5', inbound: [{ port: 1, tags: { 'kuma.io/service': 'web' } }] },
    metrics: { type: 'prometheus', conf: { aggregate: [{ name: 'b-app', port: 9999, path: '/override' }] } },
  });
  assert.deepEqual(kumaSidecarConfiguration(dp, mesh), {
    networking: { corefileTemplate: null, address: '10.0.0.5' },
    metrics: {
      aggregate: [
        { name: 'a-app', address: '127.0.0.2', port: 9200, path: '/stats' },
        { name: 'b-app', address: '10.0.0.5', port: 9999, path: '/override' },
      ],
    },
  });
});

test('kumaSidecarConfiguration: no aggregates without an enabled Prometheus backend or with another mesh', () => {
  const noMetrics = resource('Mesh', '', 'default', {});
  assert.deepEqual(kumaSidecarConfiguration(sidecar, noMetrics).metrics.aggregate, []);
  const other = resource('Mesh', '', 'other', { metrics: { enabledBackend: 'p', backends: [{ name: 'p', type: 'prometheus', conf: { aggregate: [{ name: 'x', port: 1 }] } }] } });
  assert.deepEqual(kumaSidecarConfiguration(sidecar, other).metrics.aggregate, []);
  assert.deepEqual(kumaSidecarConfiguration(undefined, undefined), { networking: { corefileTemplate: null, address: '' }, metrics: { aggregate: [] } });
});
