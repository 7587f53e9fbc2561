import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { FakeApiServer, statusReply, type KubeObject } from './fake-apiserver.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import { captureLogger, until, type LogLine } from './controller-harness.js';
import {
  INGRESS_SERVICE_UPSTREAM,
  NGINX_INGRESS_SERVICE_UPSTREAM,
  startServiceController,
  type ServiceController,
} from '../../src/k8s/service-controller.js';

const MARKED = { [INGRESS_SERVICE_UPSTREAM]: 'true', [NGINX_INGRESS_SERVICE_UPSTREAM]: 'true' };

function namespace(name: string, labels?: Record<string, string>, annotations?: Record<string, string>) {
  return { metadata: { name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

function service(
  name: string,
  ns: string,
  annotations?: Record<string, string>,
  spec: V1Service['spec'] = { ports: [{ port: 80 }], selector: { app: name } },
): V1Service {
  return { metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) }, spec };
}

describe('service controller', () => {
  let fake: FakeApiServer;
  let controller: ServiceController;
  let logs: LogLine[];

  const annotationsOf = (ns: string, name: string): Record<string, string> | undefined =>
    fake.get('services', ns, name)?.metadata.annotations;
  const isMarked = (ns: string, name: string): boolean => {
    const a = annotationsOf(ns, name) ?? {};
    return a[INGRESS_SERVICE_UPSTREAM] === 'true' && a[NGINX_INGRESS_SERVICE_UPSTREAM] === 'true';
  };
  const writesTo = (ns: string, name: string) =>
    fake.requests.filter(
      (r) => (r.method === 'PUT' || r.method === 'PATCH') && r.path === `/api/v1/namespaces/${ns}/services/${name}`,
    );
  // The controller works its queue in event order, so once a later Service is marked the earlier ones were handled.
  let controls = 0;
  const markControlAndWait = async (ns: string): Promise<void> => {
    const name = `control-${++controls}`;
    fake.create('services', service(name, ns));
    await until(() => isMarked(ns, name), 'control Service to be marked');
  };
  const start = async (): Promise<void> => {
    controller = startServiceController(createKubeConfig({ server: fake.url }), captureLogger(logs), { retryBaseMs: 10 });
    await controller.synced;
  };

  beforeEach(async () => {
    fake = await FakeApiServer.start();
    logs = [];
    fake.create('namespaces', namespace('mesh', { 'kuma.io/sidecar-injection': 'enabled' }));
  });
  afterEach(async () => {
    await controller?.stop();
    await fake.close();
  });

  test('a Service in a namespace labelled for injection gets both annotations', async () => {
    fake.create('services', service('existing', 'mesh'));
    await start();
    await until(() => isMarked('mesh', 'existing'), 'existing Service to be marked');
    fake.create('services', service('created-later', 'mesh'));
    await until(() => isMarked('mesh', 'created-later'), 'new Service to be marked');
    assert.deepEqual(annotationsOf('mesh', 'created-later'), MARKED);
  });

  test('"true" is accepted as well as "enabled" for the namespace label', async () => {
    fake.create('namespaces', namespace('mesh-true', { 'kuma.io/sidecar-injection': 'true' }));
    fake.create('services', service('s', 'mesh-true'));
    await start();
    await until(() => isMarked('mesh-true', 's'), 'Service to be marked');
  });

  test('Services outside the mesh are left alone, even when their pods ask for injection', async () => {
    fake.create('namespaces', namespace('plain'));
    fake.create('namespaces', namespace('annotated-only', undefined, { 'kuma.io/sidecar-injection': 'enabled' }));
    fake.create('namespaces', namespace('disabled', { 'kuma.io/sidecar-injection': 'disabled' }));
    fake.create('pods', {
      metadata: { name: 'app-1', namespace: 'plain', labels: { app: 'app', 'kuma.io/sidecar-injection': 'enabled' } },
    });
    fake.create('services', service('app', 'plain'));
    fake.create('services', service('app', 'annotated-only'));
    fake.create('services', service('app', 'disabled'));
    await start();
    await markControlAndWait('mesh');
    for (const ns of ['plain', 'annotated-only', 'disabled']) {
      assert.equal(annotationsOf(ns, 'app'), undefined, ns);
      assert.deepEqual(writesTo(ns, 'app'), [], ns);
    }
  });

  test('ExternalName, kuma.io/ignore and builtin gateway Services are skipped', async () => {
    fake.create('services', service('external', 'mesh', undefined, { type: 'ExternalName', externalName: 'example.com' }));
    fake.create('services', service('ignored', 'mesh', { 'kuma.io/ignore': 'true' }));
    fake.create('services', service('builtin-gw', 'mesh', { 'kuma.io/gateway': 'builtin' }));
    fake.create('services', service('delegated-gw', 'mesh', { 'kuma.io/gateway': 'enabled' }));
    await start();
    await markControlAndWait('mesh');
    assert.equal(annotationsOf('mesh', 'external'), undefined);
    assert.deepEqual(annotationsOf('mesh', 'ignored'), { 'kuma.io/ignore': 'true' });
    assert.deepEqual(annotationsOf('mesh', 'builtin-gw'), { 'kuma.io/gateway': 'builtin' });
    for (const name of ['external', 'ignored', 'builtin-gw']) assert.deepEqual(writesTo('mesh', name), [], name);
    // Only "builtin" exempts a gateway: a delegated gateway's Service is marked like any other.
    assert.ok(isMarked('mesh', 'delegated-gw'));
  });

  test('other annotations are kept and existing upstream values are overwritten', async () => {
    fake.create('services', service('svc', 'mesh', { team: 'payments', [INGRESS_SERVICE_UPSTREAM]: 'false' }));
    await start();
    await until(() => isMarked('mesh', 'svc'), 'Service to be marked');
    assert.deepEqual(annotationsOf('mesh', 'svc'), { team: 'payments', ...MARKED });
  });

  test('an already marked Service is not written again', async () => {
    fake.create('services', service('done', 'mesh', { ...MARKED }));
    await start();
    await markControlAndWait('mesh');
    assert.deepEqual(writesTo('mesh', 'done'), []);
  });

  test('a concurrent change that makes the update 409 is retried on the fresh object', async () => {
    let raced = false;
    fake.addHook((req) => {
      if (!raced && req.method === 'PUT' && req.path === '/api/v1/namespaces/mesh/services/racy') {
        raced = true;
        fake.patch('services', 'mesh', 'racy', { metadata: { labels: { changed: 'concurrently' } } });
      }
    });
    fake.create('services', service('racy', 'mesh'));
    await start();
    await until(() => isMarked('mesh', 'racy'), 'Service to be marked after the conflict');
    assert.deepEqual(writesTo('mesh', 'racy').map((r) => r.status), [409, 200]);
    assert.deepEqual(fake.get('services', 'mesh', 'racy')?.metadata.labels, { changed: 'concurrently' });
    assert.ok(
      logs.some(
        (l) =>
          l.level === 'error' &&
          l.msg ===
            'unable to update ingress service upstream annotation on service racy: Operation cannot be fulfilled on services "racy": the object has been modified; please apply your changes to the latest version and try again',
      ),
    );
  });

  test('a failed update is retried even when no further event arrives', async () => {
    let failed = false;
    fake.addHook((req) => {
      if (failed || req.method !== 'PUT' || req.path !== '/api/v1/namespaces/mesh/services/flaky') return;
      failed = true;
      const message =
        'Operation cannot be fulfilled on services "flaky": the object has been modified; please apply your changes to the latest version and try again';
      return statusReply(409, 'Conflict', message, { name: 'flaky', kind: 'services' });
    });
    fake.create('services', service('flaky', 'mesh'));
    await start();
    await until(() => isMarked('mesh', 'flaky'), 'Service to be marked on retry');
    assert.deepEqual(writesTo('mesh', 'flaky').map((r) => r.status), [409, 200]);
  });

  test('a namespace that gains the label later gets its Services marked; nothing is removed afterwards', async () => {
    fake.create('namespaces', namespace('late'));
    fake.create('services', service('a', 'late'));
    fake.create('services', service('b', 'late'));
    await start();
    await markControlAndWait('mesh');
    assert.equal(annotationsOf('late', 'a'), undefined);

    fake.patch('namespaces', undefined, 'late', { metadata: { labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
    await until(() => isMarked('late', 'a') && isMarked('late', 'b'), 'Services of the newly labelled namespace');

    fake.patch('namespaces', undefined, 'late', { metadata: { labels: null } });
    fake.patch('services', 'late', 'a', { metadata: { labels: { touched: 'yes' } } });
    await markControlAndWait('mesh');
    assert.ok(isMarked('late', 'a'));
    assert.ok(isMarked('late', 'b'));
  });

  test('an invalid namespace label is logged as an error and retried until fixed', async () => {
    fake.create('namespaces', namespace('odd', { 'kuma.io/sidecar-injection': 'maybe' }));
    fake.create('services', service('s', 'odd'));
    await start();
    const message =
      'unable to check sidecar injection label on namespace odd: annotation "kuma.io/sidecar-injection" has wrong value "maybe"';
    await until(() => logs.filter((l) => l.level === 'error' && l.msg === message).length >= 2, 'the error to be retried');
    assert.equal(annotationsOf('odd', 's'), undefined);
    fake.patch('namespaces', undefined, 'odd', { metadata: { labels: { 'kuma.io/sidecar-injection': 'yes' } } });
    await until(() => isMarked('odd', 's'), 'Service to be marked once the label is valid');
  });

  test('an invalid kuma.io/ignore value is an error and the Service is not marked', async () => {
    fake.create('services', service('bad-ignore', 'mesh', { 'kuma.io/ignore': 'perhaps' }));
    await start();
    const message =
      'unable to retrieve kuma.io/ignore annotation for bad-ignore: annotation "kuma.io/ignore" has wrong value "perhaps"';
    await until(() => logs.some((l) => l.level === 'error' && l.msg === message), 'the error');
    assert.deepEqual(annotationsOf('mesh', 'bad-ignore'), { 'kuma.io/ignore': 'perhaps' });
  });

  test('a Service whose namespace has vanished is skipped without error', async () => {
    fake.create('namespaces', namespace('gone', { 'kuma.io/sidecar-injection': 'enabled' }));
    fake.create('services', service('orphan', 'gone'));
    // The namespace object goes while its Service stays, as during namespace termination.
    fake.delete('namespaces', undefined, 'gone', { keepContents: true });
    await start();
    await markControlAndWait('mesh');
    assert.deepEqual(writesTo('gone', 'orphan'), []);
    assert.ok(!logs.some((l) => l.level === 'error'));
  });

  test('Service deletions cause no writes', async () => {
    fake.create('services', service('short-lived', 'mesh', { ...MARKED }));
    await start();
    fake.delete('services', 'mesh', 'short-lived');
    await markControlAndWait('mesh');
    assert.deepEqual(writesTo('mesh', 'short-lived'), []);
  });

  test('the controller survives its watches being dropped and history compacted', async () => {
    await start();
    fake.compact();
    fake.closeWatches();
    fake.create('services', service('after-drop', 'mesh'));
    fake.compact();
    await until(() => isMarked('mesh', 'after-drop'), 'Service created during the gap to be marked');
    const marked: KubeObject | undefined = fake.get('services', 'mesh', 'after-drop');
    assert.deepEqual(marked?.metadata.annotations, MARKED);
  });
});
