/** Opens the store the configuration asks for. */
import type { Logger } from 'pino';
import type { FerryConfig } from '../config/config.js';
import { MemoryStore } from './memory.js';
import { PostgresStore } from './postgres/store.js';
import type { ResourceStore } from './store.js';

export async function openStore(cfg: FerryConfig, logger: Logger): Promise<ResourceStore> {
  if (cfg.store.type === 'memory') return new MemoryStore();
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
