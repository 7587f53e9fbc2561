/**
 * Ferry's bootstrap against Kuma's generator goldens (`pkg/xds/bootstrap/testdata`), built from the
 * inputs Kuma's generator_test uses. Differences Ferry keeps on purpose: no `hdsConfig` (Ferry has
 * no health-discovery service); everything else must match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { BootstrapSchema } from '../../gen/envoy/config/bootstrap/v3/bootstrap_pb.js';
import type { Resource } from '../../src/core/resource.js';
import { checkMessage } from '../../src/envoy/validate-rules.js';
import { bootstrapToJson, bootstrapToYaml, generateBootstrap, type BootstrapParams } from '../../src/dp/bootstrap.js';
import { parseBootstrapRequest } from '../../src/dp/bootstrap-request.js';
import { conformanceFile } from '../helpers/conformance.js';

const GOLDENS = 'pkg/xds/bootstrap/testdata';

const kumaTestVersion = {
  kumaDp: { version: '0.0.1', gitTag: 'v0.0.1', gitCommit: '91ce236824a9d875601679aa80c63783fb0e8725', buildDate: '2019-08-07T11:26:06Z' },
  envoy: { build: 'hash/1.15.0/RELEASE', version: '1.15.0' },
};

/** Kuma's `defaultDataplane()` in generator_test, with the admin port each case sets. */
function kumaTestDataplane(adminPort: number): Resource {
  const now = new Date('2018-07-17T16:05:36.995Z');
  return {
    type: 'Dataplane',
    meta: { mesh: 'mesh', name: 'name.namespace', version: '1', labels: {}, creationTime: now, modificationTime: now },
    spec: {
      networking: {
        address: '8.8.8.8',
        inbound: [{ port: 443, servicePort: 8443, tags: { 'kuma.io/service': 'backend' } }],
        admin: { port: adminPort },
      },
    },
  };
}

type Json = Record<string, any>;

function readGolden(name: string): Json {
  return parseYaml(conformanceFile(`${GOLDENS}/${name}`)) as Json;
}

/**
 * The generator test feeds Kuma's own DP-server certificate (`test/certs/server-cert.pem`), which the
 * conformance copy does not carry; the golden inlines it, so that is where the input comes from.
 */
function kumaServerCertPem(golden: Json): string {
  const secret = (golden.staticResources.secrets as Json[]).find((s) => s.name === 'cp_validation_ctx')!;
  return Buffer.from(secret.validationContext.trustedCa.inlineBytes as string, 'base64').toString('utf8');
}

function withoutHds(golden: Json): Json {
  const { hdsConfig: _hds, ...rest } = golden;
  return rest;
}

function checkAgainstGolden(goldenName: string, params: (golden: Json) => BootstrapParams): void {
  const golden = readGolden(goldenName);
  const bootstrap = generateBootstrap(params(golden));
  const json = bootstrapToJson(bootstrap);
  assert.deepEqual(checkMessage(BootstrapSchema, bootstrap), []);

  // Section by section first, so a failure points at the part that differs.
  for (const section of ['node', 'dynamicResources', 'staticResources', 'admin', 'layeredRuntime', 'statsConfig', 'defaultRegexEngine']) {
    assert.deepEqual(json[section], golden[section], `section ${section}`);
  }
  assert.deepEqual(json, withoutHds(golden));
  // The YAML Envoy reads says the same.
  assert.deepEqual(parseYaml(bootstrapToYaml(bootstrap), { version: '1.1' }), json);
}

test('generator.default-config.golden.yaml: SotW ADS with the token, TLS to a DNS-named CP, admin port from the Dataplane', () => {
  checkAgainstGolden('generator.default-config.golden.yaml', (golden) => ({
    request: parseBootstrapRequest({
      mesh: 'mesh',
      name: 'name.namespace',
      dataplaneToken: 'token',
      version: kumaTestVersion,
      dnsPort: 53001,
      workdir: '/tmp',
    }),
    dataplane: kumaTestDataplane(1234),
    xds: { host: 'localhost', port: 5678, tls: true, caPem: kumaServerCertPem(golden) },
    defaultAdminPort: 0,
  }));
});

test('generator.custom-config-minimal-request-and-delta.golden.yaml: DELTA_GRPC, no token, custom admin and timeouts', () => {
  checkAgainstGolden('generator.custom-config-minimal-request-and-delta.golden.yaml', (golden) => ({
    request: parseBootstrapRequest({
      mesh: 'mesh',
      name: 'name.namespace',
      version: kumaTestVersion,
      workdir: '/tmp',
      features: ['feature-delta-grpc'],
    }),
    dataplane: kumaTestDataplane(9902),
    xds: { host: 'localhost', port: 15678, tls: true, caPem: kumaServerCertPem(golden) },
    defaultAdminPort: 0,
    adminAddress: '192.168.0.1',
    adminAccessLogPath: '/var/log',
    xdsConnectTimeoutMs: 2000,
  }));
});

test('the goldens differ from each other where the inputs do, so the comparison can fail', () => {
  const a = withoutHds(readGolden('generator.default-config.golden.yaml'));
  const b = withoutHds(readGolden('generator.custom-config-minimal-request-and-delta.golden.yaml'));
  assert.notDeepEqual(a.dynamicResources, b.dynamicResources);
  assert.notDeepEqual(a.admin, b.admin);
  assert.notDeepEqual(a.node.metadata, b.node.metadata);
});
