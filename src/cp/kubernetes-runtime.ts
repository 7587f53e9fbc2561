/**
 * Kubernetes mode: the controllers that turn pods and Services into mesh state (on the elected
 * leader) and the HTTPS admission webhooks (sidecar injection, kuma.io defaulting, owner references
 * and validation, Secrets, pods). Loaded only when `FERRY_ENVIRONMENT=kubernetes`, and started
 * after the store has synced.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ConfigError, type FerryConfig } from '../config/config.js';
import type { KindRegistry } from '../core/registry.js';
import { generateSelfSignedCert, loadCert, type ServerCert } from '../dp/tls.js';
import { statusCodeOf } from '../k8s/api-errors.js';
import { eventRecorder } from '../k8s/event-recorder.js';
import { defaultInjectorConfig } from '../k8s/injector/defaults.js';
import { CONTROL_PLANE_NAME, serviceDnsNames } from '../k8s/install/names.js';
import { KUMA_GROUP, KUMA_VERSION } from '../k8s/kinds.js';
import { startLeaderElection, type LeaderElector } from '../k8s/leader-election.js';
import { startPodController } from '../k8s/pod-controller.js';
import { ServiceAccountTokenAuthenticator } from '../k8s/service-account-authenticator.js';
import { startServiceController } from '../k8s/service-controller.js';
import { startWebhookServer } from '../k8s/webhook/index.js';
import type { ResourceStore } from '../store/store.js';

// What the control plane needs of Kubernetes before the store exists.
export { startClusterIpSource } from '../k8s/cluster-ip-source.js';
export { createKubeConfig } from '../k8s/kube-client.js';

/** The names the control plane's Service answers to in its namespace. */
export function controlPlaneHosts(config: FerryConfig): string[] {
  return serviceDnsNames(config.store.kubernetes.systemNamespace);
}

export function serviceAccountAuthenticator(kube: KubeConfig, logger: Logger): ServiceAccountTokenAuthenticator {
  return new ServiceAccountTokenAuthenticator(kube, logger.child({ component: 'dp-authn' }));
}

export interface KubernetesRuntimeOptions {
  config: FerryConfig;
  logger: Logger;
  kube: KubeConfig;
  registry: KindRegistry;
  store: ResourceStore;
  /** The CA injected sidecars trust for the DP server. */
  dpServerCaPem: string;
  /** This replica's identity in leader election. */
  instanceId: string;
}

export interface KubernetesRuntime {
  webhookPort: number;
  stop(): Promise<void>;
}

/** Kuma's `certDir` layout (`tls.crt`, `tls.key`), or a self-signed certificate for the control plane's Service names. */
async function webhookCert(config: FerryConfig): Promise<ServerCert> {
  const dir = config.runtime.kubernetes.admissionServer.certDir;
  if (dir) return loadCert(join(dir, 'tls.crt'), join(dir, 'tls.key'));
  return generateSelfSignedCert({ hosts: serviceDnsNames(config.store.kubernetes.systemNamespace) });
}

async function readCaFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`runtime.kubernetes.injector.caCertFile (FERRY_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE): ${(e as Error).message}`);
  }
}

function meshUidReader(kube: KubeConfig): (name: string) => Promise<string | undefined> {
  const custom = kube.makeApiClient(CustomObjectsApi);
  return async (name) => {
    try {
      const mesh = (await custom.getClusterCustomObject({ group: KUMA_GROUP, version: KUMA_VERSION, plural: 'meshes', name })) as { metadata?: { uid?: string } };
      return mesh.metadata?.uid;
    } catch (e) {
      if (statusCodeOf(e) === 404) return undefined;
      throw e;
    }
  };
}

function namespaceReader(kube: KubeConfig): (name: string) => Promise<V1Namespace | undefined> {
  const core = kube.makeApiClient(CoreV1Api);
  return async (name) => {
    try {
      return await core.readNamespace({ name });
    } catch (e) {
      if (statusCodeOf(e) === 404) return undefined;
      throw e;
    }
  };
}

/**
 * The pod and Service controllers run on the elected leader only (as Kuma's do); every replica
 * serves the webhook and xDS.
 */
function leaderOnlyControllers(opts: KubernetesRuntimeOptions): LeaderElector {
  const { config, logger, kube } = opts;
  let running: { stop(): Promise<void> }[] = [];
  return startLeaderElection(kube, logger.child({ component: 'leader-election' }), {
    namespace: config.store.kubernetes.systemNamespace,
    identity: opts.instanceId,
    onStartedLeading: () => {
      logger.info({ instanceId: opts.instanceId }, 'leader elected: starting the pod and Service controllers');
      running = [
        startServiceController(kube, logger.child({ component: 'service-controller' })),
        startPodController(kube, logger.child({ component: 'pod-controller' }), {
          zone: config.multizone.zone.name,
          systemNamespace: config.store.kubernetes.systemNamespace,
          events: eventRecorder(kube, logger.child({ component: 'events' }), 'ferry.io/pod-controller', opts.instanceId),
        }),
      ];
    },
    onStoppedLeading: async () => {
      logger.info({ instanceId: opts.instanceId }, 'no longer the leader: stopping the pod and Service controllers');
      const stopping = running;
      running = [];
      await Promise.allSettled(stopping.map((c) => c.stop()));
    },
  });
}

export async function startKubernetesRuntime(opts: KubernetesRuntimeOptions): Promise<KubernetesRuntime> {
  const { config, logger, kube } = opts;
  const systemNamespace = config.store.kubernetes.systemNamespace;
  const cert = await webhookCert(config);
  const caFile = config.runtime.kubernetes.injector.caCertFile;
  const injectedCa = caFile ? await readCaFile(caFile) : undefined;
  const images = config.runtime.kubernetes.injector;
  const webhook = await startWebhookServer({
    host: config.runtime.kubernetes.admissionServer.address,
    port: config.runtime.kubernetes.admissionServer.port,
    cert: cert.certPem,
    key: cert.keyPem,
    registry: opts.registry,
    systemNamespace,
    zone: config.multizone.zone.name,
    logger: logger.child({ component: 'admission-webhook' }),
    readNamespace: namespaceReader(kube),
    meshExists: async (mesh) => (await opts.store.get('Mesh', { mesh: '', name: mesh })) !== undefined,
    meshUid: meshUidReader(kube),
    meshResource: (mesh) => opts.store.get('Mesh', { mesh: '', name: mesh }),
    allowedUsers: [`system:serviceaccount:${systemNamespace}:${CONTROL_PLANE_NAME}`],
    injector: {
      config: defaultInjectorConfig({ sidecar: images.sidecarImage, init: images.initImage }),
      controlPlaneUrl: `https://${CONTROL_PLANE_NAME}.${systemNamespace}:${config.dpServer.port}`,
      caCert: injectedCa ?? opts.dpServerCaPem,
      adminPort: config.bootstrapServer.params.adminPort,
      readinessPort: 9902,
      sidecarFeature: false,
      binaries: { kumactl: '/usr/bin/ferryctl', dataplaneProcess: 'ferry-dp' },
    },
  });
  const elector = leaderOnlyControllers(opts);
  logger.info({ webhookPort: webhook.port, systemNamespace }, 'kubernetes admission webhook started');
  return {
    webhookPort: webhook.port,
    async stop() {
      await elector.stop();
      await webhook.close();
    },
  };
}
