import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubeConfig,
  type V1Service,
} from '@kubernetes/client-node';
import { FakeApiServer } from './fake-apiserver.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';

function service(name: string, namespace: string, extra: Partial<V1Service['metadata']> = {}): V1Service {
  return { metadata: { name, namespace, ...extra }, spec: { ports: [{ port: 80 }] } };
}

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, body };
  }
  assert.fail('expected the request to fail');
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Received {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string };
}

/** Opens a raw watch and collects its events until `done`. */
async function openWatch(kc: KubeConfig, path: string, query: Record<string, string>) {
  const events: Received[] = [];
  let ended = false;
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    () => {
      ended = true;
    },
  );
  return { events, ended: () => ended, stop: () => controller.abort() };
}

describe('fake apiserver', () => {
  let fake: FakeApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    fake = await FakeApiServer.start({ bookmarkIntervalMs: 60_000 });
    kc = createKubeConfig({ server: fake.url });
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'default' } } });
  });
  after(() => fake.close());

  test('create fills server metadata and a second create is 409 AlreadyExists', async () => {
    const created = await core.createNamespacedService({ namespace: 'default', body: service('web', 'default') });
    assert.equal(created.metadata?.namespace, 'default');
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(Number(created.metadata?.resourceVersion) > 0);
    assert.equal(created.kind, 'Service');
    assert.equal(created.apiVersion, 'v1');

    const { code, body } = await apiError(core.createNamespacedService({ namespace: 'default', body: service('web', 'default') }));
    assert.equal(code, 409);
    assert.deepEqual(body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'services "web" already exists',
      reason: 'AlreadyExists',
      details: { name: 'web', kind: 'services' },
      code: 409,
    });
  });

  test('get of a missing object is 404 NotFound with a Status body', async () => {
    const { code, body } = await apiError(core.readNamespacedService({ name: 'nope', namespace: 'default' }));
    assert.equal(code, 404);
    assert.equal(body.reason, 'NotFound');
    assert.equal(body.message, 'services "nope" not found');
  });

  test('creating into a missing namespace is 404 for the namespace', async () => {
    const { code, body } = await apiError(core.createNamespacedService({ namespace: 'ghost', body: service('a', 'ghost') }));
    assert.equal(code, 404);
    assert.equal(body.message, 'namespaces "ghost" not found');
  });

  test('list carries the current resourceVersion and honours namespace and label selectors', async () => {
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    await core.createNamespacedService({ namespace: 'other', body: service('lbl', 'other', { labels: { app: 'x' } }) });
    const all = await core.listServiceForAllNamespaces();
    assert.equal(all.metadata?.resourceVersion, fake.resourceVersion);
    assert.ok(all.items.some((s) => s.metadata?.name === 'lbl'));
    const inDefault = await core.listNamespacedService({ namespace: 'default' });
    assert.ok(inDefault.items.every((s) => s.metadata?.namespace === 'default'));
    const selected = await core.listServiceForAllNamespaces({ labelSelector: 'app=x' });
    assert.deepEqual(selected.items.map((s) => s.metadata?.name), ['lbl']);
  });

  test('update with a stale resourceVersion is 409 Conflict; a current one bumps it; a no-op keeps it', async () => {
    const svc = await core.createNamespacedService({ namespace: 'default', body: service('upd', 'default') });
    const stale = structuredClone(svc);
    svc.metadata!.labels = { v: '1' };
    const updated = await core.replaceNamespacedService({ name: 'upd', namespace: 'default', body: svc });
    assert.ok(Number(updated.metadata?.resourceVersion) > Number(stale.metadata?.resourceVersion));
    assert.equal(updated.metadata?.uid, stale.metadata?.uid);

    stale.metadata!.labels = { v: '2' };
    const { code, body } = await apiError(core.replaceNamespacedService({ name: 'upd', namespace: 'default', body: stale }));
    assert.equal(code, 409);
    assert.equal(body.reason, 'Conflict');
    assert.equal(
      body.message,
      'Operation cannot be fulfilled on services "upd": the object has been modified; please apply your changes to the latest version and try again',
    );

    const again = await core.replaceNamespacedService({ name: 'upd', namespace: 'default', body: updated });
    assert.equal(again.metadata?.resourceVersion, updated.metadata?.resourceVersion);
  });

  test('merge patch and JSON patch', async () => {
    await core.createNamespacedService({
      namespace: 'default',
      body: service('pat', 'default', { annotations: { keep: 'yes', drop: 'me' } }),
    });
    const merged = await core.patchNamespacedService(
      { name: 'pat', namespace: 'default', body: { metadata: { annotations: { added: 'v', drop: null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.metadata?.annotations, { keep: 'yes', added: 'v' });

    const patched = await core.patchNamespacedService(
      {
        name: 'pat',
        namespace: 'default',
        body: [
          { op: 'test', path: '/metadata/annotations/keep', value: 'yes' },
          { op: 'add', path: '/metadata/annotations/a~1b', value: 'slash' },
          { op: 'remove', path: '/metadata/annotations/added' },
          { op: 'replace', path: '/spec/ports/0/port', value: 8080 },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.deepEqual(patched.metadata?.annotations, { keep: 'yes', 'a/b': 'slash' });
    assert.equal(patched.spec?.ports?.[0].port, 8080);

    const failed = await apiError(
      core.patchNamespacedService(
        { name: 'pat', namespace: 'default', body: [{ op: 'test', path: '/metadata/annotations/keep', value: 'no' }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    assert.equal(failed.code, 422);

    const conflict = await apiError(
      core.patchNamespacedService(
        { name: 'pat', namespace: 'default', body: { metadata: { resourceVersion: '1', labels: { x: 'y' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(conflict.code, 409);
  });

  test('delete returns the object and it is gone afterwards', async () => {
    await core.createNamespacedService({ namespace: 'default', body: service('del', 'default') });
    await core.deleteNamespacedService({ name: 'del', namespace: 'default' });
    assert.equal(fake.get('services', 'default', 'del'), undefined);
    const { code } = await apiError(core.deleteNamespacedService({ name: 'del', namespace: 'default' }));
    assert.equal(code, 404);
  });

  test('watch from a resourceVersion streams only later events, scoped to the namespace', async () => {
    const from = fake.resourceVersion;
    const w = await openWatch(kc, '/api/v1/namespaces/default/services', { resourceVersion: from });
    fake.create('services', service('w1', 'default'));
    fake.create('services', service('elsewhere', 'other'));
    fake.patch('services', 'default', 'w1', { metadata: { labels: { a: 'b' } } });
    fake.delete('services', 'default', 'w1');
    await until(() => w.events.length >= 3, 'three events');
    w.stop();
    assert.deepEqual(
      w.events.map((e) => `${e.type}:${e.object.metadata?.name}`),
      ['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1'],
    );
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.ok(rvs[0] > Number(from) && rvs[0] < rvs[1] && rvs[1] < rvs[2]);
  });

  test('a watch resumed from an old resourceVersion replays the missed events', async () => {
    const from = fake.resourceVersion;
    fake.create('services', service('missed', 'default'));
    const w = await openWatch(kc, '/api/v1/services', { resourceVersion: from });
    await until(() => w.events.length >= 1, 'replayed event');
    w.stop();
    assert.equal(`${w.events[0].type}:${w.events[0].object.metadata?.name}`, 'ADDED:missed');
  });

  test('bookmarks are sent only when asked for', async () => {
    const withBookmarks = await openWatch(kc, '/api/v1/services', {
      resourceVersion: fake.resourceVersion,
      allowWatchBookmarks: 'true',
    });
    const without = await openWatch(kc, '/api/v1/services', { resourceVersion: fake.resourceVersion });
    fake.bookmark();
    await until(() => withBookmarks.events.length >= 1, 'bookmark');
    await new Promise((r) => setTimeout(r, 50));
    withBookmarks.stop();
    without.stop();
    assert.equal(withBookmarks.events[0].type, 'BOOKMARK');
    assert.equal(withBookmarks.events[0].object.metadata?.resourceVersion, fake.resourceVersion);
    assert.deepEqual(without.events, []);
  });

  test('a too-old resourceVersion gets a 410 Expired error event and the stream ends', async () => {
    const old = fake.resourceVersion;
    fake.create('services', service('after-old', 'default'));
    fake.compact();
    const w = await openWatch(kc, '/api/v1/services', { resourceVersion: old });
    await until(() => w.ended(), 'stream end');
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
  });

  test('an informer lists, follows changes, and re-lists after 410', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    fake.create('services', service('a', 'inf'));
    const informer = makeInformer(kc, '/api/v1/namespaces/inf/services', () => core.listNamespacedService({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (s) => seen.push(`add:${s.metadata?.name}`));
    informer.on('update', (s) => seen.push(`update:${s.metadata?.name}`));
    informer.on('delete', (s) => seen.push(`delete:${s.metadata?.name}`));
    await informer.start();
    try {
      fake.create('services', service('b', 'inf'));
      fake.patch('services', 'inf', 'a', { metadata: { labels: { x: '1' } } });
      fake.delete('services', 'inf', 'b');
      await until(() => seen.length >= 4, 'four informer events');
      assert.deepEqual(seen, ['add:a', 'add:b', 'update:a', 'delete:b']);

      // Drop the stream and the history: the informer must re-list to see what changed meanwhile.
      fake.compact();
      fake.closeWatches();
      fake.create('services', service('c', 'inf'));
      fake.compact();
      await until(() => informer.list().some((s) => s.metadata?.name === 'c'), 'informer to re-list');
      assert.deepEqual(informer.list().map((s) => s.metadata?.name).sort(), ['a', 'c']);
      const lists = fake.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/inf/services');
      assert.ok(lists.length >= 3, 'list, watch, then re-list');
    } finally {
      await informer.stop();
    }
  });

  test('deleting a namespace deletes its objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    fake.create('services', service('s', 'doomed'));
    await core.deleteNamespace({ name: 'doomed' });
    assert.deepEqual(fake.list('services', 'doomed'), []);
  });

  test('deleting an owner deletes its dependents in cascade; co-owned dependents only lose the reference', async () => {
    await core.createNamespace({ body: { metadata: { name: 'gc' } } });
    const ownedBy = (...owners: { metadata: { name: string; uid?: string } }[]) =>
      owners.map((o) => ({ apiVersion: 'v1', kind: 'Pod', name: o.metadata.name, uid: o.metadata.uid }));
    const root = fake.create('pods', { metadata: { name: 'root', namespace: 'gc' } });
    const other = fake.create('pods', { metadata: { name: 'other', namespace: 'gc' } });
    const child = fake.create('services', { metadata: { name: 'child', namespace: 'gc', ownerReferences: ownedBy(root) } });
    fake.create('services', { metadata: { name: 'grandchild', namespace: 'gc', ownerReferences: ownedBy(child) } });
    fake.create('services', { metadata: { name: 'shared', namespace: 'gc', ownerReferences: ownedBy(root, other) } });
    fake.create('services', { metadata: { name: 'unrelated', namespace: 'gc', ownerReferences: ownedBy(other) } });

    const watch = await openWatch(kc, '/api/v1/namespaces/gc/services', { resourceVersion: fake.resourceVersion });
    try {
      await core.deleteNamespacedPod({ name: 'root', namespace: 'gc' });
      assert.deepEqual(fake.list('services', 'gc').map((s) => s.metadata.name), ['shared', 'unrelated']);
      assert.deepEqual(fake.get('services', 'gc', 'shared')?.metadata.ownerReferences, ownedBy(other));
      await until(() => watch.events.length >= 3, 'the cascade to be watched');
      assert.deepEqual(
        watch.events.map((e) => `${e.type} ${e.object.metadata?.name}`).sort(),
        ['DELETED child', 'DELETED grandchild', 'MODIFIED shared'],
      );
    } finally {
      watch.stop();
    }
  });
});
