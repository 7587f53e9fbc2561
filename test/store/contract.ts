/** Behaviour every ResourceStore must have. Each backend's test file runs this suite. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeEvent, ResourceStore } from '../../src/store/store.js';
import { AlreadyExistsError, ConflictError } from '../../src/store/store.js';

export interface StoreFixture {
  store: ResourceStore;
  /** A second handle on the same backend, when the backend can be shared (another CP instance). */
  peer?: ResourceStore;
  cleanup(): Promise<void>;
  /** Where a backend legitimately differs; everything defaults to the in-memory behaviour. */
  traits?: BackendTraits;
}

export interface BackendTraits {
  /** The backend sets creation times itself and ignores a given one (Kubernetes' creationTimestamp). */
  serverAssignedCreationTime?: boolean;
  /** Names of mesh-scoped resources are unique across meshes (Kubernetes: one namespace holds every mesh's objects). */
  namesUniqueAcrossMeshes?: boolean;
  /** Labels the backend adds when reading a resource of this name (Kubernetes: `kuma.io/display-name`). */
  readLabels?: (name: string) => Record<string, string>;
}

function waitForEvents(store: ResourceStore, count: number, match: (e: ChangeEvent) => boolean, timeoutMs = 3000) {
  const seen: ChangeEvent[] = [];
  let stop = () => {};
  const done = new Promise<ChangeEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`saw ${seen.length} of ${count} events: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    stop = store.watch((e) => {
      if (!match(e)) return;
      seen.push(e);
      if (seen.length >= count) {
        clearTimeout(timer);
        stop();
        resolve(seen);
      }
    });
  });
  return done;
}

export function runStoreContract(backend: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`store contract: ${backend}`, () => {
    let fx: StoreFixture;
    let store: ResourceStore;
    let n = 0;
    const unique = (p: string) => `${p}-${++n}`;
    /** The name a second mesh's resource gets where a first mesh already has `name`. */
    const inSecondMesh = (name: string) => (fx.traits?.namesUniqueAcrossMeshes ? `${name}-2` : name);

    before(async () => {
      fx = await makeFixture();
      store = fx.store;
    });
    after(async () => {
      await fx.cleanup();
    });

    it('creates and gets a resource with its meta', async () => {
      const mesh = unique('m');
      const before = Date.now();
      const created = await store.create('Dataplane', {
        mesh,
        name: 'dp-1',
        labels: { team: 'a' },
        spec: { networking: { address: '10.0.0.1' } },
      });
      assert.equal(created.meta.name, 'dp-1');
      assert.equal(created.meta.mesh, mesh);
      assert.ok(created.meta.version.length > 0);
      assert.ok(created.meta.creationTime.getTime() >= before - 1000);
      assert.equal(created.meta.creationTime.getTime(), created.meta.modificationTime.getTime());
      const got = await store.get('Dataplane', { mesh, name: 'dp-1' });
      assert.ok(got);
      assert.deepEqual(got.spec, { networking: { address: '10.0.0.1' } });
      assert.deepEqual(got.meta.labels, { team: 'a', ...fx.traits?.readLabels?.('dp-1') });
      assert.equal(got.meta.version, created.meta.version);
      assert.equal(await store.get('Dataplane', { mesh, name: 'nope' }), undefined);
      assert.equal(await store.get('Mesh', { mesh, name: 'dp-1' }), undefined, 'type is part of the key');
    });

    it('keeps a given creation time', async () => {
      const mesh = unique('m');
      const t = new Date('2018-07-17T16:05:36.995Z');
      const before = Date.now();
      await store.create('Dataplane', { mesh, name: 'old', spec: {}, creationTime: t });
      const got = await store.get('Dataplane', { mesh, name: 'old' });
      if (fx.traits?.serverAssignedCreationTime) {
        // whole seconds, as Kubernetes keeps them
        assert.ok(got!.meta.creationTime.getTime() >= before - 1000, got!.meta.creationTime.toISOString());
        assert.equal(got!.meta.modificationTime.getTime(), got!.meta.creationTime.getTime());
        return;
      }
      assert.equal(got!.meta.creationTime.toISOString(), t.toISOString());
      assert.equal(got!.meta.modificationTime.toISOString(), t.toISOString());
    });

    it('rejects a duplicate create', async () => {
      const mesh = unique('m');
      await store.create('Dataplane', { mesh, name: 'dup', spec: {} });
      await assert.rejects(store.create('Dataplane', { mesh, name: 'dup', spec: { x: 1 } }), AlreadyExistsError);
      assert.deepEqual((await store.get('Dataplane', { mesh, name: 'dup' }))!.spec, {});
    });

    it('updates with the current version and bumps version and modificationTime', async () => {
      const mesh = unique('m');
      const c = await store.create('Dataplane', { mesh, name: 'u', spec: { a: 1 } });
      await new Promise((r) => setTimeout(r, 5));
      const u = await store.update('Dataplane', { mesh, name: 'u', version: c.meta.version, spec: { a: 2 }, labels: { l: 'v' } });
      assert.notEqual(u.meta.version, c.meta.version);
      assert.equal(u.meta.creationTime.getTime(), c.meta.creationTime.getTime());
      assert.ok(u.meta.modificationTime.getTime() > c.meta.modificationTime.getTime());
      const got = await store.get('Dataplane', { mesh, name: 'u' });
      assert.deepEqual(got!.spec, { a: 2 });
      assert.deepEqual(got!.meta.labels, { l: 'v', ...fx.traits?.readLabels?.('u') });
    });

    it('refuses a stale version and loses no update', async () => {
      const mesh = unique('m');
      const c = await store.create('Dataplane', { mesh, name: 's', spec: { a: 1 } });
      await store.update('Dataplane', { mesh, name: 's', version: c.meta.version, spec: { a: 2 } });
      await assert.rejects(store.update('Dataplane', { mesh, name: 's', version: c.meta.version, spec: { a: 3 } }), ConflictError);
      assert.deepEqual((await store.get('Dataplane', { mesh, name: 's' }))!.spec, { a: 2 });
    });

    it('lets exactly one of many concurrent updates win', async () => {
      const mesh = unique('m');
      const c = await store.create('Dataplane', { mesh, name: 'race', spec: { winner: -1 } });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.update('Dataplane', { mesh, name: 'race', version: c.meta.version, spec: { winner: i } })),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(ok.length, 1);
      assert.equal(failed.length, 7);
      for (const f of failed) assert.ok(f.reason instanceof ConflictError, String(f.reason));
      const winner = (ok[0] as PromiseFulfilledResult<{ spec: Record<string, unknown> }>).value.spec.winner;
      assert.deepEqual((await store.get('Dataplane', { mesh, name: 'race' }))!.spec, { winner });
    });

    it('refuses to update a missing resource', async () => {
      await assert.rejects(store.update('Dataplane', { mesh: unique('m'), name: 'ghost', version: '1', spec: {} }), ConflictError);
    });

    it('deletes, and refuses a delete with a stale version', async () => {
      const mesh = unique('m');
      const c = await store.create('Dataplane', { mesh, name: 'd', spec: {} });
      await store.update('Dataplane', { mesh, name: 'd', version: c.meta.version, spec: { b: 1 } });
      await assert.rejects(store.delete('Dataplane', { mesh, name: 'd' }, c.meta.version), ConflictError);
      assert.ok(await store.get('Dataplane', { mesh, name: 'd' }));
      await store.delete('Dataplane', { mesh, name: 'd' });
      assert.equal(await store.get('Dataplane', { mesh, name: 'd' }), undefined);
    });

    it('lists per mesh, sorted by name, with name and label filters', async () => {
      const m1 = unique('m');
      const m2 = unique('m');
      for (const name of ['c', 'a', 'b']) await store.create('Dataplane', { mesh: m1, name, labels: { k: name === 'b' ? 'x' : 'y' }, spec: {} });
      const a2 = inSecondMesh('a');
      await store.create('Dataplane', { mesh: m2, name: a2, spec: {} });
      const l1 = await store.list('Dataplane', { mesh: m1 });
      assert.deepEqual(l1.items.map((r) => r.meta.name), ['a', 'b', 'c']);
      assert.equal(l1.total, 3);
      assert.equal(l1.nextOffset, undefined);
      const both = await store.list('Dataplane', { predicate: (r) => r.meta.mesh === m1 || r.meta.mesh === m2 });
      const [lo, hi] = m1 < m2 ? [m1, m2] : [m2, m1];
      const firstTwo = a2 === 'a' ? [`a/${lo}`, `a/${hi}`] : [`a/${m1}`, `${a2}/${m2}`];
      assert.deepEqual(both.items.map((r) => `${r.meta.name}/${r.meta.mesh}`), [...firstTwo, `b/${m1}`, `c/${m1}`]);
      assert.deepEqual((await store.list('Dataplane', { mesh: m1, labels: { k: 'x' } })).items.map((r) => r.meta.name), ['b']);
      assert.deepEqual((await store.list('Dataplane', { mesh: m1, nameContains: 'c' })).items.map((r) => r.meta.name), ['c']);
    });

    it('pages with total and next offset, after the predicate', async () => {
      const mesh = unique('m');
      for (let i = 0; i < 7; i++) await store.create('Dataplane', { mesh, name: `p-${i}`, spec: { even: i % 2 === 0 } });
      const page1 = await store.list('Dataplane', { mesh, size: 3 });
      assert.deepEqual(page1.items.map((r) => r.meta.name), ['p-0', 'p-1', 'p-2']);
      assert.equal(page1.total, 7);
      assert.equal(page1.nextOffset, 3);
      const page3 = await store.list('Dataplane', { mesh, size: 3, offset: 6 });
      assert.deepEqual(page3.items.map((r) => r.meta.name), ['p-6']);
      assert.equal(page3.nextOffset, undefined);
      const evens = await store.list('Dataplane', { mesh, size: 2, offset: 2, predicate: (r) => r.spec.even === true });
      assert.equal(evens.total, 4);
      assert.deepEqual(evens.items.map((r) => r.meta.name), ['p-4', 'p-6']);
      assert.equal(evens.nextOffset, undefined);
    });

    it('deleting a mesh deletes what it owns and nothing else', async () => {
      const mesh = unique('m');
      const other = unique('m');
      await store.create('Mesh', { mesh: '', name: mesh, spec: {} });
      await store.create('Mesh', { mesh: '', name: other, spec: {} });
      await store.create('Dataplane', { mesh, name: 'x', spec: {} });
      await store.create('Secret', { mesh, name: 'y', spec: {} });
      await store.create('Dataplane', { mesh: other, name: inSecondMesh('x'), spec: {} });
      await store.create('GlobalSecret', { mesh: '', name: mesh, spec: {} });
      await store.delete('Mesh', { mesh: '', name: mesh });
      assert.equal(await store.get('Mesh', { mesh: '', name: mesh }), undefined);
      assert.equal(await store.get('Dataplane', { mesh, name: 'x' }), undefined);
      assert.equal(await store.get('Secret', { mesh, name: 'y' }), undefined);
      assert.ok(await store.get('Dataplane', { mesh: other, name: inSecondMesh('x') }));
      assert.ok(await store.get('GlobalSecret', { mesh: '', name: mesh }), 'a global resource named like the mesh survives');
    });

    it('returns copies, never shared state', async () => {
      const mesh = unique('m');
      const c = await store.create('Dataplane', { mesh, name: 'iso', spec: { nested: { v: 1 } } });
      (c.spec.nested as { v: number }).v = 99;
      const got = await store.get('Dataplane', { mesh, name: 'iso' });
      assert.deepEqual(got!.spec, { nested: { v: 1 } });
    });

    it('publishes a change feed of creates, updates and deletes', async () => {
      const mesh = unique('m');
      const events = waitForEvents(store, 3, (e) => e.mesh === mesh);
      const c = await store.create('Dataplane', { mesh, name: 'w', spec: {} });
      await store.update('Dataplane', { mesh, name: 'w', version: c.meta.version, spec: { a: 1 } });
      await store.delete('Dataplane', { mesh, name: 'w' });
      assert.deepEqual(
        (await events).map((e) => `${e.op}:${e.type}:${e.name}`),
        ['create:Dataplane:w', 'update:Dataplane:w', 'delete:Dataplane:w'],
      );
    });

    it('a mesh delete publishes the deletion of what it owned', async () => {
      const mesh = unique('m');
      await store.create('Mesh', { mesh: '', name: mesh, spec: {} });
      await store.create('Dataplane', { mesh, name: 'owned', spec: {} });
      const events = waitForEvents(store, 2, (e) => e.op === 'delete' && (e.mesh === mesh || e.name === mesh));
      await store.delete('Mesh', { mesh: '', name: mesh });
      const seen = (await events).map((e) => `${e.type}:${e.name}`).sort();
      assert.deepEqual(seen, ['Dataplane:owned', `Mesh:${mesh}`]);
    });

    it('a second instance on the same backend sees writes and their events', { skip: false }, async (t) => {
      if (!fx.peer) {
        t.skip('backend cannot be shared');
        return;
      }
      const peer = fx.peer;
      const mesh = unique('m');
      const events = waitForEvents(peer, 1, (e) => e.mesh === mesh, 1000);
      await store.create('Dataplane', { mesh, name: 'shared', spec: { v: 1 } });
      assert.deepEqual((await events).map((e) => e.op), ['create']);
      const seen = await peer.get('Dataplane', { mesh, name: 'shared' });
      assert.deepEqual(seen!.spec, { v: 1 });
      // and the peer's stale write conflicts with ours
      await store.update('Dataplane', { mesh, name: 'shared', version: seen!.meta.version, spec: { v: 2 } });
      await assert.rejects(peer.update('Dataplane', { mesh, name: 'shared', version: seen!.meta.version, spec: { v: 3 } }), ConflictError);
    });
  });
}
