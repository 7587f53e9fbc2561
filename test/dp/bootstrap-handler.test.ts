import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import http2 from 'node:http2';
import { parse as parseYaml } from 'yaml';
import type { Resource, Spec } from '../../src/core/resource.js';
import { ValidationError } from '../../src/core/validation.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { createBootstrapHandler, DP_TOKEN_REQUIRED, storeDataplaneResolver, type BootstrapHandlerDeps } from '../../src/dp/bootstrap-handler.js';
import { conformanceFile } from '../helpers/conformance.js';

function resource(type: string, mesh: string, name: string, spec: Spec): Resource {
  const now = new Date();
  return { type, meta: { mesh, name, version: '1', labels: {}, creationTime: now, modificationTime: now }, spec };
}

const web = resource('Dataplane', 'default', 'web-1', {
  networking: { address: '10.0.0.5', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }], admin: { port: 9911 } },
});

interface Running {
  url: string;
  calls: { mesh: string; name: string; json?: string }[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback: the handler first, a plain 418 for anything it leaves alone. */
async function serve(over: Partial<BootstrapHandlerDeps> = {}): Promise<Running> {
  const calls: Running['calls'] = [];
  const handler = createBootstrapHandler({
    resolveDataplane: async (mesh, name, json) => {
      calls.push({ mesh, name, json });
      return mesh === 'default' && name === 'web-1' ? web : undefined;
    },
    xds: { host: '', port: 5678, tls: false },
    defaults: { adminPort: 9901 },
    ...over,
  });
  const server: Server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(418);
      res.end('not mine');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/bootstrap`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const JSON_ACCEPT = { accept: 'application/json' };

let srv: Running;
before(async () => {
  srv = await serve();
});
after(async () => {
  await srv.close();
});

test('Accept: application/json gets the bootstrap YAML in base64 plus the sidecar configuration', async () => {
  const res = await post(srv.url, { mesh: 'default', name: 'web-1', dataplaneToken: 'tok' }, JSON_ACCEPT);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const body = (await res.json()) as { bootstrap: string; kumaSidecarConfiguration: unknown };
  assert.deepEqual(Object.keys(body).sort(), ['bootstrap', 'kumaSidecarConfiguration']);
  assert.deepEqual(body.kumaSidecarConfiguration, { networking: { corefileTemplate: null, address: '10.0.0.5' }, metrics: { aggregate: [] } });
  const bootstrap = parseYaml(Buffer.from(body.bootstrap, 'base64').toString('utf8'), { version: '1.1' });
  assert.equal(bootstrap.node.id, 'default.web-1');
  assert.equal(bootstrap.node.cluster, 'web');
  assert.equal(bootstrap.node.metadata['dataplane.admin.port'], '9911');
  assert.equal(bootstrap.admin.address.socketAddress.portValue, 9911);
  assert.deepEqual(bootstrap.dynamicResources.adsConfig.grpcServices[0].initialMetadata, [{ key: 'authorization', value: 'tok' }]);
});

test('without the JSON accept header the answer is the YAML itself', async () => {
  const res = await post(srv.url, { mesh: 'default', name: 'web-1' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/x-yaml');
  const bootstrap = parseYaml(await res.text(), { version: '1.1' });
  assert.equal(bootstrap.node.id, 'default.web-1');
});

test("the xDS address defaults to the host the proxy used, and the DP server's TLS setting decides the transport", async () => {
  const res = await post(srv.url, { mesh: 'default', name: 'web-1' });
  const bootstrap = parseYaml(await res.text(), { version: '1.1' });
  const ads = bootstrap.staticResources.clusters.find((c: any) => c.name === 'ads_cluster');
  assert.deepEqual(ads.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress, { address: '127.0.0.1', portValue: 5678 });
  assert.equal(ads.type, 'STATIC');
  assert.equal(ads.transportSocket, undefined);

  const tls = await serve({ xds: { host: 'cp.internal', port: 15678, tls: true, caPem: 'CA-PEM' } });
  try {
    const y = parseYaml(await (await post(tls.url, { mesh: 'default', name: 'web-1' })).text(), { version: '1.1' });
    const adsTls = y.staticResources.clusters.find((c: any) => c.name === 'ads_cluster');
    assert.equal(adsTls.type, 'STRICT_DNS');
    assert.equal(adsTls.transportSocket.typedConfig.sni, 'cp.internal');
    assert.equal(Buffer.from(y.staticResources.secrets[0].validationContext.trustedCa.inlineBytes, 'base64').toString(), 'CA-PEM');
  } finally {
    await tls.close();
  }
});

test('node id and metadata round-trip what kuma-dp sent', async () => {
  const sent = JSON.parse(conformanceFile('app/kuma-dp/pkg/dataplane/envoy/testdata/bootstrap-request-metrics-metadata.golden.json'));
  const calls: { mesh: string; name: string; json?: string }[] = [];
  const s = await serve({
    resolveDataplane: async (mesh, name, json) => {
      calls.push({ mesh, name, json });
      return resource('Dataplane', 'demo', 'sample', web.spec);
    },
  });
  try {
    const body = (await (await post(s.url, sent, JSON_ACCEPT)).json()) as { bootstrap: string };
    const md = parseYaml(Buffer.from(body.bootstrap, 'base64').toString(), { version: '1.1' }).node;
    assert.equal(md.id, 'demo.sample');
    assert.equal(md.metadata['dataplane.resource'], sent.dataplaneResource);
    assert.deepEqual(md.metadata.dynamicMetadata, { test: 'value' });
    assert.equal(md.metadata['dataplane.dns.port'], '15054');
    assert.equal(md.metadata['dataplane.readinessReporter.port'], '9902');
    assert.deepEqual(md.metadata.features, sent.features);
    assert.equal(md.metadata.metricsCertPath, '/tmp/cert.pem');
    assert.deepEqual(md.metadata.version.envoy, { version: '1.15.0', build: sent.version.envoy.build });
    assert.deepEqual(calls, [{ mesh: 'demo', name: 'sample', json: sent.dataplaneResource }]);
  } finally {
    await s.close();
  }
});

test('feature-delta-grpc turns ADS into DELTA_GRPC', async () => {
  const text = await (await post(srv.url, { mesh: 'default', name: 'web-1', features: ['feature-delta-grpc'] })).text();
  assert.equal(parseYaml(text).dynamicResources.adsConfig.apiType, 'DELTA_GRPC');
  const sotw = await (await post(srv.url, { mesh: 'default', name: 'web-1', features: [] })).text();
  assert.equal(parseYaml(sotw).dynamicResources.adsConfig.apiType, 'GRPC');
});

test('an unknown Dataplane (none sent) is a 404 with an empty body, which kuma-dp retries', async () => {
  const res = await post(srv.url, { mesh: 'default', name: 'nobody' }, JSON_ACCEPT);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), '');
  assert.deepEqual(srv.calls.at(-1), { mesh: 'default', name: 'nobody', json: undefined });
});

test('a malformed body is a 400 naming the problem', async () => {
  const bad = await post(srv.url, '{"mesh": "default", ');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /not valid JSON/);
  const wrongType = await post(srv.url, { mesh: 'default', name: 'web-1', dnsPort: 'x' });
  assert.equal(wrongType.status, 400);
  assert.match(await wrongType.text(), /^dnsPort: /);
});

test('validation errors from the resolver are a 422 with the message', async () => {
  const s = await serve({ resolveDataplane: async () => ValidationError.single('mesh', 'mesh "nope" does not exist') });
  try {
    const res = await post(s.url, { mesh: 'nope', name: 'web-1', dataplaneResource: '{}' });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), 'mesh: mesh "nope" does not exist');
  } finally {
    await s.close();
  }
});

test('other resolver failures, thrown or returned, are a 500', async () => {
  for (const resolveDataplane of [async () => new Error('db down'), async (): Promise<Resource> => { throw new Error('db down'); }]) {
    const s = await serve({ resolveDataplane });
    try {
      const res = await post(s.url, { mesh: 'default', name: 'web-1' });
      assert.equal(res.status, 500);
    } finally {
      await s.close();
    }
  }
});

test('a token is demanded when DP authentication is on', async () => {
  const s = await serve({ requireToken: true });
  try {
    const res = await post(s.url, { mesh: 'default', name: 'web-1' });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), DP_TOKEN_REQUIRED);
    assert.equal((await post(s.url, { mesh: 'default', name: 'web-1', dataplaneTokenPath: '/t' })).status, 200);
  } finally {
    await s.close();
  }
});

test('zone proxies are not served', async () => {
  const res = await post(srv.url, { mesh: '', name: 'zi-1', proxyType: 'ingress' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /^proxyType: /);
});

test('only POST /bootstrap is handled', async () => {
  assert.equal((await fetch(`${srv.url}/bootstrap`)).status, 418);
  assert.equal((await fetch(`${srv.url}/other`, { method: 'POST', body: '{}' })).status, 418);
  assert.equal((await fetch(`${srv.url}/bootstrap?x=1`, { method: 'POST', body: JSON.stringify({ mesh: 'default', name: 'web-1' }) })).status, 200);
});

test('the mesh is needed when a mesh resolver is given: metrics aggregates come from it, a missing mesh is a 404', async () => {
  const mesh = resource('Mesh', '', 'default', {
    metrics: { enabledBackend: 'p', backends: [{ name: 'p', type: 'prometheus', conf: { aggregate: [{ name: 'app', port: 9100, path: '/metrics' }] } }] },
  });
  const s = await serve({ resolveMesh: async (name) => (name === 'default' ? mesh : undefined) });
  try {
    const body = (await (await post(s.url, { mesh: 'default', name: 'web-1' }, JSON_ACCEPT)).json()) as any;
    assert.deepEqual(body.kumaSidecarConfiguration.metrics.aggregate, [{ name: 'app', address: '10.0.0.5', port: 9100, path: '/metrics' }]);
  } finally {
    await s.close();
  }
  const noMesh = await serve({ resolveMesh: async () => undefined });
  try {
    assert.equal((await post(noMesh.url, { mesh: 'default', name: 'web-1' })).status, 404);
  } finally {
    await noMesh.close();
  }
});

// ---------------------------------------------------------------------------
// With the store-backed resolver the control plane uses

async function storeServer(): Promise<{ s: Running; store: MemoryStore }> {
  const store = new MemoryStore();
  await store.create('Mesh', { mesh: '', name: 'default', spec: {} });
  await store.create('Dataplane', { mesh: 'default', name: 'stored', spec: web.spec });
  const registry = createRegistry();
  const s = await serve({ resolveDataplane: storeDataplaneResolver(store, registry), resolveMesh: (m) => store.get('Mesh', { mesh: '', name: m }) });
  return { s, store };
}

const sentDataplane = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'kong-1',
  creationTime: '0001-01-01T00:00:00Z',
  modificationTime: '0001-01-01T00:00:00Z',
  networking: { address: '10.0.0.7', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
};

test('store resolver: a stored Dataplane is found; a missing one is a 404', async () => {
  const { s } = await storeServer();
  try {
    const y = parseYaml(await (await post(s.url, { mesh: 'default', name: 'stored' })).text(), { version: '1.1' });
    assert.equal(y.node.cluster, 'web');
    assert.equal((await post(s.url, { mesh: 'default', name: 'missing' })).status, 404);
  } finally {
    await s.close();
  }
});

test('store resolver: a Dataplane sent by the proxy is validated and used without being stored', async () => {
  const { s, store } = await storeServer();
  try {
    const res = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: JSON.stringify(sentDataplane) }, JSON_ACCEPT);
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.kumaSidecarConfiguration.networking.address, '10.0.0.7');
    const y = parseYaml(Buffer.from(body.bootstrap, 'base64').toString(), { version: '1.1' });
    assert.equal(y.node.cluster, 'kong');
    assert.equal(await store.get('Dataplane', { mesh: 'default', name: 'kong-1' }), undefined);
  } finally {
    await s.close();
  }
});

test("store resolver: a sent Dataplane in a mesh that does not exist is Kuma's 422", async () => {
  const { s } = await storeServer();
  try {
    const res = await post(s.url, { mesh: 'nope', name: 'kong-1', dataplaneResource: JSON.stringify({ ...sentDataplane, mesh: 'nope' }) });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), 'mesh: mesh "nope" does not exist');
  } finally {
    await s.close();
  }
});

test('store resolver: an invalid sent Dataplane is a 422 with the API validation messages', async () => {
  const { s } = await storeServer();
  try {
    const noGatewayService = { ...sentDataplane, networking: { address: '10.0.0.7', gateway: { tags: { app: 'kong' } } } };
    const res = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: JSON.stringify(noGatewayService) });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), 'networking.gateway.tags: mandatory tag "kuma.io/service" is missing');
    const unknownField = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: JSON.stringify({ ...sentDataplane, bogus: 1 }) });
    assert.equal(unknownField.status, 422);
    assert.match(await unknownField.text(), /bogus/);
    const notJson = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: '{' });
    assert.equal(notJson.status, 422);
    assert.match(await notJson.text(), /^dataplaneResource: invalid JSON/);
    const wrongKind = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: JSON.stringify({ type: 'Mesh', name: 'x' }) });
    assert.equal(wrongKind.status, 422);
    assert.match(await wrongKind.text(), /^type: invalid resource type "Mesh", expected Dataplane/);
  } finally {
    await s.close();
  }
});

test('store resolver: outbounds are refused for a sent Dataplane when the proxy runs a transparent proxy', async () => {
  const { s } = await storeServer();
  try {
    const tp = { ipFamilyMode: 'dualstack', redirect: { inbound: { enabled: true, port: 15006 }, outbound: { enabled: true, port: 15001 } } };
    const res = await post(s.url, { mesh: 'default', name: 'kong-1', dataplaneResource: JSON.stringify(sentDataplane), dataplaneConfig: tp });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), 'outbound: should be empty since dataplane is in Transparent Proxying mode');
  } finally {
    await s.close();
  }
});

test('the handler also answers over HTTP/2, taking the xDS host from :authority', async () => {
  const handler = createBootstrapHandler({
    resolveDataplane: async () => web,
    xds: { port: 5678, tls: false },
    defaults: { adminPort: 9901 },
  });
  const server = http2.createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const client = http2.connect(`http://localhost:${port}`);
  try {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const stream = client.request({ ':method': 'POST', ':path': '/bootstrap', accept: 'application/json' });
      let status = 0;
      let text = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (d: Buffer) => (text += d));
      stream.on('end', () => resolve({ status, text }));
      stream.on('error', reject);
      stream.end(JSON.stringify({ mesh: 'default', name: 'web-1' }));
    });
    assert.equal(status, 200);
    const bootstrap = parseYaml(Buffer.from(JSON.parse(text).bootstrap, 'base64').toString(), { version: '1.1' });
    const ads = bootstrap.staticResources.clusters.find((c: any) => c.name === 'ads_cluster');
    assert.equal(ads.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.address, 'localhost');
  } finally {
    client.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
