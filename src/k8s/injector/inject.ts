import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';
import { kumaBinaries, type InjectOptions } from './config.js';
import { initContainer } from './init-container.js';
import { kumactlInstallArgs } from './kumactl-args.js';
import { injectedAnnotations } from './pod-annotations.js';
import { podRedirectFromAnnotations } from './pod-redirect.js';
import { sidecarContainer } from './sidecar-container.js';
import type { Container, Pod } from './types.js';
import { validationContainer } from './validation-container.js';
import { initTmpVolume, sidecarTmpVolume } from './volumes.js';

// Returns a copy of the pod with kuma-dp and its transparent-proxy setup added; the input is not changed.
// Whether the pod should be injected at all (namespace/pod labels, mesh lookup) is decided by the caller.
export function injectPod(input: Pod, options: InjectOptions): Pod {
  rejectUnsupported(input, options);
  const pod = structuredClone(input);
  const binaries = options.binaries ?? kumaBinaries;
  const annotations = (pod.metadata.annotations ??= {});

  if (pod.spec.containers.length === 1 && !(annotation.defaultContainer in annotations)) {
    annotations[annotation.defaultContainer] = pod.spec.containers[0].name;
  }

  const sidecar = sidecarContainer(pod, options);
  pod.spec.volumes = [...(pod.spec.volumes ?? []), structuredClone(initTmpVolume), structuredClone(sidecarTmpVolume)];

  Object.assign(annotations, injectedAnnotations(annotations, options.config, options.adminPort));
  pod.metadata.labels = { ...pod.metadata.labels, [annotation.meshLabel]: options.mesh };

  rejectProbeRewrites(pod, annotations);

  const redirect = podRedirectFromAnnotations(annotations);
  let helper: Container | undefined;
  if (!options.config.cniEnabled) {
    helper = initContainer(kumactlInstallArgs(redirect), options.config, binaries);
  } else if (redirect.redirectInbound) {
    helper = validationContainer(annotations, options.config, binaries);
  }

  const initFirst = new AnnotationReader(annotations).enabled(annotation.initFirst).value;
  const before: Container[] = [];
  const after: Container[] = [];
  if (helper) (initFirst || options.sidecarFeature ? before : after).push(helper);

  if (options.sidecarFeature) {
    // A native sidecar: an init container that keeps running, stopped gracefully on pod shutdown.
    sidecar.restartPolicy = 'Always';
    sidecar.lifecycle = { preStop: { exec: { command: ['killall', '-USR2', binaries.dataplaneProcess] } } };
    before.push(sidecar);
  } else {
    pod.spec.containers = [sidecar, ...pod.spec.containers];
  }
  const initContainers = [...before, ...(pod.spec.initContainers ?? []), ...after];
  if (initContainers.length > 0) pod.spec.initContainers = initContainers;

  return pod;
}

// Paths of Kuma's injector this implementation does not cover; failing beats a silently different pod.
function rejectUnsupported(pod: Pod, options: InjectOptions): void {
  const config = options.config;
  const reader = new AnnotationReader(pod.metadata.annotations ?? {});
  if (config.transparentProxyConfigMapName) {
    throw new Error('transparent proxy configuration from a ConfigMap is not supported by this injector');
  }
  if ((config.containerPatches ?? []).length > 0 || reader.has('kuma.io/container-patches')) {
    throw new Error('container patches are not supported by this injector');
  }
  const spire = reader.has(annotation.spire) ? reader.enabled(annotation.spire).value : Boolean(config.spire?.enabled);
  if (spire) throw new Error('SPIRE support is not provided by this injector');
}

// Application probes stay untouched only when neither the probe proxy nor virtual probes are active.
function rejectProbeRewrites(pod: Pod, annotations: Record<string, string>): void {
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  const hasProbes = containers.some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe);
  const probeProxyOn = annotations[annotation.applicationProbeProxyPort] !== '0';
  const virtualProbesOn = annotations[annotation.virtualProbes] === 'enabled';
  if (hasProbes && (probeProxyOn || virtualProbesOn)) {
    throw new Error('rewriting application probes is not supported by this injector');
  }
}
