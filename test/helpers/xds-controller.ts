/** An in-process xDS controller over a memory store holding mesh "default", as the controller tests use it. */
import { pino } from 'pino';
import { ResourceManager } from '../../src/core/manager.js';
import type { KindRegistry } from '../../src/core/registry.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { SnapshotCache } from '../../src/xds/cache.js';
import { XdsController, type XdsControllerOptions } from '../../src/xds/controller.js';

export interface TestController {
  store: MemoryStore;
  registry: KindRegistry;
  manager: ResourceManager;
  cache: SnapshotCache;
  /** Creates the controller; options override the test defaults. Call after seeding the store if it must see the seed at start. */
  start(options?: Partial<XdsControllerOptions>): XdsController;
}

export async function testControllerBase(): Promise<TestController> {
  const store = new MemoryStore();
  const registry = createRegistry();
  const manager = new ResourceManager(store, registry, { zone: 'default', env: 'universal' });
  await manager.create(registry.mustGet('Mesh'), { mesh: '', name: 'default' }, { labels: {}, spec: {} });
  const cache = new SnapshotCache();
  return {
    store,
    registry,
    manager,
    cache,
    start: (options = {}) =>
      new XdsController({
        store,
        manager,
        registry,
        cache,
        logger: pino({ level: 'silent' }),
        instanceId: 'cp-test',
        defaultAdminPort: 9901,
        deregistrationDelayMs: 10_000,
        statusFlushIntervalMs: 200,
        zone: 'default',
        ...options,
      }),
  };
}
