import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import type { Resource } from '../../src/core/resource.js';
import { startClusterIpSource, type ClusterIpSource } from '../../src/k8s/cluster-ip-source.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import type { ControllerLogger } from '../../src/k8s/service-controller.js';
import { FakeApiServer } from './fake-apiserver.js';

const logger: ControllerLogger = { info: () => {}, debug: () => {}, error: () => {} };

function service(name: string, namespace: string, spec: V1Service['spec'], annotations?: Record<string, string>): V1Service {
  return { metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
}

function endpoint(name: string, address: string, port: number, tags: Record<string, string>): Resource {
  const time = new Date(0);
  return {
    type: 'Dataplane',
    meta: { name, mesh: 'default', version: '1', labels: {}, creationTime: time, modificationTime: time },
    spec: { networking: { address, inbound: [{ port, tags }] } },
  };
}

const dataplanes = [
  endpoint('backend-1.demo', '10.244.0.5', 8080, { 'kuma.io/service': 'backend_demo_svc_8080' }),
  endpoint('db-0.demo', '10.244.0.6', 5432, { 'kuma.io/service': 'db_demo_svc_5432', 'kuma.io/instance': 'db-0' }),
  endpoint('web-1.demo', '10.244.0.7', 8080, { 'kuma.io/service': 'web_demo_svc_80' }),
];

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ClusterIP outbound source', () => {
  let fake: FakeApiServer;
  let source: ClusterIpSource;
  let changes: number;
  const addresses = () => source.outbounds('default', dataplanes).map((o) => `${o.address}:${o.port}`);

  beforeEach(async () => {
    fake = await FakeApiServer.start();
    fake.create('namespaces', { metadata: { name: 'demo' } });
    fake.create('services', service('backend', 'demo', { clusterIP: '10.96.0.10', ports: [{ port: 8080 }] }));
    fake.create('services', service('db', 'demo', { clusterIP: 'None', ports: [{ port: 5432 }] }));
    source = startClusterIpSource(createKubeConfig({ server: fake.url }), logger, { retryBaseMs: 10 });
    changes = 0;
    source.onChange(() => changes++);
    await source.synced;
  });

  afterEach(async () => {
    await source.stop();
    await fake.close();
  });

  it('serves the listed Services as outbounds and reports the initial list', () => {
    assert.deepEqual(addresses(), ['10.96.0.10:8080', '10.244.0.6:5432']);
    assert.equal(changes, 1);
  });

  it('reports a new Service, a moved ClusterIP and a deleted Service', async () => {
    fake.create('services', service('web', 'demo', { type: 'LoadBalancer', clusterIP: '10.96.0.20', ports: [{ port: 80 }] }));
    await until(() => changes === 2, 'the new Service to be reported');
    assert.deepEqual(addresses(), ['10.96.0.10:8080', '10.244.0.6:5432', '10.96.0.20:80']);

    fake.update('services', service('web', 'demo', { type: 'ExternalName', externalName: 'web.mesh' }));
    await until(() => changes === 3, 'the type change to be reported');
    assert.deepEqual(addresses(), ['10.96.0.10:8080', '10.244.0.6:5432']);

    fake.delete('services', 'demo', 'backend');
    await until(() => changes === 4, 'the deletion to be reported');
    assert.deepEqual(addresses(), ['10.244.0.6:5432']);
  });

  it('stays quiet on updates that do not change the outbounds', async () => {
    fake.update('services', service('backend', 'demo', { clusterIP: '10.96.0.10', ports: [{ port: 8080 }] }, { 'ingress.kubernetes.io/service-upstream': 'true' }));
    // a later relevant change is reported alone: the annotation update was not
    fake.create('services', service('web', 'demo', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }));
    await until(() => addresses().includes('10.96.0.20:80'), 'the control Service');
    assert.equal(changes, 2);
  });

  it('unsubscribed listeners and a stopped source hear nothing more', async () => {
    let other = 0;
    const unsubscribe = source.onChange(() => other++);
    unsubscribe();
    fake.create('services', service('web', 'demo', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }));
    await until(() => changes === 2, 'the new Service to be reported');
    assert.equal(other, 0);
    await source.stop();
    fake.delete('services', 'demo', 'web');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(changes, 2);
  });
});
