/**
 * ResourceStore on PostgreSQL: several control-plane instances can share one database.
 * Writes are single atomic statements (or one transaction) that also NOTIFY, so the change
 * feed carries exactly the committed writes of every instance.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Labels, Resource, ResourceKey, Spec } from '../../core/resource.js';
import { pageOf } from '../listing.js';
import {
  AlreadyExistsError,
  ConflictError,
  MESH_TYPE,
  type ChangeEvent,
  type ChangeListener,
  type CreateRequest,
  type ListRequest,
  type ListResult,
  type ResourceStore,
  type UpdateRequest,
} from '../store.js';
import { migrateUp } from './migrations.js';
import { inTransaction } from './transaction.js';

export interface PostgresConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  dbName: string;
  /** Pool size; defaults to 10. */
  maxOpenConnections?: number;
  connectTimeoutMs?: number;
}

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface OpenOptions {
  /** Apply pending schema migrations first; defaults to true. */
  migrate?: boolean;
  logger?: StoreLogger;
}

const CHANNEL = 'ferry_resource_changes';
const UNIQUE_VIOLATION = '23505';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
// versions come from a bigint sequence that starts at 1; anything else can never match
const VERSION_RE = /^[1-9][0-9]{0,17}$/;

const consoleLogger: StoreLogger = {
  info: () => {},
  warn: (obj, msg) => console.warn(`postgres store: ${msg}`, obj),
};

const COLUMNS = 'type, mesh, name, version, spec, labels, creation_time, modification_time';
// one notification per affected row, built from the row itself
const NOTIFY = (op: 'create' | 'update' | 'delete') =>
  `pg_notify('${CHANNEL}', json_build_object('op', '${op}', 'type', type, 'mesh', mesh, 'name', name)::text)`;

interface Row {
  type: string;
  mesh: string;
  name: string;
  version: string;
  spec: Spec;
  labels: Labels;
  creation_time: Date;
  modification_time: Date;
}

function toResource(row: Row): Resource {
  return {
    type: row.type,
    meta: {
      mesh: row.mesh,
      name: row.name,
      version: row.version,
      creationTime: row.creation_time,
      modificationTime: row.modification_time,
      labels: row.labels,
    },
    spec: row.spec,
  };
}

function connectionOptions(config: PostgresConfig, applicationName: string): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.dbName,
    connectionTimeoutMillis: config.connectTimeoutMs,
    application_name: applicationName,
    keepAlive: true,
  };
}

export class PostgresStore implements ResourceStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly feed: ChangeFeed,
  ) {}

  static async open(config: PostgresConfig, opts: OpenOptions = {}): Promise<PostgresStore> {
    const logger = opts.logger ?? consoleLogger;
    const pool = new pg.Pool({ ...connectionOptions(config, 'ferry-cp'), max: config.maxOpenConnections ?? 10 });
    // an idle connection dropped by the server is discarded by the pool; without a handler it would crash the process
    pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection lost'));
    const feed = new ChangeFeed(config, logger);
    try {
      if (opts.migrate ?? true) {
        const { applied } = await migrateUp(pool);
        if (applied.length > 0) logger.info({ applied }, 'applied schema migrations');
      }
      await feed.start();
    } catch (err) {
      await feed.close();
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool, feed);
  }

  async get(type: string, key: ResourceKey): Promise<Resource | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM resources WHERE type = $1 AND mesh = $2 AND name = $3`,
      [type, key.mesh, key.name],
    );
    return rows.length > 0 ? toResource(rows[0]) : undefined;
  }

  async list(type: string, req: ListRequest = {}): Promise<ListResult> {
    const params: unknown[] = [type];
    const where = ['type = $1'];
    if (req.mesh !== undefined) {
      params.push(req.mesh);
      where.push(`mesh = $${params.length}`);
    }
    if (req.nameContains) {
      params.push(req.nameContains);
      where.push(`strpos(name, $${params.length}) > 0`);
    }
    if (req.labels && Object.keys(req.labels).length > 0) {
      params.push(JSON.stringify(req.labels));
      where.push(`labels @> $${params.length}::jsonb`);
    }
    const filtered = `FROM resources WHERE ${where.join(' AND ')}`;
    const ordered = `SELECT ${COLUMNS}, count(*) OVER () AS total ${filtered} ORDER BY name COLLATE "C", mesh COLLATE "C"`;

    const offset = req.offset ?? 0;
    const pageInDatabase = !req.predicate && isCount(offset) && (req.size === undefined || isCount(req.size));
    if (!pageInDatabase) {
      // the predicate runs here, so paging must too
      const { rows } = await this.pool.query<Row>(ordered, params);
      let all = rows.map(toResource);
      if (req.predicate) all = all.filter((r) => req.predicate!(structuredClone(r)));
      return pageOf(all, req);
    }

    const paged = `${ordered} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
    const { rows } = await this.pool.query<Row & { total: string }>(paged, [...params, req.size ?? null, offset]);
    let total: number;
    if (rows.length > 0) {
      total = Number(rows[0].total);
    } else {
      // an empty page carries no window count
      const counted = await this.pool.query<{ total: string }>(`SELECT count(*) AS total ${filtered}`, params);
      total = Number(counted.rows[0].total);
    }
    const end = req.size === undefined ? total : offset + req.size;
    return { items: rows.map(toResource), total, nextOffset: end < total ? end : undefined };
  }

  async create(type: string, req: CreateRequest): Promise<Resource> {
    const now = req.creationTime ?? new Date();
    try {
      const { rows } = await this.pool.query<Row>(
        `WITH created AS (
           INSERT INTO resources (${COLUMNS})
           VALUES ($1, $2, $3, nextval('resource_versions'), $4::jsonb, $5::jsonb, $6, $6)
           RETURNING ${COLUMNS}
         )
         SELECT ${COLUMNS}, ${NOTIFY('create')} FROM created`,
        [type, req.mesh, req.name, JSON.stringify(req.spec), JSON.stringify(req.labels ?? {}), now],
      );
      return toResource(rows[0]);
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === UNIQUE_VIOLATION) throw new AlreadyExistsError(type, req);
      throw err;
    }
  }

  async update(type: string, req: UpdateRequest): Promise<Resource> {
    if (!VERSION_RE.test(req.version)) throw new ConflictError(type, req);
    const { rows } = await this.pool.query<Row>(
      `WITH updated AS (
         UPDATE resources
         SET version = nextval('resource_versions'), spec = $5::jsonb,
             labels = COALESCE($6::jsonb, labels), modification_time = $7
         WHERE type = $1 AND mesh = $2 AND name = $3 AND version = $4
         RETURNING ${COLUMNS}
       )
       SELECT ${COLUMNS}, ${NOTIFY('update')} FROM updated`,
      [
        type,
        req.mesh,
        req.name,
        req.version,
        JSON.stringify(req.spec),
        req.labels ? JSON.stringify(req.labels) : null,
        req.modificationTime ?? new Date(),
      ],
    );
    // the row is locked while a concurrent update commits, then re-checked: a stale version matches nothing
    if (rows.length === 0) throw new ConflictError(type, req);
    return toResource(rows[0]);
  }

  async delete(type: string, key: ResourceKey, version?: string): Promise<void> {
    const stale = version !== undefined && !VERSION_RE.test(version);
    await inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `WITH deleted AS (
           DELETE FROM resources
           WHERE type = $1 AND mesh = $2 AND name = $3 AND NOT $4 AND ($5::bigint IS NULL OR version = $5)
           RETURNING type, mesh, name
         )
         SELECT ${NOTIFY('delete')} FROM deleted`,
        [type, key.mesh, key.name, stale, stale ? null : (version ?? null)],
      );
      if (rowCount === 0) {
        // nothing to delete is fine; something we may not delete is a conflict
        if (version === undefined) return;
        const { rowCount: present } = await client.query('SELECT 1 FROM resources WHERE type = $1 AND mesh = $2 AND name = $3', [
          type,
          key.mesh,
          key.name,
        ]);
        if (present) throw new ConflictError(type, key);
        return;
      }
      if (type === MESH_TYPE) {
        await client.query(
          `WITH deleted AS (DELETE FROM resources WHERE mesh = $1 RETURNING type, mesh, name)
           SELECT ${NOTIFY('delete')} FROM deleted`,
          [key.name],
        );
      }
    });
  }

  watch(listener: ChangeListener): () => void {
    return this.feed.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    await this.pool.end();
  }
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** A dedicated LISTEN connection, so the feed carries every instance's writes; reconnects when dropped. */
class ChangeFeed {
  private readonly events = new EventEmitter();
  private client?: pg.Client;
  private connecting?: pg.Client;
  private retryTimer?: NodeJS.Timeout;
  private retryDelay = RECONNECT_MIN_MS;
  private closed = false;

  constructor(
    private readonly config: PostgresConfig,
    private readonly logger: StoreLogger,
  ) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(listener: ChangeListener): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.events.removeAllListeners();
    const clients = [this.client, this.connecting].filter((c): c is pg.Client => c !== undefined);
    this.client = this.connecting = undefined;
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(connectionOptions(this.config, 'ferry-cp-listener'));
    this.connecting = client;
    client.on('notification', (msg) => this.deliver(msg.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      if (this.connecting === client) this.connecting = undefined;
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.connecting = undefined;
    this.client = client;
  }

  private deliver(payload: string | undefined): void {
    let event: ChangeEvent;
    try {
      event = JSON.parse(payload ?? '') as ChangeEvent;
    } catch {
      this.logger.warn({ payload }, 'ignored a malformed change notification');
      return;
    }
    // listeners run outside the connection's event handler, as with the in-memory store
    queueMicrotask(() => this.events.emit('change', event));
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => {});
    // changes committed while disconnected are not replayed
    this.logger.warn({ err: err.message }, 'change feed connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.retryTimer = setTimeout(async () => {
      if (this.closed) return;
      try {
        await this.connect();
        this.retryDelay = RECONNECT_MIN_MS;
        this.logger.info({}, 'change feed reconnected');
      } catch (err) {
        if (this.closed) return;
        this.logger.warn({ err: (err as Error).message, retryInMs: this.retryDelay }, 'change feed reconnect failed');
        this.retryDelay = Math.min(this.retryDelay * 2, RECONNECT_MAX_MS);
        this.scheduleReconnect();
      }
    }, this.retryDelay);
  }
}
