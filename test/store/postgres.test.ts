import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, migrateUp } from '../../src/store/postgres/migrations.js';
import { PostgresStore, type PostgresConfig, type StoreLogger } from '../../src/store/postgres/store.js';
import type { Labels } from '../../src/core/resource.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { ChangeEvent, ListRequest, ListResult, ResourceStore } from '../../src/store/store.js';
import { createDatabase, startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { runStoreContract } from './contract.js';

let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;

/** A fresh, empty database on the one cluster this file starts. */
async function freshDatabase(options = ''): Promise<PostgresConfig> {
  cluster ??= startPostgres();
  const { config } = await cluster;
  return createDatabase(config, `test_${++databases}`, options);
}

after(async () => {
  if (cluster) await (await cluster).stop();
});

const silent: StoreLogger = { info: () => {}, warn: () => {} };

function poolFor(config: PostgresConfig): pg.Pool {
  return new pg.Pool({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.dbName });
}

function nextEvent(store: ResourceStore, match: (e: ChangeEvent) => boolean, timeoutMs: number): Promise<ChangeEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.watch((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}

runStoreContract('postgres', async () => {
  const config = await freshDatabase();
  const store = await PostgresStore.open(config, { logger: silent });
  // a second control-plane instance sharing the database
  const peer = await PostgresStore.open(config, { logger: silent });
  return {
    store,
    peer,
    cleanup: async () => {
      await store.close();
      await peer.close();
    },
  };
});

describe('postgres store', () => {
  it('applies migrations once, and again is a no-op', async () => {
    const pool = poolFor(await freshDatabase());
    try {
      assert.deepEqual(await migrateUp(pool), { applied: [LATEST_SCHEMA_VERSION] });
      assert.deepEqual(await migrateUp(pool), { applied: [] });
      const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.map((r) => r.version),
        [LATEST_SCHEMA_VERSION],
      );
    } finally {
      await pool.end();
    }
  });

  it('migrates safely when two instances start at once', async () => {
    const config = await freshDatabase();
    const pools = [poolFor(config), poolFor(config), poolFor(config)];
    try {
      const results = await Promise.all(pools.map((p) => migrateUp(p)));
      assert.deepEqual(results.flatMap((r) => r.applied), [LATEST_SCHEMA_VERSION], 'exactly one applies it');
      const { rows } = await pools[0].query('SELECT count(*)::int AS n FROM schema_migrations');
      assert.equal(rows[0].n, 1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('opens two stores at once on an empty database', async () => {
    const config = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(config, { logger: silent }), PostgresStore.open(config, { logger: silent })]);
    try {
      await a.create('Mesh', { mesh: '', name: 'default', spec: {} });
      assert.ok(await b.get('Mesh', { mesh: '', name: 'default' }));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a database migrated by a newer control plane', async () => {
    const config = await freshDatabase();
    const pool = poolFor(config);
    try {
      await migrateUp(pool);
      await pool.query('INSERT INTO schema_migrations (version) VALUES ($1)', [LATEST_SCHEMA_VERSION + 1]);
      await assert.rejects(migrateUp(pool), /newer than this control plane supports/);
      await assert.rejects(PostgresStore.open(config, { logger: silent }), /newer than this control plane supports/);
    } finally {
      await pool.end();
    }
  });

  it('loses nothing acknowledged when the control plane restarts', async () => {
    const config = await freshDatabase();
    const first = await PostgresStore.open(config, { logger: silent });
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        first.create('Dataplane', { mesh: 'default', name: `dp-${String(i).padStart(2, '0')}`, labels: { i: String(i) }, spec: { port: i } }),
      ),
    );
    const updated = await first.update('Dataplane', { mesh: 'default', name: 'dp-00', version: created[0].meta.version, spec: { port: 1000 } });
    await first.delete('Dataplane', { mesh: 'default', name: 'dp-01' });
    await first.close();

    const second = await PostgresStore.open(config, { logger: silent });
    try {
      const { items, total } = await second.list('Dataplane', { mesh: 'default' });
      assert.equal(total, 39);
      assert.equal(items[0].meta.version, updated.meta.version);
      assert.deepEqual(items[0].spec, { port: 1000 });
      assert.equal(items[0].meta.modificationTime.getTime(), updated.meta.modificationTime.getTime());
      const byName = new Map(created.map((r) => [r.meta.name, r]));
      for (const r of items.slice(1)) {
        const before = byName.get(r.meta.name)!;
        assert.deepEqual(r, before);
      }
      assert.equal(await second.get('Dataplane', { mesh: 'default', name: 'dp-01' }), undefined);
    } finally {
      await second.close();
    }
  });

  it('keeps millisecond timestamps exactly', async () => {
    const store = await PostgresStore.open(await freshDatabase(), { logger: silent });
    try {
      const created = new Date('2024-02-29T23:59:59.001Z');
      const modified = new Date('2024-03-01T00:00:00.999Z');
      const c = await store.create('Dataplane', { mesh: 'm', name: 't', spec: {}, creationTime: created });
      await store.update('Dataplane', { mesh: 'm', name: 't', version: c.meta.version, spec: {}, modificationTime: modified });
      const got = await store.get('Dataplane', { mesh: 'm', name: 't' });
      assert.equal(got!.meta.creationTime.toISOString(), created.toISOString());
      assert.equal(got!.meta.modificationTime.toISOString(), modified.toISOString());
    } finally {
      await store.close();
    }
  });

  it('orders names byte-wise, like JS strings, whatever the database locale', async () => {
    // a natural-language collation would put "a" before "B"
    const config = await freshDatabase(`TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
    const store = await PostgresStore.open(config, { logger: silent });
    try {
      const names = ['b', 'B', 'a-b', 'a.b', 'a_b', 'ab', 'A', '1', 'a'];
      for (const name of names) await store.create('Dataplane', { mesh: 'm', name, spec: {} });
      const listed = (await store.list('Dataplane', { mesh: 'm' })).items.map((r) => r.meta.name);
      assert.deepEqual(listed, [...names].sort());
      const paged = [];
      for (let offset = 0; offset !== undefined; ) {
        const page = await store.list('Dataplane', { mesh: 'm', size: 4, offset });
        paged.push(...page.items.map((r) => r.meta.name));
        offset = page.nextOffset as number;
      }
      assert.deepEqual(paged, [...names].sort());
    } finally {
      await store.close();
    }
  });

  it('lists exactly like the in-memory store', async () => {
    const store = await PostgresStore.open(await freshDatabase(), { logger: silent });
    const memory = new MemoryStore();
    // deterministic pseudo-random choices, so a failure can be replayed
    let seed = 42;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return xs[Math.floor((seed / 2 ** 31) * xs.length)];
    };
    const meshes = ['', 'a', 'ab', 'b'];
    const created = new Set<string>();
    try {
      for (let i = 0; i < 120; i++) {
        const req = {
          mesh: pick(meshes),
          name: pick(['x', 'xy', 'y', 'yx', 'z']) + pick(['', '-1', '-2', '.a']),
          labels: pick<Labels>([{}, { env: 'prod' }, { env: 'dev' }, { env: 'prod', team: 't' }]),
          spec: { n: i },
        };
        const type = pick(['Dataplane', 'Secret']);
        if (created.has(`${type}/${req.mesh}/${req.name}`)) continue;
        created.add(`${type}/${req.mesh}/${req.name}`);
        await store.create(type, req);
        await memory.create(type, req);
      }
      const summary = (r: ListResult) => ({
        total: r.total,
        nextOffset: r.nextOffset,
        items: r.items.map((x) => ({ type: x.type, mesh: x.meta.mesh, name: x.meta.name, labels: x.meta.labels, spec: x.spec })),
      });
      for (let i = 0; i < 300; i++) {
        const req: ListRequest = {
          mesh: pick([undefined, ...meshes]),
          nameContains: pick([undefined, '', 'x', 'y-', '.']),
          labels: pick<Labels | undefined>([undefined, {}, { env: 'prod' }, { team: 't' }]),
          predicate: pick([undefined, (r) => (r.spec.n as number) % 3 !== 0]),
          size: pick([undefined, 0, 1, 3, 50]),
          offset: pick([undefined, 0, 2, 7, 200]),
        };
        const type = pick(['Dataplane', 'Secret', 'Mesh']);
        assert.deepEqual(summary(await store.list(type, req)), summary(await memory.list(type, req)), `list ${type} ${JSON.stringify(req)}`);
      }
    } finally {
      await store.close();
      await memory.close();
    }
  });

  it('treats a malformed version as stale, not as a database error', async () => {
    const store = await PostgresStore.open(await freshDatabase(), { logger: silent });
    try {
      await store.create('Dataplane', { mesh: 'm', name: 'v', spec: {} });
      await assert.rejects(store.update('Dataplane', { mesh: 'm', name: 'v', version: 'abc', spec: {} }), { name: 'ConflictError' });
      await assert.rejects(store.delete('Dataplane', { mesh: 'm', name: 'v' }, '99999999999999999999'), { name: 'ConflictError' });
      await store.delete('Dataplane', { mesh: 'm', name: 'gone' }, 'abc');
      assert.ok(await store.get('Dataplane', { mesh: 'm', name: 'v' }));
    } finally {
      await store.close();
    }
  });

  it("delivers another instance's writes within a second", async () => {
    const config = await freshDatabase();
    const writer = await PostgresStore.open(config, { logger: silent });
    const reader = await PostgresStore.open(config, { logger: silent });
    try {
      const started = Date.now();
      const created = nextEvent(reader, (e) => e.name === 'fast', 1000);
      await writer.create('Dataplane', { mesh: 'm', name: 'fast', spec: {} });
      assert.deepEqual(await created, { op: 'create', type: 'Dataplane', mesh: 'm', name: 'fast' });
      assert.ok(Date.now() - started < 1000);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('recovers the change feed after its connection is killed', async () => {
    const config = await freshDatabase();
    const warnings: string[] = [];
    const logger: StoreLogger = { info: () => {}, warn: (_obj, msg) => warnings.push(msg) };
    const store = await PostgresStore.open(config, { logger });
    const writer = await PostgresStore.open(config, { logger: silent });
    const admin = poolFor(config);
    const listenerPids = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry-cp-listener' ORDER BY pid`,
          [config.dbName],
        )
      ).rows.map((r) => r.pid);
    try {
      const before = await listenerPids();
      assert.equal(before.length, 2, 'one listener per store');
      // kill both: the writer's feed is not under test, but must not matter either
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);

      let recovered = false;
      const deadline = Date.now() + 10_000;
      for (let i = 0; !recovered && Date.now() < deadline; i++) {
        const name = `probe-${i}`;
        const seen = nextEvent(store, (e) => e.name === name, 500);
        await writer.create('Dataplane', { mesh: 'm', name, spec: {} });
        recovered = await seen.then(
          () => true,
          () => false,
        );
      }
      assert.ok(recovered, 'events flow again after the reconnect');
      assert.ok(warnings.some((w) => /connection lost/.test(w)), `the loss is logged: ${JSON.stringify(warnings)}`);
      const after = await listenerPids();
      assert.equal(after.length, 2);
      assert.ok(after.every((pid) => !before.includes(pid)), 'new listener connections');

      const started = Date.now();
      const deleted = nextEvent(store, (e) => e.op === 'delete' && e.name === 'probe-0', 1000);
      await writer.delete('Dataplane', { mesh: 'm', name: 'probe-0' });
      await deleted;
      assert.ok(Date.now() - started < 1000);
    } finally {
      await admin.end();
      await store.close();
      await writer.close();
    }
  });

  it('passes connection failures through', async () => {
    const { config } = await (cluster ??= startPostgres());
    await assert.rejects(PostgresStore.open({ ...config, dbName: 'no_such_database' }, { logger: silent }), /no_such_database/);
  });
});
