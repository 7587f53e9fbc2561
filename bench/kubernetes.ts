/**
 * Kubernetes mode: how fast the pod controller turns pods into Dataplanes, and how fast a Service
 * change reaches every Dataplane it tags, against the in-process API server the tests use.
 */
import { performance } from 'node:perf_hooks';
import { createKubeConfig } from '../src/k8s/kube-client.js';
import { startPodController } from '../src/k8s/pod-controller.js';
import { CORE_V1_RESOURCES, FakeApiServer } from '../test/k8s/fake-apiserver.js';
import type { Row } from './core.js';

const NS = 'shop';
const quiet = { info: () => {}, debug: () => {}, error: () => {} };

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function benchPodController(pods: number): Promise<Row[]> {
  const fake = await FakeApiServer.start({
    resources: [
      ...CORE_V1_RESOURCES,
      { group: 'kuma.io', version: 'v1alpha1', plural: 'dataplanes', kind: 'Dataplane', namespaced: true },
      { group: 'kuma.io', version: 'v1alpha1', plural: 'meshes', kind: 'Mesh', namespaced: false },
      { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
    ],
  });
  fake.create('meshes', { metadata: { name: 'default' } });
  fake.create('namespaces', { metadata: { name: NS, labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
  fake.create('services', { metadata: { name: 'backend', namespace: NS }, spec: { clusterIP: '10.96.0.10', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] } } as never);
  const controller = startPodController(createKubeConfig({ server: fake.url }), quiet, { systemNamespace: 'kuma-system' });
  await controller.synced;
  const dataplanes = () => fake.list('dataplanes', NS);
  try {
    const start = performance.now();
    for (let i = 0; i < pods; i++) {
      fake.create('pods', {
        metadata: { name: `backend-${i}`, namespace: NS, labels: { app: 'backend' }, annotations: { 'kuma.io/sidecar-injected': 'true' } },
        spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
        status: { phase: 'Running', podIP: `10.244.${i >> 8}.${i & 255}` },
      } as never);
    }
    await until(() => dataplanes().length === pods, 120_000);
    const createdMs = performance.now() - start;

    const changed = performance.now();
    fake.patch('services', NS, 'backend', { spec: { ports: [{ port: 80, targetPort: 8080, appProtocol: 'http' }] } });
    const tagged = (d: { spec: { networking: { inbound?: { tags: Record<string, string> }[] } } }) =>
      d.spec.networking.inbound?.[0]?.tags['kuma.io/protocol'] === 'http';
    await until(() => dataplanes().every((d) => tagged(d as never)), 120_000);
    const retaggedMs = performance.now() - changed;
    return [
      { name: `pod controller: ${pods} Running pods → Dataplanes`, value: `${createdMs.toFixed(0)} ms`, note: `${(createdMs / pods).toFixed(1)} ms per pod, one worker` },
      { name: `pod controller: Service appProtocol change → ${pods} Dataplanes re-tagged`, value: `${retaggedMs.toFixed(0)} ms` },
    ];
  } finally {
    await controller.stop();
    await fake.close();
  }
}
