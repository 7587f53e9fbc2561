import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { CORE_V1_RESOURCES, FakeApiServer, type KubeObject, type ResourceType } from './fake-apiserver.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import { eventRecorder } from '../../src/k8s/event-recorder.js';
import { startPodController, type PodController, type PodControllerOptions } from '../../src/k8s/pod-controller.js';
import { captureLogger, until, type LogLine } from './controller-harness.js';

const DATAPLANES: ResourceType = { group: 'kuma.io', version: 'v1alpha1', plural: 'dataplanes', kind: 'Dataplane', namespaced: true };
const MESHES: ResourceType = { group: 'kuma.io', version: 'v1alpha1', plural: 'meshes', kind: 'Mesh', namespaced: false };
const ENDPOINT_SLICES: ResourceType = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true };
const EVENTS: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
const NS = 'mesh';

interface PodOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  injected?: boolean;
  ip?: string;
  phase?: string;
}

function pod(name: string, options: PodOptions = {}) {
  const annotations = { ...(options.injected === false ? {} : { 'kuma.io/sidecar-injected': 'true' }), ...options.annotations };
  return {
    metadata: { name, namespace: NS, labels: options.labels ?? { app: name }, annotations },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
    status: { phase: options.phase ?? 'Running', ...(options.ip === '' ? {} : { podIP: options.ip ?? '10.0.0.5' }) },
  };
}

function service(name: string, selector: Record<string, string>, port: Partial<V1ServicePort> = {}): V1Service {
  return { metadata: { name, namespace: NS }, spec: { selector, ports: [{ port: 80, targetPort: 8080, ...port }] } };
}

describe('pod controller', () => {
  let fake: FakeApiServer;
  let controller: PodController | undefined;
  let logs: LogLine[];

  const dataplane = (name: string): KubeObject | undefined => fake.get('dataplanes', NS, name);
  const dataplanePath = (name: string) => `/apis/kuma.io/v1alpha1/namespaces/${NS}/dataplanes/${name}`;
  const requestsTo = (name: string, method: string) =>
    fake.requests.filter((r) => r.method === method && r.path === dataplanePath(name));
  /** Dataplane creations in the namespace (a POST goes to the collection, not to the object). */
  const creates = () =>
    fake.requests.filter((r) => r.method === 'POST' && r.path === `/apis/kuma.io/v1alpha1/namespaces/${NS}/dataplanes`);
  const writesTo = (name: string) => fake.requests.filter((r) => r.method === 'PUT' && r.path === dataplanePath(name));
  // Pod events are worked in order, so once a later pod has its Dataplane the earlier pods were handled.
  let controls = 0;
  const controlPodHandled = async (): Promise<void> => {
    const name = `control-${++controls}`;
    fake.create('pods', pod(name));
    await until(() => dataplane(name) !== undefined, 'the control pod to get its Dataplane');
  };
  const start = async (options: Partial<PodControllerOptions> = {}): Promise<void> => {
    const kc = createKubeConfig({ server: fake.url });
    controller = startPodController(kc, captureLogger(logs), {
      systemNamespace: 'kuma-system',
      retryBaseMs: 10,
      retryMaxMs: 100,
      events: eventRecorder(kc, captureLogger(logs), 'ferry.io/pod-controller', 'cp-test'),
      ...options,
    });
    await controller.synced;
  };

  beforeEach(async () => {
    fake = await FakeApiServer.start({ resources: [...CORE_V1_RESOURCES, DATAPLANES, MESHES, EVENTS, ENDPOINT_SLICES] });
    logs = [];
    controller = undefined;
    fake.create('namespaces', { metadata: { name: NS } });
    for (const mesh of ['default', 'payments', 'shop']) fake.create('meshes', { metadata: { name: mesh } });
  });
  afterEach(async () => {
    await controller?.stop();
    await fake.close();
  });

  test('an injected pod selected by a Service gets a Dataplane with Kuma tags, owned by the pod', async () => {
    const created = fake.create('pods', pod('web-1', { labels: { app: 'web' } }));
    fake.create('services', service('web', { app: 'web' }, { appProtocol: 'http' }));
    await start();
    await until(() => dataplane('web-1') !== undefined, 'the Dataplane');
    const dp = dataplane('web-1')!;
    assert.equal(dp.apiVersion, 'kuma.io/v1alpha1');
    assert.equal(dp.kind, 'Dataplane');
    assert.equal(dp.mesh, 'default');
    assert.deepEqual(dp.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(dp.metadata.labels, {
      app: 'web',
      'k8s.kuma.io/namespace': NS,
      'kuma.io/mesh': 'default',
      'kuma.io/proxy-type': 'sidecar',
    });
    assert.deepEqual(dp.spec, {
      networking: {
        address: '10.0.0.5',
        inbound: [
          {
            port: 8080,
            protocol: 'http',
            health: { ready: true },
            tags: {
              app: 'web',
              'k8s.kuma.io/namespace': NS,
              'k8s.kuma.io/service-name': 'web',
              'k8s.kuma.io/service-port': '80',
              'kuma.io/service': 'web_mesh_svc_80',
              'kuma.io/protocol': 'http',
            },
          },
        ],
      },
    });
  });

  test('a delegated gateway takes its tags from the first Service by name and has no inbounds', async () => {
    fake.create('pods', pod('gw-1', { labels: { app: 'gw' }, annotations: { 'kuma.io/gateway': 'enabled' } }));
    fake.create('services', service('b-admin', { app: 'gw' }, { port: 9000 }));
    fake.create('services', service('a-proxy', { app: 'gw' }, { appProtocol: 'http' }));
    await start();
    await until(() => dataplane('gw-1') !== undefined, 'the gateway Dataplane');
    // Delegated gateways only speak tcp, so the Service's http protocol tag is left out.
    assert.deepEqual(dataplane('gw-1')!.spec, {
      networking: {
        address: '10.0.0.5',
        gateway: {
          tags: {
            app: 'gw',
            'k8s.kuma.io/namespace': NS,
            'k8s.kuma.io/service-name': 'a-proxy',
            'k8s.kuma.io/service-port': '80',
            'kuma.io/service': 'a-proxy_mesh_svc_80',
          },
        },
      },
    });
  });

  test('a gateway without Services falls back to the serviceless tags', async () => {
    fake.create('pods', pod('lonely-gw', { labels: { app: 'edge' }, annotations: { 'kuma.io/gateway': 'enabled' } }));
    await start({ zone: 'zone-1' });
    await until(() => dataplane('lonely-gw') !== undefined, 'the gateway Dataplane');
    const dp = dataplane('lonely-gw')!;
    assert.deepEqual(dp.spec.networking.gateway.tags, {
      app: 'edge',
      'k8s.kuma.io/namespace': NS,
      'kuma.io/service': 'lonely-gw_mesh_svc',
      'kuma.io/zone': 'zone-1',
      'kuma.io/protocol': 'tcp',
      'kuma.io/instance': 'lonely-gw',
    });
    assert.equal(dp.spec.networking.inbound, undefined);
    // A zone control plane marks what it creates as its own.
    assert.equal(dp.metadata.labels['kuma.io/origin'], 'zone');
    assert.equal(dp.metadata.labels['kuma.io/zone'], 'zone-1');
    assert.equal(dp.metadata.labels['kuma.io/env'], 'kubernetes');
  });

  test('Services created, changed or deleted later update the Dataplane', async () => {
    fake.create('pods', pod('api-1', { labels: { app: 'api' } }));
    await start();
    await until(() => dataplane('api-1') !== undefined, 'the serviceless Dataplane');
    assert.equal(dataplane('api-1')!.spec.networking.inbound[0].tags['kuma.io/service'], 'api-1_mesh_svc');

    fake.create('services', service('api', { app: 'api' }));
    const serviceTag = () => dataplane('api-1')?.spec.networking.inbound[0].tags['kuma.io/service'];
    await until(() => serviceTag() === 'api_mesh_svc_80', 'the Service inbound');

    fake.patch('services', NS, 'api', { spec: { ports: [{ port: 81, targetPort: 8080 }] } });
    await until(() => serviceTag() === 'api_mesh_svc_81', 'the changed port');

    // A Service whose selector stops matching is dropped from the pods it selected before.
    fake.patch('services', NS, 'api', { spec: { selector: { app: 'other' } } });
    await until(() => serviceTag() === 'api-1_mesh_svc', 'the serviceless inbound again');

    fake.patch('services', NS, 'api', { spec: { selector: { app: 'api' } } });
    await until(() => serviceTag() === 'api_mesh_svc_81', 'the Service inbound again');
    fake.delete('services', NS, 'api');
    await until(() => serviceTag() === 'api-1_mesh_svc', 'the serviceless inbound after deletion');
  });

  test('a selector-less Service picks its pods through its EndpointSlices, as in Kuma', async () => {
    const created = fake.create('pods', pod('manual-1', { labels: { app: 'manual' } }));
    fake.create('services', { metadata: { name: 'legacy', namespace: NS }, spec: { ports: [{ port: 80, targetPort: 8080 }] } } as KubeObject);
    await start();
    const serviceTag = () => dataplane('manual-1')?.spec.networking.inbound?.[0]?.tags['kuma.io/service'];
    await until(() => serviceTag() === 'manual-1_mesh_svc', 'the serviceless inbound first');
    const slice = {
      metadata: { name: 'legacy-abc', namespace: NS, labels: { 'kubernetes.io/service-name': 'legacy' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.5'], targetRef: { kind: 'Pod', name: 'manual-1', namespace: NS, uid: created.metadata.uid } }],
      ports: [{ port: 8080 }],
    } as KubeObject;
    fake.create('endpointslices', slice);
    await until(() => serviceTag() === 'legacy_mesh_svc_80', 'the Service inbound through the EndpointSlice');
    fake.patch('endpointslices', NS, 'legacy-abc', { endpoints: [] });
    await until(() => serviceTag() === 'manual-1_mesh_svc', 'the serviceless inbound once the pod left the slice');
  });

  test('an invalid gateway value is logged, yields no Dataplane and is retried until fixed', async () => {
    fake.create('pods', pod('bad-gw', { annotations: { 'kuma.io/gateway': 'bogus' } }));
    await start();
    const message = "unable to translate a Pod into a Dataplane: invalid delegated gateway type 'bogus'";
    await until(() => logs.filter((l) => l.level === 'error' && l.msg === message).length >= 2, 'the error to be retried');
    assert.equal(dataplane('bad-gw'), undefined);
    assert.deepEqual(creates(), []);

    fake.patch('pods', NS, 'bad-gw', { metadata: { annotations: { 'kuma.io/gateway': 'enabled' } } });
    await until(() => dataplane('bad-gw') !== undefined, 'the Dataplane once the value is valid');

    // and `kubectl describe pod` tells the story, as with Kuma
    const events = () => fake.list('events', NS).filter((e) => e.regarding?.name === 'bad-gw');
    await until(() => events().some((e) => e.reason === 'CreatedKumaDataplane'), 'the Created event');
    const failed = events().find((e) => e.reason === 'FailedToGenerateKumaDataplane')!;
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.note, `Failed to generate Kuma Dataplane: ${message}`);
    assert.equal(failed.regarding.uid, fake.get('pods', NS, 'bad-gw')!.metadata.uid);
    const created = events().find((e) => e.reason === 'CreatedKumaDataplane')!;
    assert.deepEqual([created.type, created.action, created.note, created.reportingController], ['Normal', 'Create', 'Created Kuma Dataplane: bad-gw', 'ferry.io/pod-controller']);
  });

  test('pods without the injected annotation, or with it set to false, get no Dataplane', async () => {
    fake.create('pods', pod('plain', { injected: false }));
    fake.create('pods', pod('opted-out', { annotations: { 'kuma.io/sidecar-injected': 'false' } }));
    fake.create('pods', pod('builtin', { annotations: { 'kuma.io/gateway': 'builtin' } }));
    await start();
    await controlPodHandled();
    for (const name of ['plain', 'opted-out', 'builtin']) {
      assert.equal(dataplane(name), undefined, name);
      assert.deepEqual(requestsTo(name, 'GET'), [], name);
    }
    assert.ok(!logs.some((l) => l.level === 'error'));
  });

  test('a deleted pod loses its Dataplane and the controller does not keep it alive', async () => {
    fake.create('pods', pod('short-lived'));
    await start();
    await until(() => dataplane('short-lived') !== undefined, 'the Dataplane');
    fake.delete('pods', NS, 'short-lived');
    // Once the deletion has reached the controller's cache, nothing can recreate the Dataplane, and a
    // copy written just before from the stale cache is removed as well.
    await controlPodHandled();
    await until(() => dataplane('short-lived') === undefined, 'the Dataplane to be gone');
  });

  test('a Dataplane left behind by a gone pod is deleted; one not controlled by a pod is left alone', async () => {
    const ownedByGonePod = [{ apiVersion: 'v1', kind: 'Pod', name: 'ghost', uid: 'uid-of-a-deleted-pod', controller: true }];
    const ghost = { mesh: 'default', metadata: { name: 'ghost', namespace: NS, ownerReferences: ownedByGonePod }, spec: {} };
    const handmade = { mesh: 'default', metadata: { name: 'handmade', namespace: NS }, spec: {} };
    fake.create('dataplanes', ghost);
    fake.create('dataplanes', handmade);
    await start();
    await until(() => dataplane('ghost') === undefined, 'the orphaned Dataplane to be deleted');
    await controlPodHandled();
    assert.notEqual(dataplane('handmade'), undefined);
    assert.deepEqual(requestsTo('handmade', 'DELETE'), []);
  });

  test('a pod that succeeds or loses its IP has its Dataplane removed; one without an IP gets none', async () => {
    fake.create('pods', pod('job-1'));
    fake.create('pods', pod('rescheduled'));
    fake.create('pods', pod('pending', { ip: '' }));
    await start();
    await until(() => dataplane('job-1') !== undefined && dataplane('rescheduled') !== undefined, 'the Dataplanes');
    fake.patch('pods', NS, 'job-1', { status: { phase: 'Succeeded' } });
    fake.patch('pods', NS, 'rescheduled', { status: { podIP: null } });
    await until(() => dataplane('job-1') === undefined && dataplane('rescheduled') === undefined, 'the Dataplanes to go');
    assert.equal(dataplane('pending'), undefined);
    assert.deepEqual(requestsTo('pending', 'DELETE'), []);

    // A Failed pod keeps its Dataplane, as in Kuma (only Succeeded is final for it).
    fake.create('pods', pod('crashed'));
    await until(() => dataplane('crashed') !== undefined, 'the Dataplane');
    fake.patch('pods', NS, 'crashed', { status: { phase: 'Failed' } });
    await controlPodHandled();
    assert.notEqual(dataplane('crashed'), undefined);
  });

  test('nothing is written when the computed Dataplane has not changed', async () => {
    fake.create('pods', pod('steady-1', { labels: { app: 'steady' } }));
    fake.create('services', service('steady', { app: 'steady' }));
    await start();
    await until(() => dataplane('steady-1') !== undefined, 'the Dataplane');
    // Let the echo of the creation (the Dataplane's own add event) be handled first.
    await controlPodHandled();
    const { resourceVersion, uid } = dataplane('steady-1')!.metadata;
    const reads = () => logs.filter((l) => l.msg === "resource hasn't changed, skip").length;

    // Each change below makes the controller look at the pod again (and find nothing to write).
    let seen = reads();
    const reconciledAgain = async (what: string) => {
      await until(() => reads() > seen, what);
      seen = reads();
    };
    fake.patch('pods', NS, 'steady-1', { metadata: { annotations: { note: 'unrelated' } } });
    await reconciledAgain('the pod change to be handled');
    fake.patch('services', NS, 'steady', { metadata: { labels: { team: 'a' } } });
    await reconciledAgain('the Service change to be handled');
    fake.patch('namespaces', undefined, NS, { metadata: { labels: { team: 'a' } } });
    await reconciledAgain('the namespace change to be handled');
    await controlPodHandled();

    assert.deepEqual(writesTo('steady-1'), []);
    assert.equal(dataplane('steady-1')!.metadata.uid, uid, 'not deleted and recreated');
    assert.equal(dataplane('steady-1')!.metadata.resourceVersion, resourceVersion);
  });

  test('a pod of a Mesh that does not exist waits for it, as in Kuma', async () => {
    fake.create('pods', pod('early', { labels: { app: 'early', 'kuma.io/mesh': 'late' } }));
    // retries far off, so only the Mesh's arrival can bring the Dataplane in time
    await start({ retryBaseMs: 60_000, retryMaxMs: 60_000 });
    await until(() => logs.some((l) => l.level === 'error' && l.msg === 'meshes.kuma.io "late" not found'), 'the error');
    assert.equal(dataplane('early'), undefined);
    fake.create('meshes', { metadata: { name: 'late' } });
    await until(() => dataplane('early') !== undefined, 'the Dataplane once the Mesh exists');
    assert.equal(dataplane('early')!.mesh, 'late');
  });

  test('the mesh comes from the pod label, else the namespace label, and follows namespace changes', async () => {
    fake.create('namespaces', { metadata: { name: 'other' } });
    fake.create('pods', pod('in-label-mesh', { labels: { app: 'x', 'kuma.io/mesh': 'payments' } }));
    fake.create('pods', pod('in-ns-mesh'));
    await start();
    await until(() => dataplane('in-label-mesh') !== undefined && dataplane('in-ns-mesh') !== undefined, 'the Dataplanes');
    assert.equal(dataplane('in-label-mesh')!.mesh, 'payments');
    assert.equal(dataplane('in-ns-mesh')!.mesh, 'default');

    fake.patch('namespaces', undefined, NS, { metadata: { labels: { 'kuma.io/mesh': 'shop' } } });
    await until(() => dataplane('in-ns-mesh')?.mesh === 'shop', 'the namespace mesh to apply');
    assert.equal(dataplane('in-label-mesh')!.mesh, 'payments');
  });

  test('a conflicting concurrent write is re-read and retried, keeping the other writer\'s labels', async () => {
    fake.create('pods', pod('racy', { labels: { app: 'racy' } }));
    await start();
    await until(() => dataplane('racy') !== undefined, 'the Dataplane');
    let raced = false;
    fake.addHook((req) => {
      if (!raced && req.method === 'PUT' && req.path === dataplanePath('racy')) {
        raced = true;
        fake.patch('dataplanes', NS, 'racy', { metadata: { labels: { 'added-by': 'someone-else' } } });
      }
    });
    fake.patch('pods', NS, 'racy', { metadata: { labels: { version: 'v2' } } });
    await until(() => dataplane('racy')?.metadata.labels.version === 'v2', 'the label change to be written');
    assert.deepEqual(writesTo('racy').map((r) => r.status), [409, 200]);
    assert.equal(dataplane('racy')!.metadata.labels['added-by'], 'someone-else');
    // Retried at once on the fresh object, not failed and backed off.
    assert.ok(!logs.some((l) => l.level === 'error'));
  });

  test('a Dataplane deleted or edited by someone else is restored from its pod', async () => {
    fake.create('pods', pod('restored'));
    await start();
    await until(() => dataplane('restored') !== undefined, 'the Dataplane');
    const original = dataplane('restored')!.spec;

    fake.patch('dataplanes', NS, 'restored', { spec: { networking: { address: '192.0.2.1' } } });
    await until(() => dataplane('restored')?.spec.networking.address === '10.0.0.5', 'the edit to be undone');
    assert.deepEqual(dataplane('restored')!.spec, original);

    fake.delete('dataplanes', NS, 'restored');
    await until(() => dataplane('restored') !== undefined, 'the Dataplane to be recreated');
    assert.deepEqual(dataplane('restored')!.spec, original);
  });

  test('the controller survives its watches being dropped and history compacted', async () => {
    await start();
    fake.compact();
    fake.closeWatches();
    fake.create('pods', pod('after-drop'));
    fake.compact();
    await until(() => dataplane('after-drop') !== undefined, 'the Dataplane of a pod created during the gap');
  });
});
