/** The control plane's xDS side in process: invalid configuration is never served, NACKs and self-registration. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { pino } from 'pino';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { adsRoutes } from '../../../src/xds/server/ads.js';
import { generateEnvoyConfig } from '../../../src/xds/generate/index.js';
import { startDpServer, type RunningDpServer } from '../../../src/dp/server.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openSotw } from '../../helpers/xds-clients.js';
import { testControllerBase } from '../../helpers/xds-controller.js';

const silent = pino({ level: 'silent' });

async function setup(opts: { generate?: typeof generateEnvoyConfig; deregistrationDelayMs?: number } = {}) {
  const { store, registry, manager, cache, start } = await testControllerBase();
  const controller = start({ deregistrationDelayMs: opts.deregistrationDelayMs ?? 10_000, generate: opts.generate });
  const server: RunningDpServer = await startDpServer({ host: '127.0.0.1', port: 0, tls: false, routes: adsRoutes(cache, controller, silent), http: () => false, logger: silent });
  const apply = (name: string, spec: Record<string, unknown>) => manager.apply(registry.mustGet('Dataplane'), { mesh: 'default', name }, { labels: {}, spec });
  return {
    store,
    cache,
    controller,
    server,
    apply,
    async close() {
      await server.close();
      await controller.close();
      await store.close();
    },
  };
}

/** Insights are flushed in the background: poll until the condition holds. */
async function insightWhere(store: MemoryStore, name: string, ok: (spec: Record<string, any>) => unknown) {
  for (let i = 0; i < 150; i++) {
    const r = await store.get('DataplaneInsight', { mesh: 'default', name });
    if (r && ok(r.spec as Record<string, any>)) return r.spec as Record<string, any>;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('insight condition not met');
}

const gatewaySpec = (port: number) => ({
  networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound: [{ port, tags: { 'kuma.io/service': 'backend' } }] },
});

async function insight(store: MemoryStore, name: string) {
  for (let i = 0; i < 50; i++) {
    const r = await store.get('DataplaneInsight', { mesh: 'default', name });
    if (r) return r.spec as Record<string, any>;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('no insight');
}

describe('xDS controller', () => {
  describe('when generation produces an invalid resource', () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let broken = false;
    before(async () => {
      env = await setup({
        generate: (snapshot, proxy, index) => {
          const config = generateEnvoyConfig(snapshot, proxy, index);
          // a port above 65535 breaks SocketAddress's validate.rules (and Envoy would reject it)
          if (broken) {
            config.listeners.push(
              create(ListenerSchema, {
                name: 'broken',
                address: { address: { case: 'socketAddress', value: { address: '127.0.0.1', portSpecifier: { case: 'portValue', value: 70000 } } } },
              }),
            );
          }
          return config;
        },
      });
      await env.apply('kong-01', gatewaySpec(10001));
    });
    after(() => env.close());

    it('keeps serving the last good configuration and records the error in the insight', async () => {
      const client = openSotw(env.server.address, 'default.kong-01');
      try {
        client.request({ typeUrl: TYPE_URL.Listener });
        const first = await client.next();
        client.ack(first);
        const before = env.cache.get('default.kong-01');
        assert.ok(before);

        broken = true;
        await env.apply('kong-01', gatewaySpec(10002));
        await env.controller.settled();
        assert.equal(env.cache.get('default.kong-01'), before, 'the served set is unchanged');
        await client.expectNone(300);

        const spec = await insightWhere(env.store, 'kong-01', (s) => s.metadata?.lastError);
        assert.match(spec.metadata.lastError.message, /Listener/);
        assert.match(spec.metadata.lastError.message, /port_value/);

        broken = false;
        await env.apply('kong-01', gatewaySpec(10003));
        const next = await client.next(1000);
        const names = next.resources.length;
        assert.ok(names > 0);
      } finally {
        await client.close();
      }
    });
  });

  describe('NACKs and self-registration', () => {
    let env: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      env = await setup({ deregistrationDelayMs: 100 });
    });
    after(() => env.close());

    it('registers a Dataplane from node metadata, counts a NACK, and deregisters after disconnect', async () => {
      const resource = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.5', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } });
      const client = openSotw(env.server.address, { id: 'default.web-1', metadata: { 'dataplane.resource': resource } });
      client.request({ typeUrl: TYPE_URL.Listener });
      const lds = await client.next();
      assert.ok(await env.store.get('Dataplane', { mesh: 'default', name: 'web-1' }), 'registered');
      client.nack(lds, 'bad listener (test)');
      await client.expectNone(300);
      const spec = await insightWhere(env.store, 'web-1', (s) => s.metadata?.lastError);
      const sub = spec.subscriptions[spec.subscriptions.length - 1];
      assert.equal(sub.status.lds.responsesRejected, '1');
      assert.equal(spec.metadata.lastError.message, 'bad listener (test)');
      await client.close();
      for (let i = 0; i < 50 && (await env.store.get('Dataplane', { mesh: 'default', name: 'web-1' })); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(await env.store.get('Dataplane', { mesh: 'default', name: 'web-1' }), undefined, 'deregistered');
    });

    it('does not bring back the insight of a Dataplane deleted while its proxy was connected', async () => {
      await env.apply('kong-gone', gatewaySpec(10001));
      const client = openSotw(env.server.address, 'default.kong-gone');
      client.request({ typeUrl: TYPE_URL.Listener });
      client.ack(await client.next());
      await insight(env.store, 'kong-gone');
      // as Kubernetes' garbage collector does when the pod goes: the Dataplane, then its insight
      await env.store.delete('Dataplane', { mesh: 'default', name: 'kong-gone' });
      await env.store.delete('DataplaneInsight', { mesh: 'default', name: 'kong-gone' });
      await client.close();
      await env.controller.settled();
      await new Promise((r) => setTimeout(r, 400)); // past a status flush
      assert.equal(await env.store.get('DataplaneInsight', { mesh: 'default', name: 'kong-gone' }), undefined);
    });

    it('refuses a dataplane.resource that fails validation, naming the field', async () => {
      const resource = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'gw', networking: { address: '10.0.0.6', gateway: { tags: { 'kuma.io/service': 'gw' } }, inbound: [{ port: 1, tags: { 'kuma.io/service': 'gw' } }] } });
      const client = openSotw(env.server.address, { id: 'default.gw', metadata: { 'dataplane.resource': resource } });
      client.request({ typeUrl: TYPE_URL.Listener });
      const err = await client.ended;
      assert.match(String(err?.message), /networking\.inbound: inbound cannot be defined for delegated gateways/);
      await client.close();
    });

    it('refuses a dataplane.resource whose name differs from the node id', async () => {
      const resource = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'other', networking: { address: '10.0.0.7' } });
      const client = openSotw(env.server.address, { id: 'default.me', metadata: { 'dataplane.resource': resource } });
      client.request({ typeUrl: TYPE_URL.Listener });
      const err = await client.ended;
      assert.match(String(err?.message), /proxy name from requestor: me is different than in dataplane.resource: other/);
      await client.close();
    });

    it('refuses a malformed node id', async () => {
      const client = openSotw(env.server.address, 'no-dot');
      client.request({ typeUrl: TYPE_URL.Listener });
      const err = await client.ended;
      assert.match(String(err?.message), /must be "<mesh>.<name>"/);
      await client.close();
    });
  });
});
