/** `ferry-cp migrate up`: applies the schema on its own short-lived connection. */
import pg from 'pg';
import { migrateUp } from './migrations.js';
import type { PostgresConfig } from './store.js';

export async function runMigrations(config: PostgresConfig): Promise<number[]> {
  const pool = new pg.Pool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.dbName,
    max: 1,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 5000,
  });
  try {
    return (await migrateUp(pool)).applied;
  } finally {
    await pool.end();
  }
}
