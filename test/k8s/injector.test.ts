import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectPod } from '../../src/k8s/injector/index.js';
import type { Pod } from '../../src/k8s/injector/index.js';
import { asGoSerialises, injectorCases as cases, injectorOptions as options, readInjectorFile as read } from '../helpers/injector-cases.js';

const expected = (file: string) => read(file);

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
