/** Two ferry-cp processes on one PostgreSQL: shared state, cross-instance change feed, restarts, migrations. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDatabase, startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { ferryCpBin, startCp, type RunningCp } from '../helpers/processes.js';
import type { PostgresConfig } from '../../src/store/postgres/store.js';

function pgEnv(c: PostgresConfig): Record<string, string> {
  return {
    FERRY_STORE_TYPE: 'postgres',
    FERRY_STORE_POSTGRES_HOST: c.host,
    FERRY_STORE_POSTGRES_PORT: String(c.port),
    FERRY_STORE_POSTGRES_USER: c.user,
    FERRY_STORE_POSTGRES_PASSWORD: c.password,
    FERRY_STORE_POSTGRES_DB_NAME: c.dbName,
  };
}

function migrate(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [ferryCpBin, 'migrate', 'up'], { env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => res({ code, out }));
  });
}

async function put(cp: RunningCp, path: string, body: unknown) {
  const res = await fetch(cp.apiUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function get(cp: RunningCp, path: string) {
  const res = await fetch(cp.apiUrl + path);
  return { status: res.status, json: await res.json() };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const value = await fn();
    if (value !== undefined) return { value, ms: Date.now() - start };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

const gateway = (name: string, address: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address, gateway: { type: 'DELEGATED', tags: { 'kuma.io/service': 'kong' } } },
});

describe('ferry-cp on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let env: Record<string, string>;
  const running: RunningCp[] = [];

  before(async () => {
    cluster = await startPostgres();
    env = pgEnv(await createDatabase(cluster.config, 'ferry_cp'));
  });
  after(async () => {
    for (const cp of running) await cp.stop();
    await cluster.stop();
  });

  it('migrate up applies the schema once and is then a no-op', async () => {
    const first = await migrate(env);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /applied migrations: 1/);
    const second = await migrate(env);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /database is up to date/);
  });

  it('migrate up fails clearly without a reachable database', async () => {
    const res = await migrate({ ...env, FERRY_STORE_POSTGRES_PORT: '1' });
    assert.equal(res.code, 1);
    assert.match(res.out, /^Error: /m);
  });

  it('two instances share state and see each other’s writes within 1 s', async () => {
    const [a, b] = await Promise.all([startCp(env), startCp(env)]);
    running.push(a, b);
    const meshes = await get(b, '/meshes');
    assert.deepEqual(meshes.json.items.map((m: { name: string }) => m.name), ['default'], 'exactly one default mesh');

    assert.equal((await put(a, '/meshes/default/dataplanes/kong-01', gateway('kong-01', '10.0.0.1'))).status, 201);
    const seen = await until('B sees the dataplane', async () => {
      const r = await get(b, '/meshes/default/dataplanes+insights?gateway=delegated');
      return r.json.items.length === 1 ? r.json.items[0] : undefined;
    }, 1000);
    assert.equal(seen.value.name, 'kong-01');

    // B's change feed carries A's write: its store-change metric counts it
    await until('B’s change feed reports the create', async () => {
      const text = await (await fetch(`${b.diagnosticsUrl}/metrics`)).text();
      return /ferry_store_changes_total\{type="Dataplane",op="create"\} 1/.test(text) ? true : undefined;
    }, 1000);

    // B updates, A reads the update
    assert.equal((await put(b, '/meshes/default/dataplanes/kong-01', gateway('kong-01', '10.0.0.2'))).status, 200);
    await until('A sees B’s update', async () => {
      const r = await get(a, '/meshes/default/dataplanes/kong-01');
      return r.json.networking.address === '10.0.0.2' ? true : undefined;
    }, 1000);
  });

  it('concurrent updates through both instances never lose an acknowledged write', async () => {
    const [a, b] = running;
    const bodies = Array.from({ length: 10 }, (_, i) => gateway('kong-01', `10.0.2.${i + 1}`));
    const results = await Promise.all(bodies.map((body, i) => put(i % 2 === 0 ? a : b, '/meshes/default/dataplanes/kong-01', body)));
    const statuses = results.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join(','));
    const acknowledged = bodies.filter((_, i) => statuses[i] === 200).map((x) => x.networking.address);
    const final = await get(a, '/meshes/default/dataplanes/kong-01');
    assert.ok(acknowledged.includes(final.json.networking.address));
  });

  it('a restart loses nothing that was acknowledged', async () => {
    const before = (await get(running[0], '/meshes/default/dataplanes/kong-01')).json;
    for (const cp of running.splice(0)) assert.equal(await cp.stop(), 0);
    const c = await startCp(env);
    running.push(c);
    const after = (await get(c, '/meshes/default/dataplanes/kong-01')).json;
    assert.deepEqual(after, before);
    assert.equal((await get(c, '/meshes')).json.total, 1);
  });

  it('a mesh CA is created once and survives restarts and a second instance', async () => {
    const [c] = running;
    assert.equal(
      (await put(c, '/meshes/secure', { type: 'Mesh', name: 'secure', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } })).status,
      201,
    );
    const first = await get(c, '/meshes/secure/secrets/secure.ca-builtin-cert-ca-1');
    assert.equal(first.status, 200);
    const key = await get(c, '/meshes/secure/secrets/secure.ca-builtin-key-ca-1');
    assert.equal(key.status, 200);
    for (const cp of running.splice(0)) assert.equal(await cp.stop(), 0);
    const [d, e] = await Promise.all([startCp(env), startCp(env)]);
    running.push(d, e);
    // an update of the mesh through either instance keeps the CA
    assert.equal((await put(e, '/meshes/secure', { type: 'Mesh', name: 'secure', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] }, routing: { zoneEgress: false } })).status, 200);
    assert.deepEqual((await get(d, '/meshes/secure/secrets/secure.ca-builtin-cert-ca-1')).json.data, first.json.data);
    assert.deepEqual((await get(e, '/meshes/secure/secrets/secure.ca-builtin-key-ca-1')).json.data, key.json.data);
  });

  it('FERRY_DEFAULTS_SKIP_MESH_CREATION=true starts without creating a mesh', async () => {
    const fresh = pgEnv(await createDatabase(cluster.config, 'ferry_cp_skip'));
    const cp = await startCp({ ...fresh, FERRY_DEFAULTS_SKIP_MESH_CREATION: 'true' });
    running.push(cp);
    assert.equal((await get(cp, '/meshes')).json.total, 0);
  });
});
