import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, statusReply, type KubeObjectInput, type ResourceType } from './fake-apiserver.js';
import { runStoreContract } from '../store/contract.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import { customResourceKinds, KUMA_GROUP, KUMA_VERSION } from '../../src/k8s/kinds.js';
import type { ControllerLogger } from '../../src/k8s/service-controller.js';
import { MODIFICATION_TIME_ANNOTATION, NAME_ANNOTATION, openKubernetesStore, type KubernetesStore } from '../../src/k8s/store/index.js';
import { ConflictError, type ChangeEvent } from '../../src/store/store.js';

const SYSTEM_NAMESPACE = 'kuma-system';

const RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  ...customResourceKinds().map((k) => ({ group: KUMA_GROUP, version: KUMA_VERSION, plural: k.plural, kind: k.kind, namespaced: k.namespaced })),
];

const silent: ControllerLogger = { info: () => {}, debug: () => {}, error: () => {} };

async function startFake(...namespaces: string[]): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start({ resources: RESOURCES });
  for (const name of [SYSTEM_NAMESPACE, ...namespaces]) fake.create('namespaces', { metadata: { name } });
  return fake;
}

async function openStore(fake: FakeApiServer): Promise<KubernetesStore> {
  const store = await openKubernetesStore(createKubeConfig({ server: fake.url }), {
    systemNamespace: SYSTEM_NAMESPACE,
    logger: silent,
    retryBaseMs: 10,
    retryMaxMs: 50,
  });
  await store.synced;
  return store;
}

function nextEvents(store: KubernetesStore, count: number, match: (e: ChangeEvent) => boolean, timeoutMs = 3000): Promise<ChangeEvent[]> {
  const seen: ChangeEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`saw ${seen.length} of ${count} events: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const stop = store.watch((e) => {
      if (!match(e)) return;
      seen.push(e);
      if (seen.length < count) return;
      clearTimeout(timer);
      stop();
      resolve(seen);
    });
  });
}

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const base64 = (s: string) => Buffer.from(s).toString('base64');

/** An object as kubectl would apply it. */
const manifest = (obj: { metadata: object; [field: string]: unknown }): KubeObjectInput => obj;

runStoreContract('kubernetes', async () => {
  const fake = await startFake();
  const store = await openStore(fake);
  // a second control-plane instance on the same cluster
  const peer = await openStore(fake);
  return {
    store,
    peer,
    traits: { serverAssignedCreationTime: true, namesUniqueAcrossMeshes: true, readLabels: (name) => ({ 'kuma.io/display-name': name }) },
    cleanup: async () => {
      await store.close();
      await peer.close();
      await fake.close();
    },
  };
});

describe('kubernetes store: objects as Kuma writes them', () => {
  let fake: FakeApiServer;
  let store: KubernetesStore;

  before(async () => {
    fake = await startFake('kuma-demo');
    store = await openStore(fake);
  });
  after(async () => {
    await store.close();
    await fake.close();
  });

  it('writes a Mesh as a cluster-scoped object without a mesh field', async () => {
    await store.create('Mesh', { mesh: '', name: 'demo', labels: { team: 'a' }, spec: { metrics: { enabledBackend: 'prom' } } });
    const obj = fake.get('meshes', undefined, 'demo')!;
    assert.equal(obj.apiVersion, 'kuma.io/v1alpha1');
    assert.equal(obj.kind, 'Mesh');
    assert.equal('mesh' in obj, false);
    assert.equal(obj.metadata.namespace, undefined);
    assert.deepEqual(obj.metadata.labels, { team: 'a' });
    assert.deepEqual(obj.spec, { metrics: { enabledBackend: 'prom' } });
  });

  it('writes a Dataplane into the namespace after the last dot, with a top-level mesh', async () => {
    const spec = { networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };
    const created = await store.create('Dataplane', { mesh: 'demo', name: 'web-1.kuma-demo', labels: { app: 'web' }, spec });
    assert.equal(created.meta.name, 'web-1.kuma-demo');
    const obj = fake.get('dataplanes', 'kuma-demo', 'web-1')!;
    assert.equal(obj.apiVersion, 'kuma.io/v1alpha1');
    assert.equal(obj.kind, 'Dataplane');
    assert.equal(obj.mesh, 'demo');
    assert.deepEqual(obj.spec, spec);
    assert.deepEqual(obj.metadata.labels, { app: 'web' });
    assert.equal(created.meta.version, obj.metadata.resourceVersion);
    assert.deepEqual(obj.metadata.ownerReferences, [
      { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', name: 'demo', uid: fake.get('meshes', undefined, 'demo')!.metadata.uid },
    ]);

    const got = await store.get('Dataplane', { mesh: 'demo', name: 'web-1.kuma-demo' });
    assert.deepEqual(got!.spec, spec);
    assert.equal(await store.get('Dataplane', { mesh: 'other', name: 'web-1.kuma-demo' }), undefined, 'the mesh is part of the key');
    const listed = await store.list('Dataplane', { mesh: 'demo' });
    assert.deepEqual(listed.items.map((r) => r.meta.name), ['web-1.kuma-demo']);
  });

  it('records the modification time in an annotation and keeps what others added', async () => {
    const c = await store.create('Dataplane', { mesh: 'demo', name: 'mod.kuma-demo', spec: {} });
    fake.patch('dataplanes', 'kuma-demo', 'mod', { metadata: { annotations: { 'example.com/keep': 'yes' } } });
    await until(async () => (await store.get('Dataplane', { mesh: 'demo', name: 'mod.kuma-demo' }))!.meta.version !== c.meta.version, 'the patch');
    const current = (await store.get('Dataplane', { mesh: 'demo', name: 'mod.kuma-demo' }))!;
    const when = new Date('2030-01-02T03:04:05.678Z');
    const u = await store.update('Dataplane', { mesh: 'demo', name: 'mod.kuma-demo', version: current.meta.version, spec: { a: 1 }, modificationTime: when });
    assert.equal(u.meta.modificationTime.toISOString(), when.toISOString());
    const obj = fake.get('dataplanes', 'kuma-demo', 'mod')!;
    assert.equal(obj.metadata.annotations[MODIFICATION_TIME_ANNOTATION], when.toISOString());
    assert.equal(obj.metadata.annotations['example.com/keep'], 'yes');
    assert.equal(u.meta.creationTime.toISOString(), obj.metadata.creationTimestamp.replace('Z', '.000Z'));
  });

  it('puts a dotless name into the system namespace and reads it back dotless', async () => {
    const created = await store.create('Dataplane', { mesh: 'demo', name: 'standalone', spec: {} });
    assert.equal(created.meta.name, 'standalone');
    const obj = fake.get('dataplanes', SYSTEM_NAMESPACE, 'standalone')!;
    assert.equal(obj.metadata.annotations[NAME_ANNOTATION], 'standalone');
    assert.equal((await store.get('Dataplane', { mesh: 'demo', name: 'standalone' }))!.meta.name, 'standalone');
    assert.ok(await store.get('Dataplane', { mesh: 'demo', name: `standalone.${SYSTEM_NAMESPACE}` }), 'the namespaced spelling finds it too');
    assert.ok((await store.list('Dataplane', { mesh: 'demo' })).items.some((r) => r.meta.name === 'standalone'));

    // made by kubectl in the system namespace: Kuma's name.namespace
    fake.create('dataplanes', manifest({ apiVersion: 'kuma.io/v1alpha1', kind: 'Dataplane', mesh: 'demo', metadata: { name: 'manual', namespace: SYSTEM_NAMESPACE }, spec: {} }));
    await until(async () => (await store.get('Dataplane', { mesh: 'demo', name: 'manual' })) !== undefined, 'the manual Dataplane');
    assert.equal((await store.get('Dataplane', { mesh: 'demo', name: 'manual' }))!.meta.name, `manual.${SYSTEM_NAMESPACE}`);
  });

  it('writes a DataplaneInsight with status instead of spec', async () => {
    const status = { subscriptions: [{ id: 's-1', controlPlaneInstanceId: 'cp-1' }] };
    await store.create('DataplaneInsight', { mesh: 'demo', name: 'web-1.kuma-demo', spec: status });
    const obj = fake.get('dataplaneinsights', 'kuma-demo', 'web-1')!;
    assert.equal(obj.kind, 'DataplaneInsight');
    assert.equal(obj.mesh, 'demo');
    assert.deepEqual(obj.status, status);
    assert.equal('spec' in obj, false);
    assert.deepEqual((await store.get('DataplaneInsight', { mesh: 'demo', name: 'web-1.kuma-demo' }))!.spec, status);
    // owned by its Dataplane, so it goes with the pod rather than piling up
    const dataplane = fake.get('dataplanes', 'kuma-demo', 'web-1')!;
    assert.deepEqual(obj.metadata.ownerReferences, [{ apiVersion: 'kuma.io/v1alpha1', kind: 'Dataplane', name: 'web-1', uid: dataplane.metadata.uid }]);
  });

  it('keeps a policy mesh in the kuma.io/mesh label, defaulting to "default"', async () => {
    const spec = { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] };
    await store.create('MeshTrafficPermission', { mesh: 'demo', name: 'allow.kuma-demo', labels: { team: 'a' }, spec });
    const obj = fake.get('meshtrafficpermissions', 'kuma-demo', 'allow')!;
    assert.equal(obj.kind, 'MeshTrafficPermission');
    assert.equal('mesh' in obj, false);
    assert.deepEqual(obj.metadata.labels, { team: 'a', 'kuma.io/mesh': 'demo' });
    assert.deepEqual(obj.spec, spec);
    const got = await store.get('MeshTrafficPermission', { mesh: 'demo', name: 'allow.kuma-demo' });
    assert.deepEqual(got!.spec, spec);

    fake.create('meshtrafficpermissions', manifest({ metadata: { name: 'unlabelled', namespace: 'kuma-demo' }, spec: {} }));
    await until(async () => (await store.get('MeshTrafficPermission', { mesh: 'default', name: 'unlabelled.kuma-demo' })) !== undefined, 'the unlabelled policy in mesh default');
  });

  it('writes Secrets as typed native Secrets with data.value', async () => {
    await store.create('Secret', { mesh: 'demo', name: 'tls-cert', spec: { data: base64('hello') } });
    const secret = fake.get('secrets', SYSTEM_NAMESPACE, 'tls-cert')!;
    assert.equal(secret.type, 'system.kuma.io/secret');
    assert.deepEqual(secret.metadata.labels, { 'kuma.io/mesh': 'demo' });
    assert.deepEqual(secret.data, { value: base64('hello') });
    const got = await store.get('Secret', { mesh: 'demo', name: 'tls-cert' });
    assert.deepEqual(got!.spec, { data: base64('hello') });
    assert.deepEqual(got!.meta.labels, { 'kuma.io/mesh': 'demo' });
    await store.update('Secret', { mesh: 'demo', name: 'tls-cert', version: got!.meta.version, spec: { data: base64('bye') } });
    assert.deepEqual(fake.get('secrets', SYSTEM_NAMESPACE, 'tls-cert')!.data, { value: base64('bye') });
    assert.deepEqual((await store.get('Secret', { mesh: 'demo', name: 'tls-cert' }))!.spec, { data: base64('bye') });
    assert.equal(await store.get('Secret', { mesh: 'other', name: 'tls-cert' }), undefined);

    await store.create('GlobalSecret', { mesh: '', name: 'admin-token', spec: { data: base64('s3cr3t') } });
    const global = fake.get('secrets', SYSTEM_NAMESPACE, 'admin-token')!;
    assert.equal(global.type, 'system.kuma.io/global-secret');
    assert.equal(global.metadata.labels?.['kuma.io/mesh'], undefined);
    assert.deepEqual(global.data, { value: base64('s3cr3t') });

    // Secret and GlobalSecret share the collection but not the type
    assert.equal(await store.get('Secret', { mesh: 'demo', name: 'admin-token' }), undefined);
    assert.equal(await store.get('GlobalSecret', { mesh: '', name: 'tls-cert' }), undefined);
    fake.create('secrets', manifest({ metadata: { name: 'not-kuma', namespace: SYSTEM_NAMESPACE }, type: 'Opaque', data: { value: base64('x') } }));
    fake.create('secrets', manifest({ metadata: { name: 'elsewhere', namespace: 'kuma-demo' }, type: 'system.kuma.io/secret', data: { value: base64('x') } }));
    await store.create('GlobalSecret', { mesh: '', name: 'marker', spec: {} });
    assert.deepEqual((await store.list('Secret')).items.map((r) => r.meta.name), ['tls-cert']);
    assert.deepEqual((await store.list('GlobalSecret')).items.map((r) => r.meta.name), ['admin-token', 'marker']);
  });

  it('writes Config as a ConfigMap with data.config', async () => {
    await store.create('Config', { mesh: '', name: 'kuma-internal-config', spec: { config: '{"a":1}' } });
    const cm = fake.get('configmaps', SYSTEM_NAMESPACE, 'kuma-internal-config')!;
    assert.equal(cm.kind, 'ConfigMap');
    assert.deepEqual(cm.data, { config: '{"a":1}' });
    const got = await store.get('Config', { mesh: '', name: 'kuma-internal-config' });
    assert.deepEqual(got!.spec, { config: '{"a":1}' });
    const u = await store.update('Config', { mesh: '', name: 'kuma-internal-config', version: got!.meta.version, spec: { config: '{"a":2}' } });
    assert.deepEqual(fake.get('configmaps', SYSTEM_NAMESPACE, 'kuma-internal-config')!.data, { config: '{"a":2}' });
    assert.deepEqual((await store.get('Config', { mesh: '', name: 'kuma-internal-config' }))!.meta.version, u.meta.version);
  });
});

describe('kubernetes store: changes made by others', () => {
  let fake: FakeApiServer;
  let store: KubernetesStore;

  before(async () => {
    fake = await startFake('kuma-demo');
    store = await openStore(fake);
  });
  after(async () => {
    await store.close();
    await fake.close();
  });

  const dataplane = (name: string, spec: object = {}) => ({
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'Dataplane',
    mesh: 'default',
    metadata: { name, namespace: 'kuma-demo', labels: { app: name } },
    spec,
  });

  it('lists, gets and announces objects created, changed and deleted directly', async () => {
    const events = nextEvents(store, 3, (e) => e.name === 'pod-1.kuma-demo');
    fake.create('dataplanes', dataplane('pod-1', { networking: { address: '10.1.0.1' } }));
    await until(async () => (await store.get('Dataplane', { mesh: 'default', name: 'pod-1.kuma-demo' })) !== undefined, 'pod-1 in the cache');
    const got = await store.get('Dataplane', { mesh: 'default', name: 'pod-1.kuma-demo' });
    assert.deepEqual(got!.spec, { networking: { address: '10.1.0.1' } });
    // labels as Kuma reads a custom resource: the Kubernetes name is its display name
    assert.deepEqual(got!.meta.labels, { app: 'pod-1', 'kuma.io/display-name': 'pod-1' });
    assert.deepEqual((await store.list('Dataplane')).items.map((r) => r.meta.name), ['pod-1.kuma-demo']);
    fake.patch('dataplanes', 'kuma-demo', 'pod-1', { spec: { networking: { address: '10.1.0.2' } } });
    fake.delete('dataplanes', 'kuma-demo', 'pod-1');
    assert.deepEqual(
      (await events).map((e) => `${e.op}:${e.type}:${e.mesh}:${e.name}`),
      ['create:Dataplane:default:pod-1.kuma-demo', 'update:Dataplane:default:pod-1.kuma-demo', 'delete:Dataplane:default:pod-1.kuma-demo'],
    );
    assert.equal(await store.get('Dataplane', { mesh: 'default', name: 'pod-1.kuma-demo' }), undefined);
  });

  it('turns a 409 after someone else wrote into a ConflictError', async () => {
    const c = await store.create('Dataplane', { mesh: 'default', name: 'busy.kuma-demo', spec: { v: 1 } });
    fake.patch('dataplanes', 'kuma-demo', 'busy', { spec: { v: 2 } });
    await assert.rejects(store.update('Dataplane', { mesh: 'default', name: 'busy.kuma-demo', version: c.meta.version, spec: { v: 3 } }), ConflictError);
    await assert.rejects(store.delete('Dataplane', { mesh: 'default', name: 'busy.kuma-demo' }, c.meta.version), ConflictError);
    assert.deepEqual(fake.get('dataplanes', 'kuma-demo', 'busy')!.spec, { v: 2 });
  });

  it('re-lists after its watch expired (410) and keeps working', async () => {
    await store.create('Dataplane', { mesh: 'default', name: 'old.kuma-demo', spec: {} });
    let relists = 0;
    let refuseWatches = true;
    const path = '/apis/kuma.io/v1alpha1/dataplanes';
    const removeHook = fake.addHook((req) => {
      if (req.method !== 'GET' || req.path !== path) return undefined;
      if (req.query.get('watch') !== 'true') {
        relists++;
        return undefined;
      }
      return refuseWatches ? statusReply(503, 'ServiceUnavailable', 'watch refused') : undefined;
    });
    try {
      // The watch drops and cannot come back while things change and history is compacted.
      fake.closeWatches();
      fake.create('dataplanes', dataplane('new'));
      fake.delete('dataplanes', 'kuma-demo', 'old');
      fake.compact();
      const events = nextEvents(store, 2, (e) => e.type === 'Dataplane' && (e.name === 'new.kuma-demo' || e.name === 'old.kuma-demo'));
      refuseWatches = false;
      const seen = (await events).map((e) => `${e.op}:${e.name}`).sort();
      assert.deepEqual(seen, ['create:new.kuma-demo', 'delete:old.kuma-demo']);
      assert.ok(relists >= 1, 'the informer listed again');
      assert.ok(await store.get('Dataplane', { mesh: 'default', name: 'new.kuma-demo' }));
      assert.equal(await store.get('Dataplane', { mesh: 'default', name: 'old.kuma-demo' }), undefined);

      const after = await store.create('Dataplane', { mesh: 'default', name: 'later.kuma-demo', spec: { ok: true } });
      assert.deepEqual((await store.get('Dataplane', { mesh: 'default', name: 'later.kuma-demo' }))!.meta.version, after.meta.version);
    } finally {
      removeHook();
    }
  });
});
