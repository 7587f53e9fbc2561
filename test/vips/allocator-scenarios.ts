/** Allocator behaviour every store backend must give; run by the memory and PostgreSQL test files. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../src/core/resource.js';
import { CONFIG_TYPE } from '../../src/resources/config.js';
import type { CreateRequest, ResourceStore, UpdateRequest } from '../../src/store/store.js';
import { VipAllocator, VipExhaustedError, type VipTable } from '../../src/vips/index.js';
import { vipConfigName } from '../../src/vips/vip-config.js';

export interface Backend {
  /** Two handles on one backend, as two control planes would have. */
  store: ResourceStore;
  peer: ResourceStore;
  cleanup(): Promise<void>;
}

const MESH = 'default';

async function createMesh(store: ResourceStore, name = MESH): Promise<void> {
  await store.create('Mesh', { mesh: '', name, spec: {} });
}

async function addDataplane(store: ResourceStore, name: string, inbound: Record<string, unknown>[], mesh = MESH): Promise<void> {
  await store.create('Dataplane', { mesh, name, spec: { networking: { address: '10.0.0.1', inbound } } });
}

function inboundOf(service: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { port: 8080, tags: { 'kuma.io/service': service }, ...extra };
}

async function addService(store: ResourceStore, service: string, mesh = MESH): Promise<void> {
  await addDataplane(store, `${service}-dp`, [inboundOf(service)], mesh);
}

async function removeService(store: ResourceStore, service: string, mesh = MESH): Promise<void> {
  await store.delete('Dataplane', { mesh, name: `${service}-dp` });
}

function asObject(table: VipTable): Record<string, string> {
  return Object.fromEntries([...table].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function assertUnique(table: VipTable): void {
  const addresses = [...table.values()];
  assert.equal(new Set(addresses).size, addresses.length, `duplicate VIPs in ${JSON.stringify(asObject(table))}`);
}

async function storedConfig(store: ResourceStore, mesh = MESH): Promise<Resource | undefined> {
  return store.get(CONFIG_TYPE, { mesh: '', name: vipConfigName(mesh) });
}

/** Wraps a store so a test can hold this handle's VIP-table writes until it says go. */
class GatedStore implements ResourceStore {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** Resolves when a write reached the gate. */
  blocked!: Promise<void>;
  private signalBlocked: (() => void) | undefined;
  conflicts = 0;

  constructor(private readonly inner: ResourceStore) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
    this.blocked = new Promise((resolve) => (this.signalBlocked = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  private async pass(type: string): Promise<void> {
    if (type !== CONFIG_TYPE || !this.gate) return;
    this.signalBlocked?.();
    await this.gate;
  }

  get: ResourceStore['get'] = (type, key) => this.inner.get(type, key);
  list: ResourceStore['list'] = (type, req) => this.inner.list(type, req);
  async create(type: string, req: CreateRequest): Promise<Resource> {
    await this.pass(type);
    try {
      return await this.inner.create(type, req);
    } catch (err) {
      this.conflicts++;
      throw err;
    }
  }
  async update(type: string, req: UpdateRequest): Promise<Resource> {
    await this.pass(type);
    try {
      return await this.inner.update(type, req);
    } catch (err) {
      this.conflicts++;
      throw err;
    }
  }
  delete: ResourceStore['delete'] = (type, key, version) => this.inner.delete(type, key, version);
  watch: ResourceStore['watch'] = (listener) => this.inner.watch(listener);
  close: ResourceStore['close'] = () => this.inner.close();
}

export function runAllocatorScenarios(name: string, open: () => Promise<Backend>): void {
  describe(`VipAllocator (${name})`, () => {
    async function withBackend(fn: (b: Backend) => Promise<void>): Promise<void> {
      const backend = await open();
      try {
        await fn(backend);
      } finally {
        await backend.cleanup();
      }
    }

    it('allocates from the start of the pool in service-name order', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        for (const service of ['web', 'backend', 'db']) await addService(store, service);
        const table = await new VipAllocator(store).refresh(MESH);
        assert.deepEqual(asObject(table), { backend: '240.0.0.0', db: '240.0.0.1', web: '240.0.0.2' });
      }));

    it('takes only real, non-Ignored inbounds; gateways and other meshes add nothing', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        await createMesh(store, 'other');
        await addDataplane(store, 'multi', [
          inboundOf('backend'),
          inboundOf('ignored', { state: 'Ignored' }),
          inboundOf('reserved', { port: 49151 }),
          inboundOf('not-ready', { state: 'NotReady' }),
          { port: 9090, tags: { version: 'v1' } },
        ]);
        await store.create('Dataplane', {
          mesh: MESH,
          name: 'gw',
          spec: { networking: { address: '10.0.0.2', gateway: { type: 'DELEGATED', tags: { 'kuma.io/service': 'edge' } } } },
        });
        await addService(store, 'elsewhere', 'other');
        const table = await new VipAllocator(store).refresh(MESH);
        assert.deepEqual(asObject(table), { backend: '240.0.0.0', 'not-ready': '240.0.0.1' });
      }));

    it('persists Kuma’s JSON under kuma-<mesh>-dns-vips and get() reads it back', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        await addService(store, 'backend');
        const allocator = new VipAllocator(store);
        await allocator.refresh(MESH);
        const config = await storedConfig(store);
        assert.ok(config, 'table not stored');
        assert.equal(config.meta.mesh, '');
        assert.deepEqual(JSON.parse(config.spec.config as string), {
          '0:backend': { address: '240.0.0.0', outbounds: [{ Port: 0, TagSet: { 'kuma.io/service': 'backend' }, Origin: 'service' }] },
        });
        assert.deepEqual(asObject(await allocator.get(MESH)), { backend: '240.0.0.0' });
        assert.deepEqual(asObject(await allocator.get('nowhere')), {});
      }));

    it('keeps addresses across a restart and does not rewrite an unchanged table', () =>
      withBackend(async ({ store, peer }) => {
        await createMesh(store);
        for (const service of ['b', 'c']) await addService(store, service);
        await new VipAllocator(store).refresh(MESH);
        const before = await storedConfig(store);
        await addService(store, 'a');
        // a new instance on the other handle: 'a' sorts first but must not displace the others
        const table = await new VipAllocator(peer).refresh(MESH);
        assert.deepEqual(asObject(table), { a: '240.0.0.2', b: '240.0.0.0', c: '240.0.0.1' });
        const after = await storedConfig(store);
        assert.notEqual(after?.meta.version, before?.meta.version);
        await new VipAllocator(store).refresh(MESH);
        assert.equal((await storedConfig(store))?.meta.version, after?.meta.version);
      }));

    it('releases the address of a vanished service and reuses it', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        for (const service of ['a', 'b', 'c']) await addService(store, service);
        const allocator = new VipAllocator(store);
        await allocator.refresh(MESH);
        await removeService(store, 'b');
        assert.deepEqual(asObject(await allocator.refresh(MESH)), { a: '240.0.0.0', c: '240.0.0.2' });
        assert.deepEqual([...(await allocator.get(MESH)).keys()].sort(), ['a', 'c']);
        await addService(store, 'd');
        assert.deepEqual(asObject(await allocator.refresh(MESH)), { a: '240.0.0.0', c: '240.0.0.2', d: '240.0.0.1' });
      }));

    it('reallocates addresses outside a changed pool and honours a custom CIDR', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        for (const service of ['a', 'b']) await addService(store, service);
        await new VipAllocator(store).refresh(MESH);
        const table = await new VipAllocator(store, { cidr: '10.1.2.0/24' }).refresh(MESH);
        assert.deepEqual(asObject(table), { a: '10.1.2.0', b: '10.1.2.1' });
      }));

    it('reports exhaustion, saving the addresses that fit; freed room is used next time', () =>
      withBackend(async ({ store }) => {
        await createMesh(store);
        for (const service of ['a', 'b', 'c']) await addService(store, service);
        const allocator = new VipAllocator(store, { cidr: '192.168.0.0/31' });
        const err = await allocator.refresh(MESH).then(
          () => assert.fail('expected exhaustion'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof VipExhaustedError, String(err));
        assert.deepEqual(err.services, ['c']);
        assert.deepEqual(asObject(err.table), { a: '192.168.0.0', b: '192.168.0.1' });
        assert.deepEqual(asObject(await allocator.get(MESH)), { a: '192.168.0.0', b: '192.168.0.1' });
        await removeService(store, 'a');
        assert.deepEqual(asObject(await allocator.refresh(MESH)), { b: '192.168.0.1', c: '192.168.0.0' });
      }));

    it('drops the table of a deleted mesh (refresh and removeOrphans)', () =>
      withBackend(async ({ store }) => {
        for (const mesh of [MESH, 'other']) {
          await createMesh(store, mesh);
          await addService(store, 'backend', mesh);
        }
        const allocator = new VipAllocator(store);
        await allocator.refresh(MESH);
        await allocator.refresh('other');
        await store.delete('Mesh', { mesh: '', name: MESH });
        assert.deepEqual(asObject(await allocator.refresh(MESH)), {});
        assert.equal(await storedConfig(store), undefined);

        await store.delete('Mesh', { mesh: '', name: 'other' });
        await createMesh(store, 'kept');
        await addService(store, 'x', 'kept');
        await allocator.refresh('kept');
        assert.deepEqual(await allocator.removeOrphans(), ['other']);
        assert.equal(await storedConfig(store, 'other'), undefined);
        assert.ok(await storedConfig(store, 'kept'));
      }));

    for (const path of ['create', 'update'] as const) {
      it(`a control plane that loses the ${path} race adopts the winner’s addresses`, () =>
        withBackend(async ({ store, peer }) => {
          await createMesh(store);
          if (path === 'update') {
            await addService(store, 'seed');
            await new VipAllocator(store).refresh(MESH);
            await removeService(store, 'seed');
          }
          await addService(store, 'svc-9');
          const slow = new GatedStore(store);
          const a = new VipAllocator(slow);
          const b = new VipAllocator(peer);
          slow.hold();
          const aResult = a.refresh(MESH);
          await slow.blocked; // A computed its table and waits to write it
          await addService(store, 'svc-8');
          const bTable = await b.refresh(MESH);
          slow.release();
          const aTable = await aResult;
          assert.ok(slow.conflicts > 0, 'A never hit the conflict');
          assert.deepEqual(asObject(aTable), asObject(bTable));
          assert.deepEqual(asObject(await a.get(MESH)), asObject(bTable));
          assertUnique(aTable);
        }));
    }

    it('two control planes refreshing concurrently converge without duplicates', () =>
      withBackend(async ({ store, peer }) => {
        await createMesh(store);
        const a = new VipAllocator(store);
        const b = new VipAllocator(peer);
        /** Every address a service was ever given; it must never change while the service lives. */
        const seen = new Map<string, string>();
        const live = new Set<string>();
        const record = (table: VipTable) => {
          assertUnique(table);
          for (const [service, address] of table) {
            if (!live.has(service)) continue;
            const earlier = seen.get(service);
            if (earlier !== undefined) assert.equal(address, earlier, `${service} moved from ${earlier} to ${address}`);
            seen.set(service, address);
          }
        };
        for (let round = 0; round < 25; round++) {
          const service = `svc-${String(99 - round).padStart(2, '0')}`;
          await addService(store, service);
          live.add(service);
          if (round % 4 === 3) {
            const gone = [...live][0]!;
            await removeService(store, gone);
            live.delete(gone);
            seen.delete(gone);
          }
          const tables = await Promise.all([a.refresh(MESH), b.refresh(MESH), a.refresh(MESH), b.refresh(MESH)]);
          tables.forEach(record);
        }
        const [finalA, finalB] = await Promise.all([a.refresh(MESH), b.refresh(MESH)]);
        assert.deepEqual(asObject(finalA), asObject(finalB));
        assert.deepEqual([...finalA.keys()].sort(), [...live].sort());
        assertUnique(finalA);
      }));
  });
}
