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

export interface RunningControlPlane {
  config: FerryConfig;
  store: ResourceStore;
  registry: KindRegistry;
  manager: ResourceManager;
  apiAddress: string;
  diagnosticsAddress: string;
  stop(): Promise<void>;
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
  const store = await openStore(config, logger);
  const manager = new ResourceManager(store, registry, { zone: config.multizone.zone.name, env: config.environment });
  const unwatch = store.watch((e) => metrics.storeChanges.inc({ type: e.type, op: e.op }));
  let ready = false;
  const servers: FastifyInstance[] = [];

  try {
    if (!config.defaults.skipMeshCreation) await ensureDefaultMesh(manager, registry, logger);

    const api = buildApiServer({
      registry,
      manager,
      logger,
      instanceId,
      clusterId: instanceId,
      bodyLimitBytes: config.apiServer.maxBodyBytes,
    });
    api.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      metrics.apiRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
      metrics.apiLatency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
    servers.push(api);
    const apiAddress = await api.listen({ host: config.apiServer.http.interface, port: config.apiServer.http.port });

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
    logger.info({ apiAddress, diagnosticsAddress, store: config.store.type, instanceId }, 'control plane started');
    return {
      config,
      store,
      registry,
      manager,
      apiAddress,
      diagnosticsAddress,
      async stop() {
        ready = false;
        for (const s of servers) await s.close();
        unwatch();
        await store.close();
      },
    };
  } catch (e) {
    for (const s of servers) await s.close().catch(() => {});
    unwatch();
    await store.close();
    throw e;
  }
}
