/** Opens the store the configuration asks for. */
import type { Logger } from 'pino';
import type { FerryConfig } from '../config/config.js';
import { MemoryStore } from './memory.js';
import { PostgresStore } from './postgres/store.js';
import type { ResourceStore } from './store.js';
import type { KubeConfig } from '@kubernetes/client-node';

export async function openStore(cfg: FerryConfig, logger: Logger, kube?: KubeConfig): Promise<ResourceStore> {
  if (cfg.store.type === 'memory') return new MemoryStore();
  if (cfg.store.type === 'kubernetes') {
    if (!kube) throw new Error('the kubernetes store needs a Kubernetes connection');
    // loaded on demand: Universal deployments never load the Kubernetes client
    const { openKubernetesStore } = await import('../k8s/store/index.js');
    const store = await openKubernetesStore(kube, {
      systemNamespace: cfg.store.kubernetes.systemNamespace,
      logger: logger.child({ component: 'kubernetes-store' }),
    });
    await store.synced;
    return store;
  }
  const pg = cfg.store.postgres;
  return PostgresStore.open(
    {
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      dbName: pg.dbName,
      maxOpenConnections: pg.maxOpenConnections,
      connectTimeoutMs: pg.connectionTimeout * 1000,
    },
    { migrate: true, logger: logger.child({ component: 'postgres-store' }) },
  );
}
