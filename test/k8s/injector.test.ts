import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { conformanceFile } from '../helpers/conformance.js';
import { injectPod } from '../../src/k8s/injector/index.js';
import type { InjectOptions, InjectorConfig, Pod } from '../../src/k8s/injector/index.js';

const dir = 'pkg/plugins/runtime/k8s/webhooks/injector/testdata';
const read = (file: string) => parse(conformanceFile(`${dir}/${file}`));

// Kuma's test reads its CA from a certificate file that is not part of the conformance data;
// the goldens inline that PEM as KUMA_CONTROL_PLANE_CA_CERT, so it is taken from a golden as input.
function caCertFromGolden(): string {
  const golden = read('inject.01.golden.yaml');
  const sidecar = golden.spec.containers.find((c: { name: string }) => c.name === 'kuma-sidecar');
  return sidecar.env.find((e: { name: string }) => e.name === 'KUMA_CONTROL_PLANE_CA_CERT').value;
}

function options(configFile: string, sidecarFeature: boolean): InjectOptions {
  return {
    config: read(configFile) as InjectorConfig,
    mesh: 'default',
    namespaceLabels: { 'kuma.io/sidecar-injection': 'enabled' },
    controlPlaneUrl: 'http://kuma-control-plane.kuma-system:5681',
    caCert: caCertFromGolden(),
    adminPort: 9901,
    readinessPort: 9902,
    sidecarFeature,
  };
}

// Kuma's goldens are Go-serialised: an empty `status` and empty container `resources` are always written.
// Adding those to our output compares content, not serialiser habits (injected containers have non-empty resources).
function asGoSerialises(pod: Pod): Pod {
  const copy = structuredClone(pod);
  for (const container of [...copy.spec.containers, ...(copy.spec.initContainers ?? [])]) {
    container.resources ??= {};
  }
  copy.status ??= {};
  return copy;
}

const expected = (file: string) => read(file);

const cases = [
  { id: '01', config: 'inject.config.yaml', title: 'baseline' },
  { id: '06', config: 'inject.config.yaml', title: 'gateway' },
  { id: '34', config: 'inject.config-cni.yaml', title: 'CNI with init-first' },
  { id: '41', config: 'inject.config-cni.yaml', title: 'CNI gateway' },
];

describe('injectPod matches Kuma v2.14.3 goldens', () => {
  for (const c of cases) {
    it(`${c.id} (${c.title}), sidecar as a regular container`, () => {
      const pod = read(`inject.${c.id}.input.yaml`) as Pod;
      assert.deepEqual(asGoSerialises(injectPod(pod, options(c.config, false))), expected(`inject.${c.id}.golden.yaml`));
    });
    it(`${c.id} (${c.title}), native sidecar container`, () => {
      const pod = read(`inject.${c.id}.input.yaml`) as Pod;
      assert.deepEqual(asGoSerialises(injectPod(pod, options(c.config, true))), expected(`inject.sidecar-feature.${c.id}.golden.yaml`));
    });
  }
});

describe('injectPod', () => {
  it('leaves its input untouched', () => {
    const pod = read('inject.06.input.yaml') as Pod;
    const before = structuredClone(pod);
    injectPod(pod, options('inject.config.yaml', true));
    assert.deepEqual(pod, before);
  });

  it('uses the given program names in the injected containers', () => {
    const pod = read('inject.01.input.yaml') as Pod;
    const injected = injectPod(pod, {
      ...options('inject.config.yaml', true),
      binaries: { kumactl: '/usr/bin/ferryctl', dataplaneProcess: 'ferry-dp' },
    });
    const [init, sidecar] = injected.spec.initContainers ?? [];
    assert.deepEqual(init.command, ['/usr/bin/ferryctl', 'install', 'transparent-proxy']);
    assert.deepEqual(sidecar.lifecycle, { preStop: { exec: { command: ['killall', '-USR2', 'ferry-dp'] } } });
  });

  it('keeps inbound redirection on for a gateway annotated as disabled', () => {
    const pod = read('inject.06.input.yaml') as Pod;
    pod.metadata.annotations = { 'kuma.io/gateway': 'disabled' };
    const injected = injectPod(pod, options('inject.config.yaml', false));
    const init = injected.spec.initContainers?.find((c) => c.name === 'kuma-init');
    assert.deepEqual(init?.args, ['--verbose']);
    // Any gateway annotation turns the probe proxy off.
    assert.equal(injected.metadata.annotations?.['kuma.io/application-probe-proxy-port'], '0');
  });

  it('rejects kuma.io/gateway: provided, which the legacy path parses as a boolean', () => {
    const pod = read('inject.06.input.yaml') as Pod;
    pod.metadata.annotations = { 'kuma.io/gateway': 'provided' };
    assert.throws(() => injectPod(pod, options('inject.config.yaml', false)), {
      message: 'annotation "kuma.io/gateway" has wrong value "provided"',
    });
  });

  it('refuses a probe proxy port on a gateway pod', () => {
    const pod = read('inject.06.input.yaml') as Pod;
    pod.metadata.annotations = { 'kuma.io/gateway': 'enabled', 'kuma.io/application-probe-proxy-port': '9000' };
    assert.throws(() => injectPod(pod, options('inject.config.yaml', false)), {
      message: "application probe proxies probes can't be enabled in gateway mode",
    });
  });

  it('puts the init container after user init containers unless init-first is set', () => {
    const pod = read('inject.34.input.yaml') as Pod;
    delete pod.metadata.annotations?.['kuma.io/init-first'];
    const injected = injectPod(pod, options('inject.config-cni.yaml', false));
    assert.deepEqual(injected.spec.initContainers?.map((c) => c.name), ['init', 'kuma-validation']);
  });
});
