/** Kuma's sidecar-injector conformance cases and the injector options their goldens were made with. */
import { parse } from 'yaml';
import type { InjectOptions, InjectorConfig, Pod } from '../../src/k8s/injector/index.js';
import { conformanceFile } from './conformance.js';

const dir = 'pkg/plugins/runtime/k8s/webhooks/injector/testdata';

export const readInjectorFile = (file: string) => parse(conformanceFile(`${dir}/${file}`));

export const injectorCases = [
  { id: '01', config: 'inject.config.yaml', title: 'baseline' },
  { id: '06', config: 'inject.config.yaml', title: 'gateway' },
  { id: '34', config: 'inject.config-cni.yaml', title: 'CNI with init-first' },
  { id: '41', config: 'inject.config-cni.yaml', title: 'CNI gateway' },
] as const;

export const injectorInput = (id: string) => readInjectorFile(`inject.${id}.input.yaml`) as Pod;
export const injectorGolden = (id: string, sidecarFeature: boolean) =>
  readInjectorFile(sidecarFeature ? `inject.sidecar-feature.${id}.golden.yaml` : `inject.${id}.golden.yaml`) as Pod;

// Kuma's test reads its CA from a certificate file that is not part of the conformance data;
// the goldens inline that PEM as KUMA_CONTROL_PLANE_CA_CERT, so it is taken from a golden as input.
function caCertFromGolden(): string {
  const golden = readInjectorFile('inject.01.golden.yaml');
  const sidecar = golden.spec.containers.find((c: { name: string }) => c.name === 'kuma-sidecar');
  return sidecar.env.find((e: { name: string }) => e.name === 'KUMA_CONTROL_PLANE_CA_CERT').value;
}

export function injectorOptions(configFile: string, sidecarFeature: boolean): InjectOptions {
  return {
    config: readInjectorFile(configFile) as InjectorConfig,
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
export function asGoSerialises(pod: Pod): Pod {
  const copy = structuredClone(pod);
  for (const container of [...copy.spec.containers, ...(copy.spec.initContainers ?? [])]) {
    container.resources ??= {};
  }
  copy.status ??= {};
  return copy;
}
