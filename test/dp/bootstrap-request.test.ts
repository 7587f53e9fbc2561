import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFile } from '../helpers/conformance.js';
import { BootstrapRequestError, parseBootstrapRequest, parseBootstrapRequestText, transparentProxyEnabled } from '../../src/dp/bootstrap-request.js';

const GOLDENS = 'app/kuma-dp/pkg/dataplane/envoy/testdata';

function golden(name: string): string {
  return conformanceFile(`${GOLDENS}/bootstrap-request-${name}.golden.json`);
}

test("kuma-dp's metrics-metadata request parses field by field", () => {
  const req = parseBootstrapRequestText(golden('metrics-metadata'));
  assert.equal(req.mesh, 'demo');
  assert.equal(req.name, 'sample');
  assert.equal(req.proxyType, 'dataplane');
  assert.equal(req.dataplaneToken, 'token');
  assert.equal(req.dataplaneTokenPath, '');
  assert.deepEqual(JSON.parse(req.dataplaneResource), {
    type: 'Dataplane',
    mesh: 'demo',
    name: 'sample',
    creationTime: '0001-01-01T00:00:00Z',
    modificationTime: '0001-01-01T00:00:00Z',
    kri: 'kri_dp_demo___sample_',
  });
  assert.deepEqual(req.version, {
    kumaDp: { version: '0.0.1', gitTag: 'v0.0.1', gitCommit: '91ce236824a9d875601679aa80c63783fb0e8725', buildDate: '2019-08-07T11:26:06Z' },
    envoy: {
      version: '1.15.0',
      build: '50ef0945fa2c5da4bff7627c3abf41fdd3b7cffd/1.15.0/clean-getenvoy-2aa564b-envoy/RELEASE/BoringSSL',
      kumaDpCompatible: false,
    },
  });
  assert.equal(req.caCert, '');
  assert.deepEqual(req.dynamicMetadata, { test: 'value' });
  assert.equal(req.dnsPort, 15054);
  assert.equal(req.readinessPort, 9902);
  assert.equal(req.appProbeProxyEnabled, false);
  assert.equal(req.operatingSystem, 'linux');
  assert.deepEqual(req.features, ['feature-tcp-accesslog-via-named-pipe']);
  assert.deepEqual(req.resources, { maxHeapSizeBytes: 0 });
  assert.equal(req.workdir, '/tmp');
  assert.deepEqual(req.metricsResources, { certPath: '/tmp/cert.pem', keyPath: '/tmp/key.pem' });
  assert.equal(req.systemCaPath, '');
  assert.equal(req.ipv6Enabled, true);
  assert.deepEqual(req.spireResources, { socketPath: '' });
  assert.equal(req.transparentProxy, undefined);
  assert.equal(req.otelEnv, undefined);
});

test("kuma-dp's token-path request carries both the token and its path; null metadata is empty", () => {
  const req = parseBootstrapRequestText(golden('token-path'));
  assert.equal(req.dataplaneToken, 'token1234');
  assert.equal(req.dataplaneTokenPath, 'testdata/token');
  assert.deepEqual(req.dynamicMetadata, {});
  assert.deepEqual(req.metricsResources, { certPath: '', keyPath: '' });
});

test("kuma-dp's transparent-proxy request keeps dataplaneConfig as sent", () => {
  const text = golden('transparent-proxy');
  const req = parseBootstrapRequestText(text);
  assert.deepEqual(req.transparentProxy, JSON.parse(text).dataplaneConfig);
  assert.deepEqual(req.features, ['feature-tcp-accesslog-via-named-pipe', 'feature-transparent-proxy-in-dataplane-metadata']);
  // every redirect is disabled in this golden
  assert.equal(transparentProxyEnabled(req), false);
});

test('transparent proxying counts as enabled only with a redirect on and a non-IPv4-only family', () => {
  const base = JSON.parse(golden('transparent-proxy'));
  const withConfig = (cfg: object) => parseBootstrapRequest({ ...base, dataplaneConfig: cfg });
  assert.equal(transparentProxyEnabled(withConfig({ ipFamilyMode: 'dualstack', redirect: { inbound: { enabled: true } } })), true);
  assert.equal(transparentProxyEnabled(withConfig({ ipFamilyMode: 'dualstack', redirect: { outbound: { enabled: true } } })), true);
  assert.equal(transparentProxyEnabled(withConfig({ ipFamilyMode: 'ipv4', redirect: { outbound: { enabled: true } } })), false);
  assert.equal(transparentProxyEnabled(withConfig({ ipFamilyMode: 'dualstack', redirect: { dns: { enabled: true } } })), false);
});

test('the wire key appProbeProxyDisabled carries the enabled flag', () => {
  assert.equal(parseBootstrapRequest({ name: 'a', appProbeProxyDisabled: true }).appProbeProxyEnabled, true);
  assert.equal(parseBootstrapRequest({ name: 'a' }).appProbeProxyEnabled, false);
});

test('an empty proxy type means dataplane', () => {
  assert.equal(parseBootstrapRequest({ name: 'a', proxyType: '' }).proxyType, 'dataplane');
  assert.equal(parseBootstrapRequest({ name: 'a', proxyType: 'ingress' }).proxyType, 'ingress');
});

test('unknown fields are ignored, nulls leave zero values, keys match case-insensitively as in Go', () => {
  const req = parseBootstrapRequest({
    name: 'web',
    MESH: 'default',
    somethingNewer: { nested: [1, 2] },
    features: null,
    dnsPort: null,
    version: { kumaDp: null, envoy: { Version: '1.30.0' } },
  });
  assert.equal(req.mesh, 'default');
  assert.deepEqual(req.features, []);
  assert.equal(req.dnsPort, 0);
  assert.equal(req.version.kumaDp.version, '');
  assert.equal(req.version.envoy.version, '1.30.0');
});

test('an exact key wins over a case-insensitive one', () => {
  assert.equal(parseBootstrapRequest({ name: 'web', Mesh: 'other', mesh: 'exact' }).mesh, 'exact');
});

function errorOf(body: unknown): BootstrapRequestError {
  try {
    parseBootstrapRequest(body);
  } catch (e) {
    assert.ok(e instanceof BootstrapRequestError, `unexpected error ${String(e)}`);
    return e;
  }
  assert.fail('expected a BootstrapRequestError');
}

test('values of the wrong type are rejected with the field named', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ name: 'a', mesh: 3 }, 'mesh', /expected a string, got 3/],
    [{ name: 'a', dnsPort: 'x' }, 'dnsPort', /expected an integer/],
    [{ name: 'a', readinessPort: -1 }, 'readinessPort', /\[0, 4294967295\]/],
    [{ name: 'a', dnsPort: 4294967296 }, 'dnsPort', /range/],
    [{ name: 'a', dnsPort: 1.5 }, 'dnsPort', /integer/],
    [{ name: 'a', ipv6Enabled: 'true' }, 'ipv6Enabled', /expected a boolean/],
    [{ name: 'a', features: 'x' }, 'features', /list of strings/],
    [{ name: 'a', features: ['ok', 1] }, 'features[1]', /expected a string/],
    [{ name: 'a', dynamicMetadata: { k: 1 } }, 'dynamicMetadata["k"]', /expected a string/],
    [{ name: 'a', version: { envoy: { kumaDpCompatible: 'yes' } } }, 'version.envoy.kumaDpCompatible', /boolean/],
    [{ name: 'a', version: [] }, 'version', /expected a JSON object, got a JSON array/],
    [{ name: 'a', resources: { maxHeapSizeBytes: -5 } }, 'resources.maxHeapSizeBytes', /range/],
    [{ name: 'a', dataplaneConfig: 'tp' }, 'dataplaneConfig', /JSON object/],
    [{ name: 'a', dataplaneResource: {} }, 'dataplaneResource', /expected a string/],
    [{ mesh: 'default' }, 'name', /must not be empty/],
  ];
  for (const [body, field, message] of cases) {
    const err = errorOf(body);
    assert.equal(err.field, field, JSON.stringify(body));
    assert.match(err.message, message);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
  }
});

test('a body that is not a JSON object is rejected', () => {
  assert.match(errorOf([]).message, /JSON object/);
  assert.match(errorOf('x').message, /JSON object/);
  assert.throws(() => parseBootstrapRequestText('{"mesh": '), (e: unknown) => e instanceof BootstrapRequestError && /not valid JSON/.test(e.message));
});
