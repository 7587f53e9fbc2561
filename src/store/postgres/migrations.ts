/** Schema migrations for the PostgreSQL store: ordered, applied once, safe to run from many instances at once. */
import type pg from 'pg';
import { inTransaction } from './transaction.js';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

// Append only: an applied migration is never edited, a change is a new entry.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'resources table',
    // COLLATE "C" makes the database order byte order, which matches JS string order for the
    // names we accept, whatever locale the database was created with.
    sql: `
      CREATE SEQUENCE resource_versions AS bigint;
      CREATE TABLE resources (
        type              text COLLATE "C" NOT NULL,
        mesh              text COLLATE "C" NOT NULL,
        name              text COLLATE "C" NOT NULL,
        version           bigint NOT NULL,
        spec              jsonb NOT NULL,
        labels            jsonb NOT NULL DEFAULT '{}'::jsonb,
        creation_time     timestamptz NOT NULL,
        modification_time timestamptz NOT NULL,
        PRIMARY KEY (type, mesh, name)
      );
      -- listing a type across every mesh, already in name, mesh order
      CREATE INDEX resources_type_name_mesh ON resources (type, name, mesh);
      -- deleting a mesh removes everything in it
      CREATE INDEX resources_mesh ON resources (mesh);
    `,
  },
];

/** Serialises concurrent migrators; an arbitrary constant ("ferr" in ASCII). */
const MIGRATION_LOCK_ID = 0x66657272;

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export async function migrateUp(pool: pg.Pool): Promise<{ applied: number[] }> {
  return inTransaction(pool, async (client) => {
    // held until COMMIT/ROLLBACK, so a crashed migrator can never leave it taken
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${newest} is newer than this control plane supports (${LATEST_SCHEMA_VERSION}); upgrade the control plane`,
      );
    }
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return { applied };
  });
}
