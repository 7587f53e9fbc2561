import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';
import { kumaBinaries, type InjectOptions, type ProbeSettings } from './config.js';
import { milliValue, isZeroQuantity } from './quantity.js';
import { sidecarResources } from './resources.js';
import { sidecarEnv } from './sidecar-env.js';
import type { Container, Json, Pod, VolumeMount } from './types.js';
import { serviceAccountTokenPath, sidecarTmpMount } from './volumes.js';

export const sidecarContainerName = 'kuma-sidecar';

// The kuma-dp container, built from the pod as it was before injection.
export function sidecarContainer(pod: Pod, options: InjectOptions): Container {
  const annotations = pod.metadata.annotations ?? {};
  const reader = new AnnotationReader(annotations);
  const settings = options.config.sidecarContainer ?? {};
  const binaries = options.binaries ?? kumaBinaries;

  const podAdminPort = reader.uint32(annotation.envoyAdminPort).value;
  const probePort = podAdminPort === 0 ? options.adminPort : podAdminPort;

  const args = ['run', '--log-level=info'];
  const concurrency = proxyConcurrency(reader, settings.resources?.limits?.cpu);
  if (concurrency > 0) args.push(`--concurrency=${concurrency}`);

  const readiness = settings.readinessProbe ?? {};
  const container: Container = {
    name: sidecarContainerName,
    image: settings.image ?? '',
    imagePullPolicy: 'IfNotPresent',
    args,
    env: sidecarEnv(annotations, options),
    securityContext: {
      runAsUser: settings.uid ?? 0,
      runAsGroup: settings.gid ?? 0,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
    livenessProbe: readyProbe(probePort, { ...settings.livenessProbe, successThreshold: 1 }),
    readinessProbe: readyProbe(probePort, readiness),
    resources: sidecarResources(settings.resources),
    volumeMounts: sidecarVolumeMounts(pod),
  };
  // Only native sidecars get a startup probe: a regular container would block the app's start.
  if (options.sidecarFeature) {
    container.startupProbe = readyProbe(probePort, { ...settings.startupProbe, successThreshold: 1 });
  }
  const waitReady = reader.has(annotation.waitForDataplaneReady)
    ? reader.enabled(annotation.waitForDataplaneReady).value
    : Boolean(settings.waitForDataplaneReady);
  if (waitReady) {
    container.lifecycle = {
      postStart: {
        exec: { command: [binaries.dataplaneProcess, 'wait', '--url', `http://localhost:${probePort}/ready`] },
      },
    };
  }
  return container;
}

// Zero-valued probe settings are left out, as Kubernetes omits them when serialising.
function readyProbe(port: number, settings: ProbeSettings): { [key: string]: Json } {
  const probe: { [key: string]: Json } = { httpGet: { path: '/ready', port } };
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const value = settings[key];
    if (value) probe[key] = value;
  }
  return probe;
}

// One Envoy worker per whole CPU of the limit, but at least two.
function proxyConcurrency(pod: AnnotationReader, cpuLimit: string | number | undefined): number {
  const fromPod = pod.uint32(annotation.sidecarConcurrency);
  if (fromPod.exists) return fromPod.value;
  if (isZeroQuantity(cpuLimit)) return 0;
  return Math.max(Math.floor(milliValue(cpuLimit) / 1000), 2);
}

function sidecarVolumeMounts(pod: Pod): VolumeMount[] {
  const mounts = [sidecarTmpMount()];
  const reader = new AnnotationReader(pod.metadata.annotations ?? {});
  const tokenVolume = reader.string(annotation.sidecarTokenVolume);
  if (tokenVolume !== undefined) {
    if (!(pod.spec.volumes ?? []).some((volume) => volume.name === tokenVolume)) {
      throw new Error(
        `volume (${tokenVolume}) specified for ${annotation.sidecarTokenVolume} but volume does not exist in pod spec`,
      );
    }
    return [...mounts, { name: tokenVolume, mountPath: serviceAccountTokenPath, readOnly: true }];
  }
  // Reuse the service-account token mount of an application container, if any.
  for (const container of pod.spec.containers) {
    const token = (container.volumeMounts ?? []).find((mount) => mount.mountPath === serviceAccountTokenPath);
    if (token) return [...mounts, structuredClone(token)];
  }
  return mounts;
}
