/** Wires the control plane together: store → manager → API, plus diagnostics. */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FerryConfig } from '../config/config.js';
import { ResourceManager } from '../core/manager.js';
import type { KindRegistry } from '../core/registry.js';
import { createRegistry } from '../resources/index.js';
import { openStore } from '../store/factory.js';
import type { ResourceStore } from '../store/store.js';
import { AlreadyExistsError } from '../store/store.js';
import { buildApiServer } from '../api/server.js';
import { buildDiagnosticsServer } from '../diagnostics/server.js';
import { CpMetrics } from '../diagnostics/metrics.js';
import { ConfigError, durationMs } from '../config/config.js';
import { SnapshotCache } from '../xds/cache.js';
import { CaManager } from '../ca/ca-manager.js';
import { ServiceInsightResyncer } from '../insights/service-insight-resyncer.js';
import { VipAllocator, dnsRecordsFor } from '../vips/index.js';
import { createDnsFeedHandler, firstHandler } from '../dp/dns-feed.js';
import { reachableRecords } from '../vips/reachable.js';
import { validateProvidedBackends } from '../ca/provided-backends.js';
import { secretDeletionCheck } from '../ca/secrets-in-use.js';
import { adsRoutes } from '../xds/server/ads.js';
import { XdsController } from '../xds/controller.js';
import { configDump } from '../xds/config-dump.js';
import { startDpServer, type RunningDpServer } from '../dp/server.js';
import { generateSelfSignedCert, loadCert } from '../dp/tls.js';
import { createBootstrapHandler, storeDataplaneResolver } from '../dp/bootstrap-handler.js';
import { DataplaneTokens } from '../tokens/dataplane-token.js';
import { UserTokens } from '../tokens/user-token.js';
import { DataplaneAuthenticator } from '../auth/dataplane-authenticator.js';
import type { ProxyAuthenticator } from '../auth/proxy-authenticator.js';
import { bootstrapAdminToken } from '../auth/admin-token.js';
import type { KubernetesRuntime } from './kubernetes-runtime.js';

export interface RunningControlPlane {
  config: FerryConfig;
  store: ResourceStore;
  registry: KindRegistry;
  manager: ResourceManager;
  xds: XdsController;
  apiAddress: string;
  diagnosticsAddress: string;
  dpAddress: string;
  stop(): Promise<void>;
}

function vipAllocator(store: ResourceStore, config: FerryConfig, logger: Logger): VipAllocator {
  try {
    return new VipAllocator(store, { cidr: config.dnsServer.CIDR, logger: logger.child({ component: 'vips' }) });
  } catch (e) {
    throw new ConfigError(`dnsServer.CIDR (FERRY_DNS_SERVER_CIDR): ${(e as Error).message}`);
  }
}

/** Runs `work` until it succeeds, backing off from 1 s to 30 s between attempts. */
function retryInBackground(work: () => Promise<void>, logger: Logger): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (n: number) => {
    work().then(
      () => logger.debug('default resources in place'),
      (err: unknown) => {
        if (stopped) return;
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(n, 5));
        logger.warn({ err: (err as Error).message, retryInMs: delay }, 'could not create the default resources yet, retrying');
        timer = setTimeout(() => attempt(n + 1), delay);
        timer.unref();
      },
    );
  };
  attempt(0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function ensureDefaultMesh(manager: ResourceManager, registry: KindRegistry, logger: Logger): Promise<void> {
  const meshKind = registry.mustGet('Mesh');
  if (await manager.find(meshKind, { mesh: '', name: 'default' })) return;
  try {
    await manager.create(meshKind, { mesh: '', name: 'default' }, { labels: {}, spec: {} });
    logger.info('created mesh "default"');
  } catch (e) {
    // another instance on the same database got there first
    if (!(e instanceof AlreadyExistsError)) throw e;
  }
}

export async function startControlPlane(config: FerryConfig, logger: Logger): Promise<RunningControlPlane> {
  const instanceId = `${os.hostname()}-${randomUUID().slice(0, 8)}`;
  const registry = createRegistry();
  const metrics = new CpMetrics();
  // loaded only in Kubernetes mode, so Universal never loads the Kubernetes client
  const k8s = config.environment === 'kubernetes' ? await import('./kubernetes-runtime.js') : undefined;
  const kube = k8s?.createKubeConfig();
  const store = await openStore(config, logger, kube);
  // Service ClusterIPs become outbounds of transparently proxied sidecars (Kuma's kubeOutboundsAsVIPs)
  const clusterIps = kube && k8s?.startClusterIpSource(kube, logger.child({ component: 'cluster-ips' }));
  const ca = new CaManager(store, logger.child({ component: 'ca' }));
  const manager = new ResourceManager(store, registry, {
    zone: config.multizone.zone.name,
    env: config.environment,
    // as Kuma's mesh manager: the CA exists by the time the mesh write is acknowledged
    afterMeshWrite: (mesh) => ca.ensureCa(mesh),
    validateMeshWithStore: (name, spec) => validateProvidedBackends(store, name, spec),
    validateDeleteWithStore: (type, key) => secretDeletionCheck(store, type, key),
  });
  const unwatch = store.watch((e) => metrics.storeChanges.inc({ type: e.type, op: e.op }));
  let ready = false;
  const servers: FastifyInstance[] = [];
  const cache = new SnapshotCache();
  const inMemoryStore = config.store.type === 'memory';
  const dataplaneTokens = new DataplaneTokens(manager, { inMemoryStore });
  const userTokens = new UserTokens(manager, { inMemoryStore });
  // the config allows serviceAccountToken only on Kubernetes
  const authnType = config.dpServer.authn.dpProxy.type;
  const dpAuthn: ProxyAuthenticator | undefined =
    authnType === 'dpToken'
      ? new DataplaneAuthenticator({ tokens: dataplaneTokens, store, registry })
      : authnType === 'serviceAccountToken' && kube && k8s
        ? k8s.serviceAccountAuthenticator(kube, logger)
        : undefined;
  const xds = new XdsController({
    store,
    manager,
    registry,
    cache,
    logger: logger.child({ component: 'xds' }),
    instanceId,
    defaultAdminPort: config.bootstrapServer.params.adminPort,
    deregistrationDelayMs: durationMs(config.xds.dataplaneDeregistrationDelay),
    statusFlushIntervalMs: durationMs(config.xdsServer.dataplaneStatusFlushInterval),
    ca,
    vips: vipAllocator(store, config, logger),
    zone: config.multizone.zone.name,
    authenticate: dpAuthn?.authenticateStream,
    platformOutbounds: clusterIps,
  });
  let dpServer: RunningDpServer | undefined;
  let kubernetes: KubernetesRuntime | undefined;
  let defaults: { stop(): void } | undefined;
  const serviceInsights = new ServiceInsightResyncer(store, logger.child({ component: 'service-insights' }));

  try {
    await clusterIps?.synced;
    const createDefaults = async () => {
      if (!config.defaults.skipMeshCreation) await ensureDefaultMesh(manager, registry, logger);
      if (config.apiServer.authn.tokens.bootstrapAdminToken) {
        await bootstrapAdminToken(manager, userTokens, logger.child({ component: 'authn' }), config.apiServer.http.port);
      }
    };
    // On Kubernetes these writes pass the control plane's own admission webhooks, which the API server
    // reaches only once this replica is ready: they are retried in the background after it is.
    if (!kube) await createDefaults();

    const api = buildApiServer({
      registry,
      manager,
      logger,
      instanceId,
      clusterId: instanceId,
      bodyLimitBytes: config.apiServer.maxBodyBytes,
      authn: { localhostIsAdmin: config.apiServer.authn.localhostIsAdmin, users: userTokens, registry },
      dataplaneTokens,
      readOnly: config.apiServer.readOnly,
      inspectXds: async (mesh, name) => {
        const current = await xds.currentConfig({ mesh, name });
        return current ? configDump(current.config, current.served) : undefined;
      },
    });
    api.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      metrics.apiRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
      metrics.apiLatency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
    servers.push(api);
    const apiAddress = await api.listen({ host: config.apiServer.http.interface, port: config.apiServer.http.port });

    const host = config.apiServer.http.interface;
    const tls = config.dpServer.tlsEnabled
      ? config.dpServer.tlsCertFile
        ? await loadCert(config.dpServer.tlsCertFile, config.dpServer.tlsKeyFile)
        : await generateSelfSignedCert({
            // on Kubernetes, sidecars dial the control plane by its Service name
            hosts: [os.hostname(), ...(host === '0.0.0.0' || host === '::' ? [] : [host]), ...(k8s?.controlPlaneHosts(config) ?? [])],
          })
      : false;
    const bootstrap = createBootstrapHandler({
      resolveDataplane: storeDataplaneResolver(store, registry),
      resolveMesh: (mesh) => store.get('Mesh', { mesh: '', name: mesh }),
      xds: {
        host: config.bootstrapServer.params.xdsHost || undefined,
        port: config.bootstrapServer.params.xdsPort || config.dpServer.port,
        tls: tls !== false,
        caPem: tls ? tls.certPem : undefined,
      },
      defaults: { adminPort: config.bootstrapServer.params.adminPort },
      requireToken: dpAuthn !== undefined,
      verifyToken: dpAuthn?.verifyBootstrapToken,
      logger: logger.child({ component: 'bootstrap' }),
    });
    dpServer = await startDpServer({
      host,
      port: config.dpServer.port,
      tls,
      routes: adsRoutes(cache, xds, logger.child({ component: 'ads' })),
      http: firstHandler(
        bootstrap,
        createDnsFeedHandler({
          records: async (mesh, name) => {
            if (!(await store.get('Mesh', { mesh: '', name: mesh }))) return undefined;
            const dp = name ? await store.get('Dataplane', { mesh, name }) : undefined;
            return reachableRecords(dnsRecordsFor(await xds.currentVips(mesh)), dp);
          },
          onChange: (listener) => {
            xds.events.on('vips', listener);
            return () => xds.events.off('vips', listener);
          },
        }),
      ),
      logger: logger.child({ component: 'dp-server' }),
    });

    if (kube && k8s) {
      if (!tls) throw new ConfigError('dpServer.tlsEnabled (FERRY_DP_SERVER_TLS_ENABLED): injected sidecars need the DP server over TLS on Kubernetes');
      kubernetes = await k8s.startKubernetesRuntime({ config, logger, kube, registry, store, dpServerCaPem: tls.certPem, instanceId });
    }

    const diagnostics = buildDiagnosticsServer({
      logger,
      metrics,
      isReady: () => ready,
      beforeScrape: async () => {
        for (const kind of registry.all()) {
          metrics.resources.set({ type: kind.name }, (await store.list(kind.name, { size: 0 })).total);
        }
      },
    });
    servers.push(diagnostics);
    const diagnosticsAddress = await diagnostics.listen({ host: config.apiServer.http.interface, port: config.diagnostics.serverPort });

    ready = true;
    if (kube) defaults = retryInBackground(createDefaults, logger.child({ component: 'defaults' }));
    const dpAddress = dpServer.address;
    logger.info({ apiAddress, diagnosticsAddress, dpAddress, store: config.store.type, instanceId }, 'control plane started');
    const running = dpServer;
    const runningKubernetes = kubernetes;
    return {
      config,
      store,
      registry,
      manager,
      xds,
      apiAddress,
      diagnosticsAddress,
      dpAddress,
      async stop() {
        ready = false;
        defaults?.stop();
        await runningKubernetes?.stop();
        await running.close();
        for (const s of servers) await s.close();
        await xds.close();
        await serviceInsights.close();
        await clusterIps?.stop();
        unwatch();
        await store.close();
      },
    };
  } catch (e) {
    await kubernetes?.stop().catch(() => {});
    await dpServer?.close().catch(() => {});
    for (const s of servers) await s.close().catch(() => {});
    await xds.close().catch(() => {});
    await serviceInsights.close().catch(() => {});
    await clusterIps?.stop().catch(() => {});
    unwatch();
    await store.close();
    throw e;
  }
}
